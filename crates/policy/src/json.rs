//! JSON twins of the answers in `api.rs`: text in, text out, never a panic.
//! Each takes the world and the action as JSON text and returns the answer
//! as JSON text; a world that cannot be read is `invalid_world`, an action
//! that cannot be read is `invalid_action`.

use crate::action::Action;
use crate::api;
use crate::engine::Engine;
use crate::error::{ErrorCode, PolicyError};
use crate::model::World;
use serde::Serialize;

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

/// Indexes the world, reads the action and answers; any failure on the way
/// becomes the answer.
fn answer<A: Serialize + From<PolicyError>>(
    world: &str,
    action: Option<&str>,
    ask: impl FnOnce(&Engine, Option<&Action>) -> A,
) -> String {
    let result = parse_world(world).and_then(Engine::new).and_then(|engine| {
        let action = action.map(parse_action).transpose()?;
        Ok(ask(&engine, action.as_ref()))
    });
    to_json(&result.unwrap_or_else(A::from))
}

pub fn preview_json(world: &str, action: &str) -> String {
    answer(world, Some(action), |e, a| match a {
        Some(a) => api::preview(e, a),
        None => missing_action().into(),
    })
}

pub fn summary_json(world: &str, action: &str) -> String {
    answer(world, Some(action), |e, a| match a {
        Some(a) => api::summary(e, a),
        None => missing_action().into(),
    })
}

pub fn page_json(world: &str, action: &str, offset: u64, limit: usize) -> String {
    answer(world, Some(action), |e, a| match a {
        Some(a) => api::page(e, a, offset, limit),
        None => missing_action().into(),
    })
}

pub fn apply_json(world: &str, action: &str) -> String {
    answer(world, Some(action), |e, a| match a {
        Some(a) => api::apply(e, a),
        None => missing_action().into(),
    })
}

pub fn who_has_access_json(world: &str, resource: &str) -> String {
    answer(world, None, |e, _| api::who_has_access(e, resource))
}

pub fn effective_access_json(world: &str, person: &str, resource: &str) -> String {
    answer(world, None, |e, _| {
        api::effective_access(e, person, resource)
    })
}

pub fn validate_world_json(world: &str) -> String {
    let result = parse_world(world).map(api::validate);
    to_json(&result.unwrap_or_else(api::ValidationResult::from))
}

fn missing_action() -> PolicyError {
    PolicyError::new(ErrorCode::InvalidAction, "no action was given")
}

/// Serialises an answer. Our types always serialise; the fallback keeps
/// the promise of never panicking all the same.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        format!(
            r#"{{"error":"invalid_action","message":"cannot write the answer: {}"}}"#,
            e.to_string().replace('"', "'")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORLD: &str = r#"{"profile":"basespace","principals":[
        {"id":"alice","kind":"user","email":"alice@lab.example"},
        {"id":"bob","kind":"user","email":"bob@lab.example"}],
        "resources":[{"id":"P1","kind":"project","owner":"alice"},
        {"id":"D1","kind":"dataset","owner":"alice","projects":["P1"]}]}"#;
    const SHARE: &str =
        r#"{"type":"share","actor":"alice","resource":"P1","principal":"bob","access":"read"}"#;

    fn value(text: String) -> serde_json::Value {
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn every_twin_answers_a_value() {
        assert_eq!(
            value(preview_json(WORLD, SHARE))["changes"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let summary = value(summary_json(WORLD, SHARE));
        assert_eq!(summary["total"], 2);
        assert_eq!(summary["blocks"][0]["people"][0], "bob");
        assert_eq!(summary["blocks"][0]["kinds"][1]["kind"], "dataset");
        let page = value(page_json(WORLD, SHARE, 1, 10));
        assert_eq!(page["changes"][0]["resource"], "P1");
        let applied = value(apply_json(WORLD, SHARE));
        assert_eq!(applied["world"]["grants"][0]["principal"], "bob");
        let holders = value(who_has_access_json(WORLD, "D1"));
        assert_eq!(holders["holders"][0]["principal"], "alice");
        let holder = value(effective_access_json(WORLD, "bob", "D1"));
        assert_eq!(holder["holder"]["access"], "none");
        assert_eq!(value(validate_world_json(WORLD))["valid"], true);
    }

    #[test]
    fn every_twin_answers_errors_as_values() {
        assert_eq!(value(preview_json("[", SHARE))["error"], "invalid_world");
        assert_eq!(value(apply_json(WORLD, "{}"))["error"], "invalid_action");
        assert_eq!(
            value(who_has_access_json(WORLD, "nope"))["error"],
            "unknown_resource"
        );
        assert_eq!(
            value(effective_access_json(WORLD, "zed", "P1"))["error"],
            "unknown_principal"
        );
        let dangling = WORLD.replace(
            r#""owner":"alice","projects""#,
            r#""owner":"zed","projects""#,
        );
        let invalid = value(validate_world_json(&dangling));
        assert_eq!(invalid["error"], "invalid_world");
        assert!(invalid["message"].as_str().unwrap().contains("`zed`"));
    }
}
