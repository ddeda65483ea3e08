//! Embeds the specification's scenario files into the browser tests
//! (`tests/browser.rs`), which cannot read files at run time. Writes
//! `$OUT_DIR/spec_scenarios.rs` with one `(file name, text)` pair per file
//! (the top folder's, then `groups/`);
//! the list is empty when the specification folder is absent.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let spec = Path::new(&manifest).join("../../../shared/spec/scenarios");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [spec.clone(), spec.join("groups")] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        files.extend(found);
    }
    let mut out = String::from(
        "/// The specification's scenarios: (file name, JSON text).\npub const SPEC_SCENARIOS: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let path = f.canonicalize().unwrap_or_else(|_| f.clone());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("spec_scenarios.rs");
    if let Err(e) = std::fs::write(&target, out) {
        println!("cargo:warning=cannot write {}: {e}", target.display());
    }
}
