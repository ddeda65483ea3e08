//! # custody-wasm
//!
//! The `@custody/policy` npm package: Custody's policy engine for JavaScript
//! and TypeScript apps. A thin layer: it converts JavaScript values to the
//! policy crate's types and its answers back (`custody_policy::api`); no rule
//! lives here. Every answer is a value, either the result or
//! `{error, message}` with the specification's stable code, never an
//! exception. TypeScript types come from the Rust types (tsify).

use custody_policy::api::{self, Rejection};
use custody_policy::json::{parse_action, parse_world, to_json};
use custody_policy::{Action, ErrorCode, PolicyError};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `Engine.load`'s answer: a ready engine, or why the world was refused. */
export type EngineLoad = { engine: Engine } | Rejection;
"#;

// Values cross the boundary as JSON text: `JSON.stringify` and
// `JSON.parse` are native and fast, and one serde reader and writer
// (serde_json's, which `Engine.fromJson` needs anyway) serves every path.
// Converting objects field by field instead compiled a second reader and
// writer for every type, a quarter of the package's wasm.

/// A JavaScript value's JSON text; `None` for what JSON cannot hold
/// (`undefined`, a function, a BigInt, a cycle).
fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

/// Reads a value as `parse` reads its JSON text, refusing with `code`
/// what has none.
fn read<T>(
    value: &JsValue,
    code: ErrorCode,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, PolicyError>,
) -> Result<T, PolicyError> {
    match json_text(value) {
        Some(text) => parse(&text),
        None => Err(PolicyError::new(
            code,
            format!("the {what} cannot be read: it is not a JSON value"),
        )),
    }
}

fn load_world(value: &JsValue) -> Result<custody_policy::Engine, PolicyError> {
    read(value, ErrorCode::InvalidWorld, "world", parse_world).and_then(custody_policy::Engine::new)
}

fn read_action(value: &JsValue) -> Result<Action, PolicyError> {
    read(value, ErrorCode::InvalidAction, "action", parse_action)
}

/// Plain JavaScript objects, as `JSON.parse` gives. The text comes from
/// the policy crate's `to_json`, which already answers a failure to
/// serialise with `{error, message}`.
fn write<T: Serialize>(answer: &T) -> JsValue {
    js_sys::JSON::parse(&to_json(answer)).unwrap_or_else(|_| {
        rejection(
            ErrorCode::InvalidAction,
            "the answer cannot be written as JSON",
        )
    })
}

/// `{error, message}`, built without JSON for when its text cannot be read.
fn rejection(code: ErrorCode, message: &str) -> JsValue {
    let object = js_sys::Object::new();
    // Setting properties on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&object, &"error".into(), &code.as_str().into());
    let _ = js_sys::Reflect::set(&object, &"message".into(), &message.into());
    object.into()
}

/// Answers from a result, turning a failure on the way into `{error, message}`.
fn answer<A: Serialize + From<PolicyError>>(result: Result<A, PolicyError>) -> JsValue {
    write(&result.unwrap_or_else(A::from))
}

/// What `action` would change on `world`: `{changes, warnings}` or `{error, message}`.
#[wasm_bindgen(unchecked_return_type = "PreviewResult")]
pub fn preview(
    #[wasm_bindgen(unchecked_param_type = "World")] world: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
) -> JsValue {
    answer(load_world(&world).and_then(|e| Ok(api::preview(&e, &read_action(&action)?))))
}

/// The world after `action`: `{world}` or `{error, message}`.
#[wasm_bindgen(unchecked_return_type = "ApplyResult")]
pub fn apply(
    #[wasm_bindgen(unchecked_param_type = "World")] world: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
) -> JsValue {
    answer(load_world(&world).and_then(|e| Ok(api::apply(&e, &read_action(&action)?))))
}

/// Everyone with access to a resource, and why: `{holders}` or `{error, message}`.
#[wasm_bindgen(js_name = whoHasAccess, unchecked_return_type = "HoldersResult")]
pub fn who_has_access(
    #[wasm_bindgen(unchecked_param_type = "World")] world: JsValue,
    #[wasm_bindgen(js_name = "resourceId")] resource_id: &str,
) -> JsValue {
    answer(load_world(&world).map(|e| api::who_has_access(&e, resource_id)))
}

/// One person's access to one resource, and why: `{holder}` or `{error, message}`.
#[wasm_bindgen(js_name = effectiveAccess, unchecked_return_type = "HolderResult")]
pub fn effective_access(
    #[wasm_bindgen(unchecked_param_type = "World")] world: JsValue,
    #[wasm_bindgen(js_name = "personId")] person_id: &str,
    #[wasm_bindgen(js_name = "resourceId")] resource_id: &str,
) -> JsValue {
    answer(load_world(&world).map(|e| api::effective_access(&e, person_id, resource_id)))
}

