//! Every question the engine answers, with its answer as one value: the
//! result, or `{error, message}`. Callers in other languages (the wasm
//! package, JSON over HTTP) get errors as values with a stable code, never
//! as exceptions. `json.rs` gives each a text-in, text-out twin; the wasm
//! package only converts JavaScript values to these types and back.

use crate::action::Action;
use crate::engine::Engine;
use crate::error::{ErrorCode, PolicyError};
use crate::model::World;
use crate::preview::{BlockSummary, Change, PreviewResult, Recipient, Warning};
use crate::who::Holder;
use serde::{Deserialize, Serialize};

/// A rejected question: the stable code and a readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Rejection {
    pub error: ErrorCode,
    pub message: String,
}

impl From<PolicyError> for Rejection {
    fn from(e: PolicyError) -> Self {
        Rejection {
            error: e.code,
            message: e.message,
        }
    }
}

/// Answers are either what was asked for or a rejection; untagged, so a
/// caller tells them apart by the `error` field.
macro_rules! answer {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
        #[serde(untagged)]
        pub enum $name {
            Rejected(Rejection),
            Answer { $($(#[$fdoc])* $field: $ty),* },
        }

        impl From<PolicyError> for $name {
            fn from(e: PolicyError) -> Self {
                $name::Rejected(e.into())
            }
        }
    };
}

answer!(
    /// A world after an action.
    ApplyResult { world: World }
);
answer!(
    /// An engine applied an action to its world.
    AppliedResult { applied: bool }
);
answer!(
    /// Whether a world is valid.
    ValidationResult { valid: bool }
);
answer!(
    /// Everyone with access to a resource, in id order.
    HoldersResult { holders: Vec<Holder> }
);
answer!(
    /// One person's access to one resource.
    HolderResult { holder: Holder }
);
answer!(
    /// A preview in block form, for a dialog that summarises.
    SummaryResult {
        /// How many (person, resource) pairs change.
        total: u64,
        blocks: Vec<BlockSummary>,
        warnings: Vec<Warning>,
        /// Who receives a transfer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recipient: Option<Recipient>,
    }
);
answer!(
    /// A page of a preview's changes, in the specification's order.
    PageResult { total: u64, changes: Vec<Change> }
);
answer!(
    /// A page of the resource ids of one block of a summary.
    ResourcesResult { resources: Vec<String> }
);

/// The most changes `preview` lists whole. A share of a large project with a
/// large group can change tens of millions of (person, resource) pairs,
/// gigabytes as a flat list; `summary` and `page` serve those.
pub const MAX_FLAT_CHANGES: u64 = 1_000_000;

/// The specification's flat preview, up to `MAX_FLAT_CHANGES` changes.
pub fn preview(engine: &Engine, action: &Action) -> PreviewResult {
    match engine.preview(action) {
        Ok(p) if p.len() > MAX_FLAT_CHANGES => PolicyError::new(
            ErrorCode::PreviewTooLarge,
            format!(
                "this change reaches {} (person, resource) pairs, more than the {MAX_FLAT_CHANGES} a flat preview lists; ask for a summary or for pages of changes",
                p.len()
            ),
        )
        .into(),
        Ok(p) => p.result(),
        Err(e) => e.into(),
    }
}

pub fn summary(engine: &Engine, action: &Action) -> SummaryResult {
    match engine.preview(action) {
        Ok(p) => SummaryResult::Answer {
            total: p.len(),
            blocks: p.blocks(),
            warnings: p.warnings().to_vec(),
            recipient: p.recipient(),
        },
        Err(e) => e.into(),
    }
}

pub fn page(engine: &Engine, action: &Action, offset: u64, limit: usize) -> PageResult {
    match engine.preview(action) {
        Ok(p) => PageResult::Answer {
            total: p.len(),
            changes: p.changes_page(offset, limit),
        },
        Err(e) => e.into(),
    }
}

pub fn block_resources(
    engine: &Engine,
    action: &Action,
    block: usize,
    offset: usize,
    limit: usize,
) -> ResourcesResult {
    match engine.preview(action) {
        Ok(p) => ResourcesResult::Answer {
            resources: p.block_resources(block, offset, limit),
        },
        Err(e) => e.into(),
    }
}

pub fn who_has_access(engine: &Engine, resource: &str) -> HoldersResult {
    match engine.who_has_access(resource) {
        Ok(holders) => HoldersResult::Answer { holders },
        Err(e) => e.into(),
    }
}

pub fn effective_access(engine: &Engine, person: &str, resource: &str) -> HolderResult {
    match engine.effective_access(person, resource) {
        Ok(holder) => HolderResult::Answer { holder },
        Err(e) => e.into(),
    }
}

pub fn apply(engine: &Engine, action: &Action) -> ApplyResult {
    match engine.applied(action) {
        Ok(world) => ApplyResult::Answer { world },
        Err(e) => e.into(),
    }
}

/// Applies an action to the engine's own world.
pub fn apply_in_place(engine: &mut Engine, action: &Action) -> AppliedResult {
    match engine.apply(action) {
        Ok(()) => AppliedResult::Answer { applied: true },
        Err(e) => e.into(),
    }
}

pub fn validate(world: World) -> ValidationResult {
    match Engine::new(world) {
        Ok(_) => ValidationResult::Answer { valid: true },
        Err(e) => e.into(),
    }
}
