//! The members dialog's state: the loaded group context, the person's
//! edits to the group's members, and the preview of those edits,
//! recomputed by the reducer on every change.
//!
//! Like the share dialog (`share/state.rs`), edits are kept as "what the
//! person wants" per principal (add them, or remove them), not as a copy
//! of the member list. So when the server answers that the group changed
//! meanwhile (409), the same edits are laid over the fresh context and
//! previewed again: the person sees what their edits mean now, and nothing
//! is applied that they did not see. Leaving the group is removing
//! oneself (`remove_member` with the actor as principal), which the
//! policy allows a direct member even when they do not administer it.

use crate::confirm::{Confirm, one_or_batch};
use crate::groups::loaded::GroupLoaded;
use crate::preview::{self, PreviewModel};
use custody_policy::{Action, PrincipalKind};
use std::rc::Rc;
use yew::Reducible;

/// What the person wants for one principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberEdit {
    Add,
    Remove,
}

/// How an entry of the list differs from what is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Saved,
    Added,
    Removed,
}

/// One line of the member list.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberEntry {
    pub principal: String,
    pub kind: Option<PrincipalKind>,
    pub mark: Mark,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MembersState {
    pub loaded: Option<GroupLoaded>,
    /// Edits in the order made.
    pub edits: Vec<(String, MemberEdit)>,
    /// Names of principals added from the type-ahead, known before the
    /// context that describes them arrives.
    pub pending_names: Vec<(String, String)>,
    /// The action that Save posts, when there is something to save.
    pub action: Option<Action>,
    /// The preview of `action`.
    pub preview: Option<PreviewModel>,
    /// A context request is under way (opening, or adding a principal).
    pub loading: bool,
    /// Where Save stands, and the error to show.
    pub confirm: Confirm,
}

pub enum MembersAction {
    /// The context arrived (on opening, or with principals just added).
    Loaded(GroupLoaded),
    LoadFailed(String),
    Loading,
    /// Add a principal (from the type-ahead, with the name it showed).
    Add {
        principal: String,
        name: String,
    },
    /// Remove a member (oneself: leave the group).
    Remove(String),
    /// Undo the edit of one principal.
    Restore(String),
    Saving {
        digest: String,
        key: String,
    },
    Saved,
    Failed(String),
    /// 409: the fresh context.
    Stale(GroupLoaded),
}

impl MembersState {
    /// Whether the person administers the group (else they may only leave).
    pub fn can_manage(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.can_manage)
    }

    /// Whether the person is a direct member, who may leave.
    pub fn can_leave(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.is_member(&l.actor))
    }

    /// Whether the edits remove the person themselves.
    pub fn leaving(&self) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|l| self.edit_of(&l.actor) == Some(MemberEdit::Remove))
    }

    /// The principals the dialog adds, which the context must describe
    /// (their own memberships decide what they already reach, and a group
    /// added must be known to tell whether it contains this one).
    pub fn added_principals(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .edits
            .iter()
            .filter(|(_, e)| *e == MemberEdit::Add)
            .map(|(p, _)| p.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Added principals that the loaded context does not describe yet.
    pub fn missing(&self) -> Vec<String> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        self.added_principals()
            .into_iter()
            .filter(|p| !l.names.knows_principal(p))
            .collect()
    }

    /// A principal's name, also before the context describes them.
    pub fn name_of(&self, id: &str) -> String {
        let known = self
            .loaded
            .as_ref()
            .is_some_and(|l| l.names.knows_principal(id));
        if !known && let Some((_, n)) = self.pending_names.iter().find(|(p, _)| p == id) {
            return n.clone();
        }
        self.loaded
            .as_ref()
            .map_or_else(|| id.to_string(), |l| l.names.person(id))
    }

    fn edit_of(&self, principal: &str) -> Option<MemberEdit> {
        self.edits
            .iter()
            .rev()
            .find(|(p, _)| p == principal)
            .map(|(_, e)| *e)
    }

    /// The list as it will be after saving: the ones added first, in the
    /// order added (in a group of hundreds, what the person changed stays
    /// in view), then the saved members with the edits laid over them
    /// (removed ones stay, marked, so they can be restored).
    pub fn entries(&self) -> Vec<MemberEntry> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        let saved = l.members();
        let mut out: Vec<MemberEntry> = self
            .edits
            .iter()
            .filter(|(p, edit)| *edit == MemberEdit::Add && !saved.contains(p))
            .map(|(p, _)| MemberEntry {
                principal: p.clone(),
                kind: l.names.kind_of_principal(p),
                mark: Mark::Added,
            })
            .collect();
        out.extend(saved.iter().map(|p| MemberEntry {
            principal: p.clone(),
            kind: l.names.kind_of_principal(p),
            mark: match self.edit_of(p) {
                Some(MemberEdit::Remove) => Mark::Removed,
                _ => Mark::Saved,
            },
        }));
        out
    }

    /// The action Save posts: one `add_member` or `remove_member`, or a
    /// batch of them in the order edited.
    pub fn build_action(&self) -> Option<Action> {
        let l = self.loaded.as_ref()?;
        let saved = l.members();
        let actor = l.actor.clone();
        let group = l.group.clone();
        let actions: Vec<Action> = self
            .edits
            .iter()
            .filter_map(|(p, edit)| match (edit, saved.contains(p)) {
                (MemberEdit::Add, false) => Some(Action::AddMember {
                    actor: actor.clone(),
                    group: group.clone(),
                    principal: p.clone(),
                }),
                (MemberEdit::Remove, true) => Some(Action::RemoveMember {
                    actor: actor.clone(),
                    group: group.clone(),
                    principal: p.clone(),
                }),
                _ => None,
            })
            .collect();
        one_or_batch(actor, actions)
    }

    /// Rebuilds the action and its preview (when the context describes
    /// everyone the edits add).
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
}

