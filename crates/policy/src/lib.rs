//! # custody-policy
//!
//! Custody's access model for sequencing data: who can reach which
//! projects, runs, biosamples, libraries, pools, lab requeues, analyses,
//! datasets and files, and exactly what a share or an ownership transfer
//! changes, before it is confirmed. The browser (through WebAssembly), the
//! JavaScript package and the server all call this crate, so that what a
//! person previews is what the server applies.
//!
//! ## Design
//!
//! - `model`, `action`, `access`: the specification's JSON, as plain serde
//!   types.
//! - `index`: a world validated once and interned to numbers, with every
//!   edge indexed both ways.
//! - `eval`: the rules of effective access, in one function.
//! - `plan`: who may take an action and the `Delta` it makes (error
//!   precedence lives here).
//! - `view`: the index seen through a delta, so a preview never copies the
//!   world.
//! - `diff`: the change in block form: classes of people times classes of
//!   resources that no rule can tell apart, so sharing a 70,000-resource
//!   project with 1,000 people evaluates a few dozen pairs, not 70 million.
//! - `preview`: the blocks as the flat sorted list of the specification, as
//!   pages, or as summaries; with reasons and warnings.
//! - `digest`: a fingerprint of a preview that does not depend on how it
//!   was split into blocks, for the server to check what was confirmed.
//! - `apply`: the same delta written into a new world.
//! - `api`, `json`: every question with its answer as one value (result or
//!   `{error, message}`), and text-in, text-out twins; the wasm package is
//!   a thin layer over these.
//! - `scenario`: runs the specification's scenario files.
//! - `generate`: seeded worlds of any size for tests and benchmarks.
//!
//! Nothing here does I/O, and nothing panics on input: every rejection is a
//! `PolicyError` with a stable `ErrorCode`.

pub mod access;
pub mod action;
pub mod api;
mod apply;
mod diff;
pub mod digest;
mod engine;
pub mod error;
mod eval;
pub mod generate;
mod index;
pub mod json;
pub mod model;
mod order;
mod plan;
pub mod preview;
pub mod scenario;
mod sets;
mod view;
mod who;

pub use access::{Access, AccessText, Level, Permission, Permissions};
pub use action::{Action, ActionType};
pub use engine::{Engine, apply, effective_access, preview, validate_world, who_has_access};
pub use error::{ErrorCode, PolicyError};
pub use index::normalize_email;
pub use model::{
    Grant, Principal, PrincipalKind, Profile, Resource, ResourceKind, Role, Transfer,
    TransferStatus, World,
};
pub use preview::{
    BlockSummary, Change, Preview, PreviewResult, Reason, ReasonSource, Recipient, Warning, Why,
};
pub use who::Holder;
