//! # custody-api
//!
//! The request and response bodies of Custody's HTTP API, written once and
//! shared by the server (`custody-server`) and the web app (`custody-web`),
//! so that no JSON shape is written by hand twice. Plain serde types; the
//! crate compiles for `wasm32-unknown-unknown`. The world, actions, access
//! levels, reasons and preview types are custody-policy's own: the browser
//! previews with the very types the server stores.
//!
//! Conventions:
//! - Every error is an [`ErrorBody`] `{code, message}`; the codes are the
//!   policy's (`not_permitted`, `escalation`, ...) plus the HTTP layer's own
//!   (`unauthenticated`, `session_expired`, `csrf`, `invalid_request`,
//!   `not_found`, `stale_preview`, ...).
//! - Timestamps are milliseconds since the Unix epoch (UTC).
//! - Requests refuse unknown fields, so a typo is an error, not a silent no-op.
//! - State-changing requests carry the header [`CSRF_HEADER`].

use custody_policy::{
    Access, Action, Holder, PrincipalKind, Profile, ResourceKind, TransferStatus, Warning, World,
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The header that every state-changing request carries: the session's CSRF
/// token (from [`SignedIn`] or [`Me`]). Sign-in, which has no session yet,
/// needs the header too, with any value: a cross-site form cannot send it.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "custody_session";

/// Every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// A stable code to branch on.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

/// `GET /api/config`: what the deployment offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Config {
    /// `basespace` (transfer by invitation) or `direct` (set as owner).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "basespace"))]
    pub profile: Profile,
    /// The server's version.
    pub version: String,
}

/// `POST /api/session`: sign in with an email address (or an account id,
/// for service accounts) and a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub login: String,
    pub password: String,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: PrincipalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub data_owner: bool,
    /// The value of the [`CSRF_HEADER`] for this session.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: i64,
}

/// A principal found by the type-ahead (`GET /api/principals?q=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrincipalHit {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: PrincipalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// For a group: how many direct members it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
}

/// One resource as a list shows it, with the viewer's effective access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResourceItem {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: ResourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub owner: String,
    /// The owner's name, or their id.
    pub owner_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The viewer's effective access, from custody-policy.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub access: Access,
    /// The pending transfer of this resource, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_transfer: Option<String>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResourcePage {
    pub items: Vec<ResourceItem>,
    /// How many match, all pages together.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

/// How many associated resources of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KindTotal {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: ResourceKind,
    pub count: u64,
}

/// `GET /api/resources/{id}`: one resource, what it belongs to, and how
/// much it holds (list them with `GET /api/resources?within={id}&kind=...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResourceDetail {
    pub resource: ResourceItem,
    /// The projects it is associated with (those the viewer can see).
    pub projects: Vec<ResourceItem>,
    /// For a file: its run or dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ResourceItem>,
    /// What it holds that the viewer can see, counted by kind: associated
    /// resources of a project, files of a run or dataset, biosamples of a run.
    pub contents: Vec<KindTotal>,
    /// Whether the viewer may share it (else the dialog is read-only,
    /// "View collaborators").
    pub can_share: bool,
}

/// `GET /api/resources/{id}/access`: who has access, with reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WhoHasAccess {
    pub resource: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub holders: Vec<Holder>,
}

/// `GET /api/resources/{id}/context`: the slice of the world that the
/// policy needs to preview any action on the resource, in the
/// specification's World JSON. For people who can read the resource, and
/// for the recipient of its pending transfer (the invitation's preview). A preview computed on it equals the preview
/// on the whole database, change for change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessContext {
    pub resource: String,
    /// The signed-in person, who will be the actions' actor.
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub world: World,
    /// A fingerprint of this slice; sent back with an action for the record.
    pub version: String,
    /// Whether the viewer may share (else "View collaborators", read-only).
    pub can_share: bool,
}

/// `POST /api/actions`: confirm an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The action in the specification's JSON; its actor is the signed-in
    /// person.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub action: Action,
    /// The context version the preview was computed on.
    pub version: String,
    /// `Preview::digest()` of the preview the person saw.
    pub digest: String,
    /// Chosen by the client, fresh for each confirmation; a retry with the
    /// same key returns the first answer and applies nothing twice.
    pub idempotency_key: String,
}

/// The answer to an applied action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActionApplied {
    /// The audit record's number.
    pub audit_id: i64,
    pub digest: String,
    /// How many (person, resource) pairs changed access (for a transfer
    /// request: will change on acceptance).
    pub changes: u64,
    /// The preview's warnings.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub warnings: Vec<Warning>,
    /// The transfer a `request_transfer` created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
}

/// 409: the preview changed since the person saw it; here is the new
/// context to preview again on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StalePreview {
    /// `stale_preview`.
    pub code: String,
    pub message: String,
    /// The digest of the preview on the current data.
    pub digest: String,
    pub context: AccessContext,
}

/// One group as the groups page lists it (`GET /api/groups`), seen by the
/// signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupItem {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many direct members it has (people, service accounts, groups).
    pub members: u64,
    /// How many people (users and service accounts) it reaches, through
    /// nested groups too: who a grant to this group gives access to.
    pub people: u64,
    /// Whether the viewer is on its own admins list (being an admin is not
    /// inherited through nesting), so may add and remove members.
    pub admin: bool,
    /// Whether the viewer is a member, directly or through nested groups.
    pub member: bool,
}

