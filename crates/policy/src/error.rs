//! Errors are values: a stable code from the specification plus a readable
//! message (lowercase, ids in backticks). Callers branch on the code; people
//! read the message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable error codes. The order of the variants is the order of
/// precedence groups in the specification: unknown ids, then what the
/// profile or kind supports, then who may act, then the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The world breaks a structural rule (dangling id, group cycle, ...).
    InvalidWorld,
    /// The action is not well-formed JSON of a known action type, or a field
    /// such as an email address is malformed.
    InvalidAction,
    UnknownPrincipal,
    UnknownResource,
    UnknownTransfer,
    NotSupported,
    OwnerMustBeUserOrServiceAccount,
    InvalidAccess,
    NotPermitted,
    NotRecipient,
    Escalation,
    TransferPending,
    TransferNotPending,
    AlreadyOwner,
    OwnerCannotLeave,
    NoGrant,
    AlreadyMember,
    NotMember,
    GroupCycle,
    /// The flat list of changes is too long to hand out whole; ask for a
    /// summary or for pages instead.
    PreviewTooLarge,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidWorld => "invalid_world",
            ErrorCode::InvalidAction => "invalid_action",
            ErrorCode::UnknownPrincipal => "unknown_principal",
            ErrorCode::UnknownResource => "unknown_resource",
            ErrorCode::UnknownTransfer => "unknown_transfer",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::OwnerMustBeUserOrServiceAccount => "owner_must_be_user_or_service_account",
            ErrorCode::InvalidAccess => "invalid_access",
            ErrorCode::NotPermitted => "not_permitted",
            ErrorCode::NotRecipient => "not_recipient",
            ErrorCode::Escalation => "escalation",
            ErrorCode::TransferPending => "transfer_pending",
            ErrorCode::TransferNotPending => "transfer_not_pending",
            ErrorCode::AlreadyOwner => "already_owner",
            ErrorCode::OwnerCannotLeave => "owner_cannot_leave",
            ErrorCode::NoGrant => "no_grant",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::NotMember => "not_member",
            ErrorCode::GroupCycle => "group_cycle",
            ErrorCode::PreviewTooLarge => "preview_too_large",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected world or action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PolicyError {
    pub code: ErrorCode,
    pub message: String,
}

impl PolicyError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> PolicyError {
        PolicyError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Shorthand for building an error in the checks.
pub(crate) fn fail<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError::new(code, message))
}
