//! What every page of a signed-in person shares: the deployment's
//! configuration, the account, the live count of unread notifications, and
//! how to report that the session ended.

use custody_api::{Config, Me};
use custody_policy::Profile;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Session {
    pub config: Config,
    pub me: Me,
    pub unread: u64,
    /// The latest notification's text, for a live announcement.
    pub latest: Option<String>,
    /// The session ended (signed out, or expired): back to sign-in.
    pub on_signed_out: Callback<()>,
    /// Read the unread count again (after marking some read).
    pub on_unread_changed: Callback<()>,
}

impl Session {
    pub fn profile(&self) -> Profile {
        self.config.profile
    }

    /// "BaseSpace profile: transfer by invitation", for the header.
    pub fn profile_label(&self) -> &'static str {
        match self.config.profile {
            Profile::Basespace => "Transfers by invitation",
            Profile::Direct => "Direct ownership",
        }
    }

    pub fn display_name(&self) -> String {
        self.me
            .name
            .clone()
            .or_else(|| self.me.email.clone())
            .unwrap_or_else(|| self.me.id.clone())
    }
}

/// The session of the signed-in person; pages are only rendered inside it.
#[hook]
pub fn use_session() -> Option<Session> {
    use_context::<Session>()
}
