//! The specification's scenario files: a world, an action and the exact
//! expected outcome. Every layer (Rust, wasm in a browser, the server) runs
//! the same files; this module reads one and says how the outcome differs.
//! Reading the files from disk is left to the caller.

use crate::access::Access;
use crate::action::Action;
use crate::engine;
use crate::error::{ErrorCode, PolicyError};
use crate::model::World;
use crate::preview::PreviewResult;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One scenario file. The world and action stay raw JSON so that a
/// malformed one is part of what the scenario tests.
#[derive(Debug, Clone, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub source: Option<String>,
    pub world: serde_json::Value,
    pub action: serde_json::Value,
    pub expect: Expect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    Error {
        error: String,
    },
    Changes {
        changes: Vec<ExpectedChange>,
        #[serde(default)]
        warnings: Vec<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedChange {
    pub principal: String,
    pub resource: String,
    pub before: Access,
    pub after: Access,
}

impl Scenario {
    pub fn parse(json: &str) -> Result<Scenario, String> {
        serde_json::from_str(json).map_err(|e| format!("not a scenario: {e}"))
    }

    /// Runs the scenario through `preview`.
    pub fn run(&self) -> PreviewResult {
        let world: Result<World, PolicyError> = serde_json::from_value(self.world.clone())
            .map_err(|e| PolicyError::new(ErrorCode::InvalidWorld, e.to_string()));
        let action: Result<Action, PolicyError> = serde_json::from_value(self.action.clone())
            .map_err(|e| PolicyError::new(ErrorCode::InvalidAction, e.to_string()));
        match (world, action) {
            (Ok(world), Ok(action)) => engine::preview(&world, &action),
            (Err(e), _) | (_, Err(e)) => e.into(),
        }
    }

    /// Runs the scenario and lists every way the outcome differs from what
    /// it expects (empty when it passes).
    pub fn check(&self) -> Vec<String> {
        compare(&self.expect, &self.run())
    }
}

/// The differences between an expected and an actual outcome: a wrong
/// error, missing, extra and differing rows, rows out of order, and
/// missing warnings (extra warnings are allowed).
pub fn compare(expect: &Expect, actual: &PreviewResult) -> Vec<String> {
    let mut out = Vec::new();
    match (expect, actual) {
        (
            Expect::Error { error },
            PreviewResult::Rejected {
                error: got,
                message,
            },
        ) => {
            if error != got.as_str() {
                out.push(format!("expected error `{error}`, got `{got}` ({message})"));
            }
        }
        (Expect::Error { error }, PreviewResult::Changes { changes, .. }) => {
            out.push(format!(
                "expected error `{error}`, got {} changes",
                changes.len()
            ));
        }
        (Expect::Changes { .. }, PreviewResult::Rejected { error, message }) => {
            out.push(format!("expected changes, got error `{error}` ({message})"));
        }
        (
            Expect::Changes { changes, warnings },
            PreviewResult::Changes {
                changes: got,
                warnings: got_warnings,
                ..
            },
        ) => {
            let want: BTreeMap<(&str, &str), (Access, Access)> = changes
                .iter()
                .map(|c| {
                    (
                        (c.principal.as_str(), c.resource.as_str()),
                        (c.before, c.after),
                    )
                })
                .collect();
            let have: BTreeMap<(&str, &str), (Access, Access)> = got
                .iter()
                .map(|c| {
                    (
                        (c.principal.as_str(), c.resource.as_str()),
                        (c.before, c.after),
                    )
                })
                .collect();
            for (key, (before, after)) in &want {
                match have.get(key) {
                    None => out.push(format!("missing: {} {} {before} -> {after}", key.0, key.1)),
                    Some(h) if h != &(*before, *after) => out.push(format!(
                        "differs: {} {} expected {before} -> {after}, got {} -> {}",
                        key.0, key.1, h.0, h.1
                    )),
                    Some(_) => {}
                }
            }
            for (key, (before, after)) in &have {
                if !want.contains_key(key) {
                    out.push(format!("extra: {} {} {before} -> {after}", key.0, key.1));
                }
            }
            if have.len() != got.len() {
                out.push("a (principal, resource) pair appears twice".to_string());
            }
            let in_order = got
                .windows(2)
                .all(|w| (&w[0].principal, &w[0].resource) < (&w[1].principal, &w[1].resource));
            if !in_order {
                out.push("changes are not sorted by principal, then resource".to_string());
            }
            for w in warnings {
                let present = got_warnings.iter().any(|g| {
                    serde_json::to_value(g)
                        .ok()
                        .as_ref()
                        .and_then(|v| v.as_str())
                        == Some(w)
                });
                if !present {
                    out.push(format!("missing warning `{w}`"));
                }
            }
        }
    }
    out
}

/// The specification's scenario files as (file name, JSON text), embedded
/// at build time by `build.rs` (empty when the specification is absent).
#[cfg(feature = "spec-scenarios")]
pub mod spec {
    include!(concat!(env!("OUT_DIR"), "/spec_scenarios.rs"));
}
