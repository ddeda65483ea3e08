//! The share dialog's state: the loaded context, the person's edits, and
//! the preview of those edits, recomputed by the reducer on every change.
//!
//! Edits are kept as "what the person wants" per principal (give this
//! access, or remove the share), not as a copy of the share list. So when
//! the server answers that sharing changed meanwhile (409), the same edits
//! are laid over the fresh context and previewed again: the person sees
//! what their edits mean now, and nothing is applied that they did not see.

use crate::confirm::{Confirm, one_or_batch};
use crate::loaded::Loaded;
use crate::preview::{self, PreviewModel};
use custody_policy::{Access, AccessText, Action, Level, PrincipalKind, Profile};
use std::rc::Rc;
use yew::Reducible;

/// What the person wants for one principal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edit {
    Give(Access),
    Remove,
}

/// How an entry of the list differs from what is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Saved,
    Changed,
    Added,
    Removed,
}

/// One line of "People and groups with access".
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub principal: String,
    pub kind: Option<PrincipalKind>,
    /// What it will be after saving (the saved access for a removed one).
    pub access: Access,
    pub mark: Mark,
    pub owner: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShareState {
    pub loaded: Option<Loaded>,
    /// Edits in the order made.
    pub edits: Vec<(String, Edit)>,
    /// Names of principals added from the type-ahead, known before the
    /// context that includes them arrives.
    pub pending_names: Vec<(String, String)>,
    /// `direct`: the person who becomes the owner on save.
    pub new_owner: Option<String>,
    /// `direct`: leave the project when setting the owner.
    pub leave_with_owner: bool,
    /// The person leaves (removes their own share).
    pub leave: bool,
    /// The action that Save posts, when there is something to save.
    pub action: Option<Action>,
    /// The preview of `action`.
    pub preview: Option<PreviewModel>,
    /// A context request is under way (opening, or adding a principal).
    pub loading: bool,
    /// Where Save stands, and the error to show.
    pub confirm: Confirm,
}

pub enum ShareAction {
    /// The context arrived (on opening, or with principals just added).
    Loaded(Loaded),
    LoadFailed(String),
    Loading,
    /// Share with a principal (new or existing) at this access.
    Give {
        principal: String,
        name: String,
        access: Access,
    },
    Remove(String),
    /// Undo the edit of one principal.
    Restore(String),
    /// `direct`: set (or clear) the new owner.
    SetOwner(Option<String>),
    LeaveWithOwner(bool),
    /// Leave (or stay).
    Leave(bool),
    Saving {
        digest: String,
        key: String,
    },
    Saved,
    Failed(String),
    /// 409: the fresh context.
    Stale(Loaded),
}

impl ShareState {
    /// The access a person with no other choice gets when added.
    pub fn default_access() -> Access {
        Access::READ
    }

