//! The specification's scenarios, run by the policy crate compiled to
//! WebAssembly inside headless Chromium (`wasm-bindgen-test`). The files are
//! embedded at build time by `build.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(target_arch = "wasm32")]

use custody_policy::scenario::Scenario;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/spec_scenarios.rs"));

#[wasm_bindgen_test]
fn every_spec_scenario_passes_in_the_browser() {
    assert!(!SPEC_SCENARIOS.is_empty(), "no scenario was embedded");
    let mut failures = Vec::new();
    for (name, text) in SPEC_SCENARIOS {
        let problems = match Scenario::parse(text) {
            Ok(s) => s.check(),
            Err(e) => vec![e],
        };
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    web_sys_log(&format!(
        "scenarios: {} passed, {} failed",
        SPEC_SCENARIOS.len() - failures.len(),
        failures.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test]
fn a_large_world_previews_in_the_browser() {
    use custody_policy::generate::{Size, ids, sized};
    use custody_policy::{AccessText, Action, Engine, Profile};
    let engine = Engine::new(sized(Size::M, Profile::Basespace, 7)).expect("valid world");
    let share = Action::Share {
        actor: ids::OWNER.into(),
        resource: ids::PROJECT.into(),
        principal: ids::BIG_GROUP.into(),
        access: AccessText::Level("read".into()),
    };
    let preview = engine.preview(&share).expect("allowed");
    assert!(preview.len() > 100_000, "{}", preview.len());
    assert!(preview.blocks().len() * 1000 < preview.len() as usize);
}

fn web_sys_log(line: &str) {
    wasm_bindgen_test::console_log!("{line}");
}