/// `{valid: true}`, or `{error: "invalid_world", message}` saying what is wrong.
#[wasm_bindgen(js_name = validateWorld, unchecked_return_type = "ValidationResult")]
pub fn validate_world(#[wasm_bindgen(unchecked_param_type = "World")] world: JsValue) -> JsValue {
    answer(read(&world, ErrorCode::InvalidWorld, "world", parse_world).map(api::validate))
}

/// `{engine}` for a loaded world, or the rejection.
fn loaded(engine: Result<custody_policy::Engine, PolicyError>) -> JsValue {
    match engine {
        Ok(inner) => {
            let loaded = js_sys::Object::new();
            // Setting a property on a fresh object cannot fail.
            let _ = js_sys::Reflect::set(&loaded, &"engine".into(), &JsEngine { inner }.into());
            loaded.into()
        }
        Err(e) => write(&Rejection::from(e)),
    }
}

/// A world loaded once, for many questions: large worlds are converted and
/// indexed once instead of on every call.
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    inner: custody_policy::Engine,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// Loads a world: `{engine}`, or `{error: "invalid_world", message}`.
    #[wasm_bindgen(unchecked_return_type = "EngineLoad")]
    pub fn load(#[wasm_bindgen(unchecked_param_type = "World")] world: JsValue) -> JsValue {
        loaded(load_world(&world))
    }

    /// Loads a world from its JSON text (as the server sends it), without
    /// building JavaScript objects first: much faster for large worlds.
    #[wasm_bindgen(js_name = fromJson, unchecked_return_type = "EngineLoad")]
    pub fn from_json(text: &str) -> JsValue {
        loaded(custody_policy::Engine::from_json(text))
    }

    /// The specification's flat preview: `{changes, warnings}` or `{error, message}`.
    #[wasm_bindgen(unchecked_return_type = "PreviewResult")]
    pub fn preview(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
    ) -> JsValue {
        answer(read_action(&action).map(|a| api::preview(&self.inner, &a)))
    }

    /// The preview in block form, for dialogs: `{total, blocks, warnings}`.
    #[wasm_bindgen(unchecked_return_type = "SummaryResult")]
    pub fn summary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
    ) -> JsValue {
        answer(read_action(&action).map(|a| api::summary(&self.inner, &a)))
    }

    /// `limit` changes from `offset`, in the specification's order: `{total, changes}`.
    #[wasm_bindgen(js_name = changesPage, unchecked_return_type = "PageResult")]
    pub fn changes_page(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
        offset: f64,
        limit: u32,
    ) -> JsValue {
        let offset = if offset.is_finite() && offset > 0.0 {
            offset as u64
        } else {
            0
        };
        answer(read_action(&action).map(|a| api::page(&self.inner, &a, offset, limit as usize)))
    }

    /// The resource ids of block `block` of the summary, a page at a time.
    #[wasm_bindgen(js_name = blockResources, unchecked_return_type = "ResourcesResult")]
    pub fn block_resources(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
        block: u32,
        offset: u32,
        limit: u32,
    ) -> JsValue {
        answer(read_action(&action).map(|a| {
            api::block_resources(
                &self.inner,
                &a,
                block as usize,
                offset as usize,
                limit as usize,
            )
        }))
    }

    #[wasm_bindgen(js_name = whoHasAccess, unchecked_return_type = "HoldersResult")]
    pub fn who_has_access(
        &self,
        #[wasm_bindgen(js_name = "resourceId")] resource_id: &str,
    ) -> JsValue {
        write(&api::who_has_access(&self.inner, resource_id))
    }

    #[wasm_bindgen(js_name = effectiveAccess, unchecked_return_type = "HolderResult")]
    pub fn effective_access(
        &self,
        #[wasm_bindgen(js_name = "personId")] person_id: &str,
        #[wasm_bindgen(js_name = "resourceId")] resource_id: &str,
    ) -> JsValue {
        write(&api::effective_access(&self.inner, person_id, resource_id))
    }

    /// Applies `action` to the engine's world: `{applied: true}` or `{error, message}`
    /// (and then the world is unchanged).
    #[wasm_bindgen(unchecked_return_type = "AppliedResult")]
    pub fn apply(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
    ) -> JsValue {
        answer(read_action(&action).map(|a| api::apply_in_place(&mut self.inner, &a)))
    }

    /// The engine's current world.
    #[wasm_bindgen(unchecked_return_type = "World")]
    pub fn world(&self) -> JsValue {
        write(self.inner.world())
    }
}