/// `GET /api/groups`: the groups the signed-in person administers or
/// belongs to (directly or through nesting), sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupList {
    pub items: Vec<GroupItem>,
}

/// `GET /api/groups/{id}`: one group, its direct members and its admins.
/// Visible to its members (direct or nested) and its admins; anyone else
/// gets 404, exactly like a missing id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupDetail {
    pub group: GroupItem,
    /// Direct members, sorted by id (a nested group counts once, with its
    /// own `members` count).
    pub members: Vec<PrincipalHit>,
    /// The group's own admins, sorted by id.
    pub admins: Vec<PrincipalHit>,
    /// Whether the viewer may add and remove members (is an admin). A
    /// member who is not an admin may still remove themself (leave).
    pub can_manage: bool,
}

/// `GET /api/groups/{id}/context?principals=a,b`: the slice of the world
/// that the policy needs to preview any membership change of the group
/// (adding or removing any of `principals`, the group's members, and the
/// actor leaving): the groups that enclose it, every resource granted to it
/// or to an enclosing group with what those resources' access depends on,
/// its members and admins, and the named principals with their members. A
/// preview computed on it equals the preview on the whole database, change
/// for change. Same visibility as [`GroupDetail`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupContext {
    pub group: String,
    /// The signed-in person, who will be the actions' actor.
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub world: World,
    /// A fingerprint of this slice; sent back with an action for the record.
    pub version: String,
    /// Whether the viewer may add and remove members (is an admin).
    pub can_manage: bool,
}

/// 409 for an action that names no resource (`add_member`,
/// `remove_member`, or a batch of only those): the preview changed since
/// the person saw it; here is the group's new context to preview again on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaleGroupPreview {
    /// `stale_preview`.
    pub code: String,
    pub message: String,
    /// The digest of the preview on the current data.
    pub digest: String,
    pub context: GroupContext,
}

/// A transfer as the inbox, the outbox and the history show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TransferItem {
    pub id: String,
    pub resource: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub resource_kind: ResourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    pub from: String,
    pub from_name: String,
    /// The recipient's email address.
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: TransferStatus,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TransferList {
    pub items: Vec<TransferItem>,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    TransferOffered,
    TransferAccepted,
    TransferDeclined,
    TransferCanceled,
    ShareReceived,
    ShareRemoved,
    OwnershipReceived,
    /// The person was added to a group (`Notification::group`).
    AddedToGroup,
    /// The person was removed from a group, or left it.
    RemovedFromGroup,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::TransferOffered => "transfer_offered",
            NotificationKind::TransferAccepted => "transfer_accepted",
            NotificationKind::TransferDeclined => "transfer_declined",
            NotificationKind::TransferCanceled => "transfer_canceled",
            NotificationKind::ShareReceived => "share_received",
            NotificationKind::ShareRemoved => "share_removed",
            NotificationKind::OwnershipReceived => "ownership_received",
            NotificationKind::AddedToGroup => "added_to_group",
            NotificationKind::RemovedFromGroup => "removed_from_group",
        }
    }

    pub fn parse(text: &str) -> Option<NotificationKind> {
        [
            NotificationKind::TransferOffered,
            NotificationKind::TransferAccepted,
            NotificationKind::TransferDeclined,
            NotificationKind::TransferCanceled,
            NotificationKind::ShareReceived,
            NotificationKind::ShareRemoved,
            NotificationKind::OwnershipReceived,
            NotificationKind::AddedToGroup,
            NotificationKind::RemovedFromGroup,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One notification. Also the `data` of each server-sent event of
/// `GET /api/notifications/stream` (event name `notification`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// Who caused it.
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
    /// For `added_to_group` and `removed_from_group`: the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A sentence for people.
    pub text: String,
    pub created_at: i64,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub unread: u64,
}

/// `POST /api/notifications/read`: mark some (or, with no ids, all) read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Vec<i64>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn requests_refuse_unknown_fields() {
        let text = r#"{"login":"a","password":"b","admin":true}"#;
        assert!(serde_json::from_str::<SignIn>(text).is_err());
    }

    #[test]
    fn an_action_request_reads_the_spec_action() {
        let text = r#"{"action":{"type":"share","actor":"alice","resource":"P1","principal":"bob","access":"read"},
            "version":"v","digest":"d","idempotency_key":"k"}"#;
        let request: ActionRequest = serde_json::from_str(text).unwrap();
        assert_eq!(request.action.actor(), "alice");
    }

    #[test]
    fn notification_kinds_round_trip() {
        let kind = NotificationKind::parse("share_removed").unwrap();
        assert_eq!(serde_json::to_string(&kind).unwrap(), "\"share_removed\"");
        let kind = NotificationKind::parse("added_to_group").unwrap();
        assert_eq!(kind, NotificationKind::AddedToGroup);
        assert_eq!(
            NotificationKind::RemovedFromGroup.as_str(),
            "removed_from_group"
        );
    }
}
