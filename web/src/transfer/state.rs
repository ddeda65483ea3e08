//! The transfer-ownership dialog (`basespace`): an email and an optional
//! message, then Continue shows the preview of what acceptance will change
//! ("When bob@core.example accepts"), then Transfer now.
//!
//! The preview needs the recipient in the context (they may own or hold
//! data already), so Continue loads the context with the email; from then
//! on it is computed in the browser like every preview.

use crate::loaded::Loaded;
use crate::preview::{self, PreviewModel};
use custody_policy::Action;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// Email and message.
    #[default]
    Form,
    /// The preview, with Transfer now.
    Confirm,
    /// Sent: the resource now shows Pending approval.
    Sent,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransferState {
    pub resource: String,
    pub step: Step,
    pub email: String,
    pub message: String,
    pub loaded: Option<Loaded>,
    pub action: Option<Action>,
    pub preview: Option<PreviewModel>,
    /// A request is under way (the context, or the transfer itself).
    pub busy: bool,
    pub stale: bool,
    pub error: Option<String>,
    pub key: Option<(String, String)>,
}

pub enum TransferAction {
    Email(String),
    Message(String),
    /// Continue pressed: checks the email; the component then loads.
    Continue,
    Loaded(Loaded),
    Back,
    Sending {
        digest: String,
        key: String,
    },
    Sent,
    Failed(String),
    Stale(Loaded),
}

impl TransferState {
    pub fn new(resource: &str) -> TransferState {
        TransferState {
            resource: resource.to_string(),
            ..TransferState::default()
        }
    }

    /// The email as typed, trimmed, when it looks like an address.
    pub fn valid_email(&self) -> Option<String> {
        let e = self.email.trim();
        let (local, domain) = e.split_once('@')?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !e.contains(char::is_whitespace);
        ok.then(|| e.to_string())
    }

    /// Ready to load the preview: Continue was pressed with a good email.
    pub fn wants_context(&self) -> bool {
        self.step == Step::Form && self.busy
    }

    pub fn can_send(&self) -> bool {
        self.step == Step::Confirm
            && !self.busy
            && self.preview.as_ref().is_some_and(|p| p.digest().is_some())
    }

    fn refresh(&mut self) {
        let Some(l) = &self.loaded else {
            self.action = None;
            self.preview = None;
            return;
        };
        let message = self.message.trim();
        let action = Action::RequestTransfer {
            actor: l.actor.clone(),
            resource: self.resource.clone(),
            to: self.email.trim().to_string(),
            message: (!message.is_empty()).then(|| message.to_string()),
        };
        self.preview = Some(preview::as_actor(&l.engine.0, &l.names, &action, &l.actor));
        self.action = Some(action);
    }
}

impl Reducible for TransferState {
    type Action = TransferAction;

    fn reduce(self: Rc<Self>, action: TransferAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            TransferAction::Email(e) => {
                s.email = e;
                s.error = None;
            }
            TransferAction::Message(m) => s.message = m,
            TransferAction::Continue => {
                if s.valid_email().is_some() {
                    s.busy = true;
                    s.error = None;
                } else {
                    s.error = Some(
                        "Enter the email address of the person who will own it, like bob@core.example."
                            .to_string(),
                    );
                }
            }
            TransferAction::Loaded(l) => {
                s.loaded = Some(l);
                s.busy = false;
                s.step = Step::Confirm;
                s.refresh();
            }
            TransferAction::Back => {
                s.step = Step::Form;
                s.stale = false;
                s.error = None;
            }
            TransferAction::Sending { digest, key } => {
                s.busy = true;
                s.error = None;
                s.key = Some((digest, key));
            }
            TransferAction::Sent => {
                s.busy = false;
                s.step = Step::Sent;
            }
            TransferAction::Failed(e) => {
                s.busy = false;
                s.error = Some(e);
            }
            TransferAction::Stale(l) => {
                s.loaded = Some(l);
                s.busy = false;
                s.stale = true;
                s.key = None;
                s.refresh();
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaded::fixtures;

    #[test]
    fn continue_checks_the_email_then_previews() {
        let s = Rc::new(TransferState::new("P1"))
            .reduce(TransferAction::Email("bob at core".into()))
            .reduce(TransferAction::Continue);
        assert!(s.error.is_some() && !s.busy);
        let s = s
            .reduce(TransferAction::Email(" bob@core.example ".into()))
            .reduce(TransferAction::Message("Your data".into()))
            .reduce(TransferAction::Continue);
        assert!(s.wants_context());
        let s = s.reduce(TransferAction::Loaded(fixtures::loaded(
            "alice",
            "basespace",
        )));
        assert_eq!(s.step, Step::Confirm);
        assert!(s.can_send());
        let PreviewModel::Changes { rows, warnings, .. } = s.preview.as_ref().unwrap() else {
            panic!("refused")
        };
        assert!(
            rows.iter()
                .any(|r| r.sentence.starts_with("Bob Okafor becomes the owner"))
        );
        assert!(warnings.contains(&"Nothing changes until bob@core.example accepts.".to_string()));
        assert!(matches!(
            s.action,
            Some(Action::RequestTransfer { ref message, .. }) if message.as_deref() == Some("Your data")
        ));
    }

    #[test]
    fn sending_then_sent() {
        let s = Rc::new(TransferState::new("P1"))
            .reduce(TransferAction::Email("bob@core.example".into()))
            .reduce(TransferAction::Continue)
            .reduce(TransferAction::Loaded(fixtures::loaded(
                "alice",
                "basespace",
            )))
            .reduce(TransferAction::Sending {
                digest: "d".into(),
                key: "k".into(),
            });
        assert!(!s.can_send());
        let s = s.reduce(TransferAction::Sent);
        assert_eq!(s.step, Step::Sent);
    }
}