impl Reducible for MembersState {
    type Action = MembersAction;

    fn reduce(self: Rc<Self>, action: MembersAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            MembersAction::Loading => s.loading = true,
            MembersAction::Loaded(l) => {
                s.loaded = Some(l);
                s.loading = false;
                s.confirm.error = None;
            }
            MembersAction::LoadFailed(e) => {
                s.loading = false;
                s.confirm.error = Some(e);
            }
            MembersAction::Add { principal, name } => {
                if !s.pending_names.iter().any(|(p, _)| *p == principal) {
                    s.pending_names.push((principal.clone(), name));
                }
                s.edits.retain(|(p, _)| *p != principal);
                // Adding back a saved member is undoing their removal.
                let saved = s.loaded.as_ref().is_some_and(|l| l.is_member(&principal));
                if !saved {
                    s.edits.push((principal, MemberEdit::Add));
                }
                s.confirm.error = None;
            }
            MembersAction::Remove(principal) => {
                s.edits.retain(|(p, _)| *p != principal);
                // Removing one just added is dropping the addition.
                let saved = s.loaded.as_ref().is_some_and(|l| l.is_member(&principal));
                if saved {
                    s.edits.push((principal, MemberEdit::Remove));
                }
                s.confirm.error = None;
            }
            MembersAction::Restore(principal) => {
                s.edits.retain(|(p, _)| *p != principal);
            }
            MembersAction::Saving { digest, key } => s.confirm.start(digest, key),
            MembersAction::Saved => s.confirm.done(),
            MembersAction::Failed(e) => s.confirm.failed(e),
            MembersAction::Stale(l) => {
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
    use crate::groups::loaded::fixtures;
    use crate::preview::Tone;

    fn open(actor: &str) -> Rc<MembersState> {
        Rc::new(MembersState::default()).reduce(MembersAction::Loaded(fixtures::loaded(actor)))
    }

    fn add(principal: &str) -> MembersAction {
        MembersAction::Add {
            principal: principal.into(),
            name: principal.into(),
        }
    }

    fn sentences(s: &MembersState) -> Vec<String> {
        s.preview
            .as_ref()
            .map(|p| p.rows().iter().map(|r| r.sentence.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn opening_lists_the_direct_members_and_nothing_to_save() {
        let s = open("alice");
        let ids: Vec<String> = s.entries().into_iter().map(|e| e.principal).collect();
        assert_eq!(ids, ["carol", "wetlab-core"]);
        assert_eq!(s.entries()[1].kind, Some(PrincipalKind::Group));
        assert!(s.can_manage());
        assert!(
            !s.can_leave(),
            "Alice administers genomics but is no member"
        );
        assert!(s.action.is_none() && s.preview.is_none());
        assert!(!s.can_save());
    }

    #[test]
    fn adding_a_person_previews_what_they_gain() {
        let s = open("alice").reduce(add("erin"));
        assert_eq!(
            s.action,
            Some(Action::AddMember {
                actor: "alice".into(),
                group: "genomics".into(),
                principal: "erin".into(),
            })
        );
        assert_eq!(
            sentences(&s),
            ["Erin Novak gains read on 2 projects, 1 run, 1 biosample and 1 file"]
        );
        let PreviewModel::Changes { people, .. } = s.preview.as_ref().unwrap() else {
            panic!("refused")
        };
        assert_eq!(*people, 1);
        assert!(s.can_save());
        assert_eq!(s.entries()[0].principal, "erin");
        assert_eq!(s.entries()[0].mark, Mark::Added);
        // The reason after names a group (genomics, or wetlab, which
        // holds genomics), and there was none before.
        let row = &s.preview.as_ref().unwrap().rows()[0];
        assert!(row.why_after.starts_with("through group"), "{row:?}");
        assert_eq!(row.why_before, "no access");
    }

    #[test]
    fn adding_a_group_reaches_its_people_and_a_service_account_counts() {
        let s = open("alice").reduce(add("pipeline"));
        assert_eq!(
            sentences(&s),
            ["Nightly pipeline gains read on 2 projects, 1 run, 1 biosample and 1 file"]
        );
        // A cycle is refused in words: wetlab contains genomics.
        let s = s.reduce(add("wetlab"));
        assert!(matches!(s.action, Some(Action::Batch { ref actions, .. }) if actions.len() == 2));
        let Some(PreviewModel::Refused { code, sentence }) = &s.preview else {
            panic!("not refused: {:?}", s.preview)
        };
        assert_eq!(code, "group_cycle");
        assert!(
            sentence.starts_with("A group cannot contain itself"),
            "{sentence}"
        );
        assert!(!s.can_save());
    }

    #[test]
    fn removing_lists_only_those_who_lose_access() {
        // Carol keeps read on Tumor WGS by her own share, and Normals
        // through wetlab: removing her from genomics changes nothing.
        let s = open("alice").reduce(MembersAction::Remove("carol".into()));
        assert_eq!(s.entries()[0].mark, Mark::Removed);
        assert!(s.preview.as_ref().unwrap().is_empty());
        assert!(s.can_save(), "saving an empty change is still allowed");
        // Removing the nested group: Dan and Frank lose it.
        let s = s
            .reduce(MembersAction::Restore("carol".into()))
            .reduce(MembersAction::Remove("wetlab-core".into()));
        let rows = s.preview.as_ref().unwrap().rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].tone, Tone::Loss);
        assert_eq!(
            rows[0].sentence,
            "Dan Reyes and Frank Osei lose read on 2 projects, 1 run, 1 biosample and 1 file"
        );
    }

    #[test]
    fn undoing_edits_leaves_nothing_to_save() {
        let s = open("alice")
            .reduce(add("erin"))
            .reduce(MembersAction::Remove("erin".into()));
        assert!(s.edits.is_empty() && s.action.is_none());
        let s = s
            .reduce(MembersAction::Remove("carol".into()))
            .reduce(add("carol"));
        assert!(s.edits.is_empty() && s.action.is_none());
    }

    #[test]
    fn a_member_may_leave_and_sees_what_they_lose() {
        let mut world = fixtures::world();
        // Carol without her own share: leaving loses Tumor WGS, not
        // Normals (wetlab holds her directly as well).
        world.grants.retain(|g| g.principal != "carol");
        let l = fixtures::loaded_on("carol", world, "v1");
        let s = Rc::new(MembersState::default()).reduce(MembersAction::Loaded(l));
        assert!(!s.can_manage() && s.can_leave());
        let s = s.reduce(MembersAction::Remove("carol".into()));
        assert!(s.leaving());
        assert!(matches!(
            s.action,
            Some(Action::RemoveMember { ref principal, ref actor, .. }) if principal == "carol" && actor == "carol"
        ));
        let PreviewModel::Changes { rows, warnings, .. } = s.preview.as_ref().unwrap() else {
            panic!("refused")
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].tone, Tone::ActorLoss);
        assert_eq!(
            rows[0].sentence,
            "You lose read on 1 project, 1 run, 1 biosample and 1 file"
        );
        assert!(warnings[0].starts_with("You will lose read on"));
        assert!(s.can_save());
    }

    #[test]
    fn a_member_who_is_not_an_admin_cannot_add() {
        let s = open("carol").reduce(add("erin"));
        assert!(
            matches!(s.preview, Some(PreviewModel::Refused { ref code, .. }) if code == "not_permitted")
        );
        assert!(!s.can_save());
    }

    #[test]
    fn a_new_principal_waits_for_the_context() {
        let s = open("alice").reduce(MembersAction::Add {
            principal: "zoe".into(),
            name: "Zoe Quinn".into(),
        });
        assert_eq!(s.missing(), ["zoe"]);
        assert_eq!(s.added_principals(), ["zoe"]);
        assert!(s.preview.is_none() && !s.can_save());
        assert_eq!(s.name_of("zoe"), "Zoe Quinn");
        // The context with Zoe arrives: previewed.
        let mut world = fixtures::world();
        world
            .principals
            .push(serde_json::from_str(r#"{"id":"zoe","kind":"user","name":"Zoe Q."}"#).unwrap());
        let s = s
            .reduce(MembersAction::Loading)
            .reduce(MembersAction::Loaded(fixtures::loaded_on(
                "alice", world, "v2",
            )));
        assert!(s.missing().is_empty());
        assert_eq!(s.name_of("zoe"), "Zoe Q.");
        assert!(sentences(&s)[0].starts_with("Zoe Q. gains read on 2 projects"));
        assert!(s.can_save());
    }

    #[test]
    fn stale_keeps_the_edits_on_the_new_context() {
        let s = open("alice").reduce(add("erin"));
        let digest = s.preview.as_ref().unwrap().digest().unwrap().to_string();
        let s = s.reduce(MembersAction::Saving {
            digest: digest.clone(),
            key: "k1".into(),
        });
        assert!(s.confirm.saving && !s.can_save());
        assert_eq!(s.confirm.key_for(&digest, || "k2".into()), "k1");
        // Meanwhile Erin got direct shares on both projects: adding her
        // now changes no one's access, and the digest differs.
        let mut world = fixtures::world();
        for resource in ["P1", "P2"] {
            world.grants.push(custody_policy::Grant {
                resource: resource.into(),
                principal: "erin".into(),
                access: custody_policy::Access::READ,
            });
        }
        let s = s.reduce(MembersAction::Stale(fixtures::loaded_on(
            "alice", world, "v2",
        )));
        assert!(s.confirm.stale && !s.confirm.saving && s.can_save());
        assert!(s.preview.as_ref().unwrap().is_empty());
        assert_ne!(s.preview.as_ref().unwrap().digest().unwrap(), digest);
        assert_eq!(s.confirm.key_for(&digest, || "k2".into()), "k2");
        let s = s.reduce(MembersAction::Failed("They are a member already.".into()));
        assert_eq!(
            s.confirm.error.as_deref(),
            Some("They are a member already.")
        );
        let s = s.reduce(MembersAction::Saved);
        assert!(s.confirm.saved && s.confirm.key.is_none());
    }

    #[test]
    fn several_edits_save_as_one_batch_in_order() {
        let s = open("alice")
            .reduce(add("erin"))
            .reduce(MembersAction::Remove("wetlab-core".into()));
        let Some(Action::Batch { actions, actor }) = &s.action else {
            panic!("no batch: {:?}", s.action)
        };
        assert_eq!(actor, "alice");
        assert!(matches!(&actions[0], Action::AddMember { principal, .. } if principal == "erin"));
        assert!(
            matches!(&actions[1], Action::RemoveMember { principal, .. } if principal == "wetlab-core")
        );
        let tones: Vec<Tone> = s
            .preview
            .as_ref()
            .unwrap()
            .rows()
            .iter()
            .map(|r| r.tone)
            .collect();
        assert_eq!(tones, [Tone::Loss, Tone::Gain], "losses before gains");
    }
}
