//! Runs every scenario file of the specification (`../shared/spec/scenarios`
//! and its `groups/`),
//! the project's own (`tests/scenarios`), and every folder named in
//! `CUSTODY_SCENARIOS` (colon-separated; relative to the workspace root). Prints each failure with its
//! differences and a closing `scenarios: N passed, M failed` line; fails
//! when any scenario fails or when none was found.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custody_policy::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![
        root.join("../shared/spec/scenarios"),
        root.join("../shared/spec/scenarios/groups"),
        root.join("tests/scenarios"),
    ];
    if let Ok(extra) = std::env::var("CUSTODY_SCENARIOS") {
        // Relative folders are taken from the workspace root, not from this
        // crate's folder where cargo runs the test.
        dirs.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(|s| root.join(s)),
        );
    }
    // A folder named twice runs once.
    let mut seen = Vec::new();
    dirs.retain(|d| {
        let key = d.canonicalize().unwrap_or_else(|_| d.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    dirs
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("note: no scenario folder at {}", dir.display());
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn main() -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    for dir in folders() {
        for file in files(&dir) {
            let problems = match std::fs::read_to_string(&file) {
                Ok(text) => match Scenario::parse(&text) {
                    Ok(scenario) => scenario.check(),
                    Err(e) => vec![e],
                },
                Err(e) => vec![format!("cannot read: {e}")],
            };
            if problems.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                println!("FAILED {}", file.display());
                for p in problems {
                    println!("    {p}");
                }
            }
        }
    }
    println!("scenarios: {passed} passed, {failed} failed");
    if failed > 0 || passed == 0 {
        if passed == 0 && failed == 0 {
            println!("no scenario was found");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