    /// Whether the dialog edits (else it only shows, "View collaborators").
    pub fn can_share(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.can_share)
    }

    /// The principals the dialog adds or changes, which the context must
    /// describe (a group's members decide who gains).
    pub fn edited_principals(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.edits.iter().map(|(p, _)| p.clone()).collect();
        ids.extend(self.new_owner.clone());
        ids.sort();
        ids.dedup();
        ids
    }

    /// Edited principals that the loaded context does not describe yet.
    pub fn missing(&self) -> Vec<String> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        self.edited_principals()
            .into_iter()
            .filter(|p| !l.names.knows_principal(p))
            .collect()
    }

    /// A principal's name, also before the context describes them.
    pub fn name_of(&self, id: &str) -> String {
        if let Some((_, n)) = self.pending_names.iter().find(|(p, _)| p == id)
            && !self
                .loaded
                .as_ref()
                .is_some_and(|l| l.names.knows_principal(id))
        {
            return n.clone();
        }
        self.loaded
            .as_ref()
            .map_or_else(|| id.to_string(), |l| l.names.person(id))
    }

    /// The list as it will be after saving: the owner, the saved shares
    /// with the edits laid over them, then new ones.
    pub fn entries(&self) -> Vec<Entry> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(owner) = l.owner() {
            out.push(Entry {
                principal: owner.to_string(),
                kind: l.names.kind_of_principal(owner),
                access: Access::OWNER,
                mark: Mark::Saved,
                owner: true,
            });
        }
        let saved = l.grants();
        for (p, access) in &saved {
            let (access, mark) = match self.edit_of(p) {
                Some(Edit::Give(a)) if a != *access => (a, Mark::Changed),
                Some(Edit::Remove) => (*access, Mark::Removed),
                _ if self.leave && *p == l.actor => (*access, Mark::Removed),
                _ => (*access, Mark::Saved),
            };
            out.push(Entry {
                principal: p.clone(),
                kind: l.names.kind_of_principal(p),
                access,
                mark,
                owner: false,
            });
        }
        for (p, edit) in &self.edits {
            if let Edit::Give(a) = edit
                && !saved.iter().any(|(s, _)| s == p)
            {
                out.push(Entry {
                    principal: p.clone(),
                    kind: l.names.kind_of_principal(p),
                    access: *a,
                    mark: Mark::Added,
                    owner: false,
                });
            }
        }
        out
    }

    fn edit_of(&self, principal: &str) -> Option<Edit> {
        self.edits
            .iter()
            .rev()
            .find(|(p, _)| p == principal)
            .map(|(_, e)| *e)
    }

    /// The action Save posts: one action, or a batch, in a fixed order
    /// (shares and removals as edited, leaving, then the new owner).
    pub fn build_action(&self) -> Option<Action> {
        let l = self.loaded.as_ref()?;
        let saved = l.grants();
        let actor = l.actor.clone();
        let resource = l.resource.clone();
        let mut actions = Vec::new();
        for (p, edit) in &self.edits {
            let current = saved.iter().find(|(s, _)| s == p).map(|(_, a)| *a);
            match edit {
                Edit::Give(a) if current != Some(*a) => actions.push(Action::Share {
                    actor: actor.clone(),
                    resource: resource.clone(),
                    principal: p.clone(),
                    access: AccessText::from_access(*a),
                }),
                Edit::Remove if current.is_some() => actions.push(Action::Unshare {
                    actor: actor.clone(),
                    resource: resource.clone(),
                    principal: p.clone(),
                }),
                _ => {}
            }
        }
        if self.leave {
            actions.push(Action::Leave {
                actor: actor.clone(),
                resource: resource.clone(),
            });
        }
        if let Some(owner) = &self.new_owner {
            actions.push(Action::SetOwner {
                actor: actor.clone(),
                resource: resource.clone(),
                principal: owner.clone(),
                leave: self.leave_with_owner,
            });
        }
        one_or_batch(actor, actions)
    }

    /// Rebuilds the action and its preview (when the context describes
    /// everyone the edits name).
    fn refresh(&mut self) {
        self.action = self.build_action();
        self.preview = match (&self.loaded, &self.action) {
            (Some(l), Some(action)) if self.missing().is_empty() => {
                Some(preview::as_actor(&l.engine.0, &l.names, action, &l.actor))
            }
            _ => None,
        };
    }

    /// Save is possible: something to save, previewed, allowed, not busy.
    pub fn can_save(&self) -> bool {
        self.confirm
            .can_save(self.loading, self.action.as_ref(), self.preview.as_ref())
    }

    /// The levels offered in the access menu.
    pub fn levels(&self) -> &'static [Level] {
        &[Level::Read, Level::Write]
    }

    pub fn profile(&self) -> Option<Profile> {
        self.loaded.as_ref().map(Loaded::profile)
    }
}

impl Reducible for ShareState {
    type Action = ShareAction;

    fn reduce(self: Rc<Self>, action: ShareAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            ShareAction::Loading => s.loading = true,
            ShareAction::Loaded(l) => {
                s.loaded = Some(l);
                s.loading = false;
                s.confirm.error = None;
            }
            ShareAction::LoadFailed(e) => {
                s.loading = false;
                s.confirm.error = Some(e);
            }
            ShareAction::Give {
                principal,
                name,
                access,
            } => {
                if !s.pending_names.iter().any(|(p, _)| *p == principal) {
                    s.pending_names.push((principal.clone(), name));
                }
                s.edits.retain(|(p, _)| *p != principal);
                s.edits.push((principal, Edit::Give(access)));
                s.confirm.error = None;
            }
            ShareAction::Remove(principal) => {
                s.edits.retain(|(p, _)| *p != principal);
                let saved = s
                    .loaded
                    .as_ref()
                    .is_some_and(|l| l.grants().iter().any(|(p, _)| *p == principal));
                if saved {
                    s.edits.push((principal.clone(), Edit::Remove));
                }
                if s.new_owner.as_deref() == Some(principal.as_str()) {
                    s.new_owner = None;
                }
                s.confirm.error = None;
            }
            ShareAction::Restore(principal) => {
                s.edits.retain(|(p, _)| *p != principal);
                if s.loaded.as_ref().is_some_and(|l| l.actor == principal) {
                    s.leave = false;
                }
            }
            ShareAction::SetOwner(owner) => {
                s.new_owner = owner;
                if s.new_owner.is_none() {
                    s.leave_with_owner = false;
                }
            }
            ShareAction::LeaveWithOwner(on) => s.leave_with_owner = on,
            ShareAction::Leave(on) => s.leave = on,
            ShareAction::Saving { digest, key } => s.confirm.start(digest, key),
            ShareAction::Saved => s.confirm.done(),
            ShareAction::Failed(e) => s.confirm.failed(e),
            ShareAction::Stale(l) => {
                s.loaded = Some(l);
                s.confirm.stale();
            }
        }
        s.refresh();
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaded::fixtures;

    fn open(actor: &str, profile: &str) -> Rc<ShareState> {
        Rc::new(ShareState::default()).reduce(ShareAction::Loaded(fixtures::loaded(actor, profile)))
    }

