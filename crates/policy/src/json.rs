//! JSON twins of the entry points: text in, text out, never a panic. They
//! are what the wasm package and other-language callers build on, and the
//! scenario files run through them.

use crate::action::Action;
use crate::engine;
use crate::error::{ErrorCode, PolicyError};
use crate::model::World;
use crate::preview::PreviewResult;

/// Reads a world, answering `invalid_world` with serde's account of where
/// the text goes wrong.
pub fn parse_world(json: &str) -> Result<World, PolicyError> {
    serde_json::from_str(json).map_err(|e| {
        PolicyError::new(
            ErrorCode::InvalidWorld,
            format!("the world cannot be read: {e}"),
        )
    })
}

/// Reads an action, answering `invalid_action` when it is malformed.
pub fn parse_action(json: &str) -> Result<Action, PolicyError> {
    serde_json::from_str(json).map_err(|e| {
        PolicyError::new(
            ErrorCode::InvalidAction,
            format!("the action cannot be read: {e}"),
        )
    })
}

/// `preview` on JSON text; the answer is a `PreviewResult` as JSON.
pub fn preview_json(world: &str, action: &str) -> String {
    let result = match (parse_world(world), parse_action(action)) {
        (Ok(world), Ok(action)) => engine::preview(&world, &action),
        (Err(e), _) | (_, Err(e)) => e.into(),
    };
    to_json(&result)
}

/// Serialises a value of ours. These types always serialise; the fallback
/// keeps the promise of never panicking all the same.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        to_json_error(&PolicyError::new(
            ErrorCode::InvalidAction,
            format!("cannot write the answer: {e}"),
        ))
    })
}

fn to_json_error(e: &PolicyError) -> String {
    let result: PreviewResult = e.clone().into();
    serde_json::to_string(&result).unwrap_or_default()
}
