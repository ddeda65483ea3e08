//! Actions: the changes a person asks for, in the specification's JSON form
//! (`{"type": "share", "actor": ..., ...}`).

use crate::access::AccessText;
use serde::{Deserialize, Serialize};

/// One change a person asks for. Every action names its actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Add a grant, or replace the principal's grant on that resource.
    Share {
        actor: String,
        resource: String,
        principal: String,
        /// Kept as text so that an unknown level or permission is answered
        /// with `invalid_access`.
        #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
        access: AccessText,
    },
    /// Remove the principal's grant.
    Unshare {
        actor: String,
        resource: String,
        principal: String,
    },
    /// Invite the holder of an email address to take ownership (`basespace`).
    RequestTransfer {
        actor: String,
        resource: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    AcceptTransfer {
        actor: String,
        transfer: String,
    },
    DeclineTransfer {
        actor: String,
        transfer: String,
    },
    CancelTransfer {
        actor: String,
        transfer: String,
    },
    /// Make another account the owner of a project at once (`direct`).
    SetOwner {
        actor: String,
        resource: String,
        principal: String,
        /// When true the previous owner keeps no share.
        #[serde(default)]
        leave: bool,
    },
    /// Remove the actor's own grant.
    Leave {
        actor: String,
        resource: String,
    },
    /// Add a user, service account or group to a group's members (an
    /// admin of the group).
    AddMember {
        actor: String,
        group: String,
        principal: String,
    },
    /// Remove a direct member from a group (an admin of the group, or the
    /// member leaving).
    RemoveMember {
        actor: String,
        group: String,
        principal: String,
    },
    /// What one dialog saves: all or nothing, checked in order.
    Batch {
        actor: String,
        actions: Vec<Action>,
    },
}

/// What an action names, by role ([`Action::names`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Resources it acts on (`resource` fields).
    pub resources: Vec<String>,
    /// Transfers it settles (`transfer` fields).
    pub transfers: Vec<String>,
    /// Principals it names: grantees, new owners, members added or removed.
    pub principals: Vec<String>,
    /// Transfer recipients' email addresses (`to`), as written.
    pub emails: Vec<String>,
    /// Groups whose members it changes (`group` fields).
    pub groups: Vec<String>,
}

/// The name of each action type, as written in the `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionType {
    Share,
    Unshare,
    RequestTransfer,
    AcceptTransfer,
    DeclineTransfer,
    CancelTransfer,
    SetOwner,
    Leave,
    AddMember,
    RemoveMember,
    Batch,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::Share => "share",
            ActionType::Unshare => "unshare",
            ActionType::RequestTransfer => "request_transfer",
            ActionType::AcceptTransfer => "accept_transfer",
            ActionType::DeclineTransfer => "decline_transfer",
            ActionType::CancelTransfer => "cancel_transfer",
            ActionType::SetOwner => "set_owner",
            ActionType::Leave => "leave",
            ActionType::AddMember => "add_member",
            ActionType::RemoveMember => "remove_member",
            ActionType::Batch => "batch",
        }
    }
}

impl Action {
    pub fn actor(&self) -> &str {
        match self {
            Action::Share { actor, .. }
            | Action::Unshare { actor, .. }
            | Action::RequestTransfer { actor, .. }
            | Action::AcceptTransfer { actor, .. }
            | Action::DeclineTransfer { actor, .. }
            | Action::CancelTransfer { actor, .. }
            | Action::SetOwner { actor, .. }
            | Action::Leave { actor, .. }
            | Action::AddMember { actor, .. }
            | Action::RemoveMember { actor, .. }
            | Action::Batch { actor, .. } => actor,
        }
    }

    /// The ids and emails this action (and, for a batch, each inner
    /// action) names, in order of appearance, without repeats: what a
    /// store must load to preview it, and what a dialog opened on it is
    /// about. The actors are not included (see [`Action::actor`]).
    pub fn names(&self) -> Names {
        let mut out = Names::default();
        self.collect_names(&mut out);
        out
    }

    fn collect_names(&self, out: &mut Names) {
        fn push(list: &mut Vec<String>, item: &str) {
            if !list.iter().any(|x| x == item) {
                list.push(item.to_string());
            }
        }
        match self {
            Action::Share {
                resource,
                principal,
                ..
            }
            | Action::Unshare {
                resource,
                principal,
                ..
            }
            | Action::SetOwner {
                resource,
                principal,
                ..
            } => {
                push(&mut out.resources, resource);
                push(&mut out.principals, principal);
            }
            Action::RequestTransfer { resource, to, .. } => {
                push(&mut out.resources, resource);
                push(&mut out.emails, to);
            }
            Action::AcceptTransfer { transfer, .. }
            | Action::DeclineTransfer { transfer, .. }
            | Action::CancelTransfer { transfer, .. } => push(&mut out.transfers, transfer),
            Action::Leave { resource, .. } => push(&mut out.resources, resource),
            Action::AddMember {
                group, principal, ..
            }
            | Action::RemoveMember {
                group, principal, ..
            } => {
                push(&mut out.groups, group);
                push(&mut out.principals, principal);
            }
            Action::Batch { actions, .. } => {
                for a in actions {
                    a.collect_names(out);
                }
            }
        }
    }

    pub fn action_type(&self) -> ActionType {
        match self {
            Action::Share { .. } => ActionType::Share,
            Action::Unshare { .. } => ActionType::Unshare,
            Action::RequestTransfer { .. } => ActionType::RequestTransfer,
            Action::AcceptTransfer { .. } => ActionType::AcceptTransfer,
            Action::DeclineTransfer { .. } => ActionType::DeclineTransfer,
            Action::CancelTransfer { .. } => ActionType::CancelTransfer,
            Action::SetOwner { .. } => ActionType::SetOwner,
            Action::Leave { .. } => ActionType::Leave,
            Action::AddMember { .. } => ActionType::AddMember,
            Action::RemoveMember { .. } => ActionType::RemoveMember,
            Action::Batch { .. } => ActionType::Batch,
        }
    }
}