    fn give(principal: &str, access: Access) -> ShareAction {
        ShareAction::Give {
            principal: principal.into(),
            name: principal.into(),
            access,
        }
    }

    #[test]
    fn opening_shows_owner_then_shares_and_nothing_to_save() {
        let s = open("alice", "basespace");
        let entries = s.entries();
        assert_eq!(entries[0].principal, "alice");
        assert!(entries[0].owner);
        assert_eq!(entries.len(), 3);
        assert!(s.action.is_none());
        assert!(!s.can_save());
    }

    #[test]
    fn each_edit_previews_again() {
        let s = open("alice", "basespace").reduce(give("genomics", Access::READ));
        let rows: Vec<&str> = s
            .preview
            .as_ref()
            .unwrap()
            .rows()
            .iter()
            .map(|r| r.sentence.as_str())
            .collect();
        assert_eq!(
            rows,
            ["Erin Novak gains read on 1 project, 1 run, 1 biosample and 1 file"]
        );
        assert!(s.can_save());
        let s = s.reduce(ShareAction::Remove("carol".into()));
        assert!(matches!(s.action, Some(Action::Batch { ref actions, .. }) if actions.len() == 2));
        // Carol keeps read through genomics: no loss row for her.
        assert_eq!(s.preview.as_ref().unwrap().rows().len(), 1);
        let s = s.reduce(ShareAction::Restore("genomics".into()));
        let first = &s.preview.as_ref().unwrap().rows()[0];
        assert!(first.sentence.starts_with("Carol Diaz loses read on"));
        assert_eq!(s.entries()[1].mark, Mark::Removed);
    }

    #[test]
    fn giving_the_saved_access_again_saves_nothing() {
        let s = open("alice", "basespace").reduce(give("carol", Access::READ));
        assert!(s.action.is_none());
        assert!(s.preview.is_none());
    }

    #[test]
    fn a_new_principal_waits_for_the_context() {
        let s = open("alice", "basespace").reduce(give("dora", Access::READ));
        assert_eq!(s.missing(), ["dora"]);
        assert!(s.preview.is_none());
        assert!(!s.can_save());
        assert_eq!(s.name_of("dora"), "dora");
    }

    #[test]
    fn stale_keeps_the_edits_on_the_new_context() {
        let s = open("alice", "basespace").reduce(give("erin", Access::WRITE));
        let digest = s.preview.as_ref().unwrap().digest().unwrap().to_string();
        let s = s.reduce(ShareAction::Saving {
            digest: digest.clone(),
            key: "k1".into(),
        });
        assert!(s.confirm.saving && !s.can_save());
        assert_eq!(s.confirm.key_for(&digest, || "k2".into()), "k1");
        let mut ctx = fixtures::context("alice", "basespace");
        ctx.world.grants.push(custody_policy::Grant {
            resource: "P1".into(),
            principal: "erin".into(),
            access: Access::READ,
        });
        ctx.version = "v2".into();
        let s = s.reduce(ShareAction::Stale(Loaded::new(ctx).unwrap()));
        assert!(s.confirm.stale && !s.confirm.saving);
        let row = &s.preview.as_ref().unwrap().rows()[0];
        assert_eq!(
            row.sentence,
            "Erin Novak goes from read to write on 1 project"
        );
        assert_ne!(s.preview.as_ref().unwrap().digest().unwrap(), digest);
        assert_eq!(s.confirm.key_for(&digest, || "k2".into()), "k2");
    }

    #[test]
    fn a_reader_may_leave() {
        let s = open("bob", "basespace");
        assert!(!s.can_share());
        let s = s.reduce(ShareAction::Leave(true));
        assert!(matches!(s.action, Some(Action::Leave { .. })));
        let rows = s.preview.as_ref().unwrap().rows();
        assert!(
            rows.iter()
                .all(|r| r.tone == crate::preview::Tone::ActorLoss)
        );
        assert!(
            rows.iter()
                .any(|r| r.sentence == "You lose write on 1 project")
        );
    }

    #[test]
    fn direct_set_owner_with_leave_warns() {
        let s = open("alice", "direct")
            .reduce(ShareAction::SetOwner(Some("bob".into())))
            .reduce(ShareAction::LeaveWithOwner(true));
        assert!(matches!(
            s.action,
            Some(Action::SetOwner { leave: true, .. })
        ));
        let PreviewModel::Changes { rows, warnings, .. } = s.preview.as_ref().unwrap() else {
            panic!("refused")
        };
        assert_eq!(rows[0].tone, crate::preview::Tone::ActorLoss);
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("You cannot take ownership back"))
        );
        let s = s.reduce(ShareAction::SetOwner(None));
        assert!(s.action.is_none() && !s.leave_with_owner);
    }

    #[test]
    fn refusals_block_saving() {
        let s = open("alice", "basespace").reduce(give("alice", Access::READ));
        assert!(matches!(s.preview, Some(PreviewModel::Refused { .. })));
        assert!(!s.can_save());
    }
}
