//! The recipient's invitation: what accepting a transfer will give them
//! and what stays with the sender, previewed in the browser on the
//! transfer's context, with Accept and Decline.

use crate::loaded::Loaded;
use crate::preview::{self, PreviewModel, Setting};
use custody_api::TransferItem;
use custody_policy::Action;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InvitationState {
    pub transfer: TransferItem,
    pub loaded: Option<Loaded>,
    /// The preview of accepting.
    pub preview: Option<PreviewModel>,
    pub busy: Option<Decision>,
    pub done: Option<Decision>,
    pub stale: bool,
    pub error: Option<String>,
    pub key: Option<(String, String)>,
}

pub enum InvitationAction {
    Loaded(Loaded),
    LoadFailed(String),
    Deciding {
        decision: Decision,
        digest: String,
        key: String,
    },
    Done(Decision),
    Failed(String),
    Stale(Loaded),
}

impl InvitationState {
    pub fn new(transfer: TransferItem) -> InvitationState {
        InvitationState {
            transfer,
            loaded: None,
            preview: None,
            busy: None,
            done: None,
            stale: false,
            error: None,
            key: None,
        }
    }

    /// The action for a decision, by the signed-in recipient.
    pub fn action(&self, decision: Decision) -> Option<Action> {
        let actor = self.loaded.as_ref()?.actor.clone();
        let transfer = self.transfer.id.clone();
        Some(match decision {
            Decision::Accept => Action::AcceptTransfer { actor, transfer },
            Decision::Decline => Action::DeclineTransfer { actor, transfer },
        })
    }

    /// The digest of the preview of a decision (declining changes no
    /// access, but the server checks what was seen all the same).
    pub fn digest(&self, decision: Decision) -> Option<String> {
        let l = self.loaded.as_ref()?;
        let action = self.action(decision)?;
        l.engine.0.preview(&action).ok().map(|p| p.digest())
    }

    pub fn can_decide(&self) -> bool {
        self.busy.is_none()
            && self.done.is_none()
            && self.preview.as_ref().is_some_and(|p| p.digest().is_some())
    }

    fn refresh(&mut self) {
        self.preview = match (&self.loaded, self.action(Decision::Accept)) {
            (Some(l), Some(action)) => Some(preview::compute(
                &l.engine.0,
                &l.names,
                &action,
                &Setting {
                    actor: l.actor.clone(),
                    sender: Some(self.transfer.from.clone()),
                },
            )),
            _ => None,
        };
    }
}

impl Reducible for InvitationState {
    type Action = InvitationAction;

    fn reduce(self: Rc<Self>, action: InvitationAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            InvitationAction::Loaded(l) => {
                s.loaded = Some(l);
                s.error = None;
            }
            InvitationAction::LoadFailed(e) => s.error = Some(e),
            InvitationAction::Deciding {
                decision,
                digest,
                key,
            } => {
                s.busy = Some(decision);
                s.error = None;
                s.key = Some((digest, key));
            }
            InvitationAction::Done(d) => {
                s.busy = None;
                s.done = Some(d);
            }
            InvitationAction::Failed(e) => {
                s.busy = None;
                s.error = Some(e);
            }
            InvitationAction::Stale(l) => {
                s.loaded = Some(l);
                s.busy = None;
                s.stale = true;
                s.key = None;
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
    use custody_policy::{Transfer, TransferStatus};

    #[test]
    fn the_invitation_previews_acceptance_from_the_recipients_side() {
        let mut ctx = fixtures::context("bob", "basespace");
        ctx.world.transfers.push(Transfer {
            id: "T1".into(),
            resource: "R1".into(),
            from: "alice".into(),
            to: "bob@core.example".into(),
            status: TransferStatus::Pending,
            message: None,
        });
        ctx.resource = "R1".into();
        let item = TransferItem {
            id: "T1".into(),
            resource: "R1".into(),
            resource_kind: custody_policy::ResourceKind::Run,
            resource_name: Some("Run one".into()),
            from: "alice".into(),
            from_name: "Alice Moreau".into(),
            to: "bob@core.example".into(),
            message: None,
            status: TransferStatus::Pending,
            created_at: 0,
            decided_at: None,
            decided_by: None,
        };
        let s = Rc::new(InvitationState::new(item))
            .reduce(InvitationAction::Loaded(Loaded::new(ctx).unwrap()));
        assert!(s.can_decide());
        let PreviewModel::Changes { rows, warnings, .. } = s.preview.as_ref().unwrap() else {
            panic!("refused")
        };
        assert!(
            rows.iter()
                .any(|r| r.sentence.starts_with("You become the owner"))
        );
        assert!(warnings.contains(
            &"FASTQ files stay with Alice Moreau: 1 file is not transferred.".to_string()
        ));
        assert!(s.digest(Decision::Decline).is_some());
        let s = s.reduce(InvitationAction::Deciding {
            decision: Decision::Accept,
            digest: "d".into(),
            key: "k".into(),
        });
        assert!(!s.can_decide());
        let s = s.reduce(InvitationAction::Done(Decision::Accept));
        assert_eq!(s.done, Some(Decision::Accept));
    }
}
