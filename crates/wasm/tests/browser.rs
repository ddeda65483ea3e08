//! The package's exported functions, called with JavaScript values in
//! headless Chromium (`wasm-bindgen-test`): every specification scenario
//! through `preview` and through a loaded `Engine`, and errors as values.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custody_policy::PreviewResult;
use custody_policy::scenario::{Scenario, compare, spec::SPEC_SCENARIOS};
use custody_wasm::{JsEngine, preview, validate_world, who_has_access};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A JavaScript value as `JSON.parse` gives it.
fn js(value: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> T {
    let text: String = js_sys::JSON::stringify(&value).unwrap().into();
    serde_json::from_str(&text).unwrap()
}

#[wasm_bindgen_test]
fn every_spec_scenario_passes_through_the_package() {
    assert!(
        SPEC_SCENARIOS.len() >= 55,
        "{} scenarios embedded",
        SPEC_SCENARIOS.len()
    );
    let mut failures = Vec::new();
    for (name, text) in SPEC_SCENARIOS {
        let scenario = Scenario::parse(text).unwrap();
        let (world, action) = (js(&scenario.world), js(&scenario.action));
        let direct: PreviewResult = from_js(preview(world.clone(), action.clone()));
        let loaded = JsEngine::load(world);
        let engine = js_sys::Reflect::get(&loaded, &"engine".into()).unwrap();
        let through_engine: PreviewResult = if engine.is_undefined() {
            from_js(loaded)
        } else {
            // Called as JavaScript calls it: the method of the Engine object.
            let method: js_sys::Function = js_sys::Reflect::get(&engine, &"preview".into())
                .unwrap()
                .dyn_into()
                .unwrap();
            from_js(method.call1(&engine, &action).unwrap())
        };
        for (how, result) in [("preview", direct), ("Engine", through_engine)] {
            let problems = compare(&scenario.expect, &result);
            if !problems.is_empty() {
                failures.push(format!("{name} ({how}): {}", problems.join("; ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test]
fn errors_come_back_as_values() {
    let answer: serde_json::Value = from_js(validate_world(JsValue::from_str("not a world")));
    assert_eq!(answer["error"], "invalid_world");
    let world = serde_json::json!({"profile": "basespace", "principals": [], "resources": []});
    let answer: serde_json::Value = from_js(who_has_access(js(&world), "P1"));
    assert_eq!(answer["error"], "unknown_resource");
    assert!(answer["message"].as_str().unwrap().contains("`P1`"));
}
