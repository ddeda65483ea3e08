//! Actions: the changes a person asks for, in the specification's JSON form
//! (`{"type": "share", "actor": ..., ...}`).

use crate::access::AccessText;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// One change a person asks for. Every action names its actor.
///
/// Read by hand (see the `Deserialize` impl below), written by serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub const ALL: [ActionType; 11] = [
        ActionType::Share,
        ActionType::Unshare,
        ActionType::RequestTransfer,
        ActionType::AcceptTransfer,
        ActionType::DeclineTransfer,
        ActionType::CancelTransfer,
        ActionType::SetOwner,
        ActionType::Leave,
        ActionType::AddMember,
        ActionType::RemoveMember,
        ActionType::Batch,
    ];

    /// The names as the `type` field writes them, in declaration order.
    pub const NAMES: [&'static str; 11] = [
        "share",
        "unshare",
        "request_transfer",
        "accept_transfer",
        "decline_transfer",
        "cancel_transfer",
        "set_owner",
        "leave",
        "add_member",
        "remove_member",
        "batch",
    ];

    pub fn parse(name: &str) -> Option<ActionType> {
        ActionType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        // `ALL` and `NAMES` list the types in declaration order.
        ActionType::NAMES[self as usize]
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

/// Every field any action has, as one flat object: an action is read into
/// this and then checked against its `type`. Serde's derive for an
/// internally tagged enum buffers the object and compiles a reader per
/// variant, which made reading an action a seventh of the npm package's
/// wasm; this is one reader, with the same messages (`missing field`,
/// `unknown variant`). Fields that the `type` does not use are ignored,
/// but like every field must have the right JSON type.
#[derive(Deserialize)]
struct Fields {
    #[serde(rename = "type")]
    kind: Option<String>,
    actor: Option<String>,
    resource: Option<String>,
    principal: Option<String>,
    access: Option<AccessText>,
    to: Option<String>,
    message: Option<String>,
    transfer: Option<String>,
    leave: Option<bool>,
    group: Option<String>,
    actions: Option<Vec<Action>>,
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = Fields::deserialize(deserializer)?;
        fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        let kind = need(f.kind, "type")?;
        let Some(kind) = ActionType::parse(&kind) else {
            return Err(D::Error::unknown_variant(&kind, &ActionType::NAMES));
        };
        let actor = need(f.actor, "actor")?;
        Ok(match kind {
            ActionType::Share => Action::Share {
                actor,
                resource: need(f.resource, "resource")?,
                principal: need(f.principal, "principal")?,
                access: need(f.access, "access")?,
            },
            ActionType::Unshare => Action::Unshare {
                actor,
                resource: need(f.resource, "resource")?,
                principal: need(f.principal, "principal")?,
            },
            ActionType::RequestTransfer => Action::RequestTransfer {
                actor,
                resource: need(f.resource, "resource")?,
                to: need(f.to, "to")?,
                message: f.message,
            },
            ActionType::AcceptTransfer => Action::AcceptTransfer {
                actor,
                transfer: need(f.transfer, "transfer")?,
            },
            ActionType::DeclineTransfer => Action::DeclineTransfer {
                actor,
                transfer: need(f.transfer, "transfer")?,
            },
            ActionType::CancelTransfer => Action::CancelTransfer {
                actor,
                transfer: need(f.transfer, "transfer")?,
            },
            ActionType::SetOwner => Action::SetOwner {
                actor,
                resource: need(f.resource, "resource")?,
                principal: need(f.principal, "principal")?,
                leave: f.leave.unwrap_or(false),
            },
            ActionType::Leave => Action::Leave {
                actor,
                resource: need(f.resource, "resource")?,
            },
            ActionType::AddMember => Action::AddMember {
                actor,
                group: need(f.group, "group")?,
                principal: need(f.principal, "principal")?,
            },
            ActionType::RemoveMember => Action::RemoveMember {
                actor,
                group: need(f.group, "group")?,
                principal: need(f.principal, "principal")?,
            },
            ActionType::Batch => Action::Batch {
                actor,
                actions: need(f.actions, "actions")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Action, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn type_names_follow_the_declaration_order() {
        for (i, t) in ActionType::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i);
            assert_eq!(ActionType::parse(t.as_str()), Some(t));
        }
    }

    #[test]
    fn every_action_reads_back_what_is_written() {
        let share = Action::Share {
            actor: "ann".into(),
            resource: "P1".into(),
            principal: "lab".into(),
            access: AccessText::Full {
                level: "write".into(),
                permissions: vec!["share".into()],
            },
        };
        let actions = vec![
            share.clone(),
            Action::Unshare {
                actor: "ann".into(),
                resource: "P1".into(),
                principal: "lab".into(),
            },
            Action::RequestTransfer {
                actor: "ann".into(),
                resource: "P1".into(),
                to: "bob@core.example".into(),
                message: Some("yours".into()),
            },
            Action::AcceptTransfer {
                actor: "bob".into(),
                transfer: "T1".into(),
            },
            Action::DeclineTransfer {
                actor: "bob".into(),
                transfer: "T1".into(),
            },
            Action::CancelTransfer {
                actor: "ann".into(),
                transfer: "T1".into(),
            },
            Action::SetOwner {
                actor: "ann".into(),
                resource: "P1".into(),
                principal: "bob".into(),
                leave: true,
            },
            Action::Leave {
                actor: "bob".into(),
                resource: "P1".into(),
            },
            Action::AddMember {
                actor: "ann".into(),
                group: "lab".into(),
                principal: "bob".into(),
            },
            Action::RemoveMember {
                actor: "ann".into(),
                group: "lab".into(),
                principal: "bob".into(),
            },
        ];
        let batch = Action::Batch {
            actor: "ann".into(),
            actions: actions.clone(),
        };
        for action in actions.iter().chain([&batch]) {
            let text = serde_json::to_string(action).expect("written");
            assert_eq!(read(&text).as_ref(), Ok(action), "{text}");
        }
        let covered: Vec<ActionType> = actions
            .iter()
            .chain([&batch])
            .map(Action::action_type)
            .collect();
        assert_eq!(covered, ActionType::ALL);
    }

    #[test]
    fn defaults_and_unknown_fields() {
        let owner =
            read(r#"{"type":"set_owner","actor":"a","resource":"P","principal":"b","note":1}"#);
        assert!(matches!(owner, Ok(Action::SetOwner { leave: false, .. })));
        let invite = read(r#"{"type":"request_transfer","actor":"a","resource":"P","to":"b@x"}"#);
        assert!(matches!(
            invite,
            Ok(Action::RequestTransfer { message: None, .. })
        ));
    }

    #[test]
    fn malformed_actions_say_what_is_wrong() {
        let says = |json: &str, part: &str| {
            let message = read(json).expect_err(json);
            assert!(message.contains(part), "{json}: {message}");
        };
        says(r#"{"actor":"a"}"#, "missing field `type`");
        says(r#"{"type":"shar","actor":"a"}"#, "unknown variant `shar`");
        says(
            r#"{"type":"share","actor":"a","resource":"P"}"#,
            "missing field `principal`",
        );
        says(
            r#"{"type":"leave","resource":"P"}"#,
            "missing field `actor`",
        );
        says(
            r#"{"type":"leave","actor":5,"resource":"P"}"#,
            "invalid type: integer `5`",
        );
        says(
            r#"{"type":"share","actor":"a","resource":"P","principal":"b","access":7}"#,
            "expected an access level",
        );
        says(
            r#"{"type":"share","actor":"a","resource":"P","principal":"b","access":{"permissions":[]}}"#,
            "missing field `level`",
        );
        says(
            r#"{"type":"batch","actor":"a","actions":[{"type":"leave","actor":"a"}]}"#,
            "missing field `resource`",
        );
        says("[1,2]", "invalid type");
    }
}
