//! Where a dialog's Save stands, the same for every dialog that confirms
//! an action (share, members): posting, saved, refused, or answered 409
//! with a fresh context; and which idempotency key a retry reuses.

use custody_policy::Action;

use crate::preview::PreviewModel;

/// The confirmation state a dialog's reducer embeds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Confirm {
    pub saving: bool,
    pub saved: bool,
    /// A 409 was answered: the preview shown is the refreshed one.
    pub stale: bool,
    /// What went wrong, in words.
    pub error: Option<String>,
    /// The idempotency key of the confirmation under way, with the digest
    /// it confirms: a retry of the same preview reuses it.
    pub key: Option<(String, String)>,
}

impl Confirm {
    /// Posting the action that previewed as `digest`, under `key`.
    pub fn start(&mut self, digest: String, key: String) {
        self.saving = true;
        self.error = None;
        self.key = Some((digest, key));
    }

    pub fn done(&mut self) {
        self.saving = false;
        self.saved = true;
        self.key = None;
    }

    /// Refused or unreachable: the key stays, so that Save again retries
    /// the same confirmation when the preview is unchanged.
    pub fn failed(&mut self, error: String) {
        self.saving = false;
        self.error = Some(error);
    }

    /// Answered 409: the context was replaced; a new preview needs a new key.
    pub fn stale(&mut self) {
        self.saving = false;
        self.stale = true;
        self.key = None;
        self.error = None;
    }

    /// Save is possible: something to save, previewed and allowed (the
    /// preview has a digest), and nothing under way.
    pub fn can_save(
        &self,
        loading: bool,
        action: Option<&Action>,
        preview: Option<&PreviewModel>,
    ) -> bool {
        !self.saving
            && !loading
            && action.is_some()
            && preview.is_some_and(|p| p.digest().is_some())
    }

    /// The idempotency key for confirming `digest`: the one already used
    /// for it (a retry after a network failure), or a fresh one.
    pub fn key_for(&self, digest: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.key {
            Some((d, k)) if d == digest => k.clone(),
            _ => fresh(),
        }
    }
}

/// What a dialog's edits save: nothing, one action, or a batch of them in
/// the order made.
pub fn one_or_batch(actor: String, mut actions: Vec<Action>) -> Option<Action> {
    match actions.len() {
        0 => None,
        1 => actions.pop(),
        _ => Some(Action::Batch { actor, actions }),
    }
}
