//! `cargo xtask package`: builds the `@custody/policy` npm package from
//! `crates/wasm` into `crates/wasm/npm/dist/` (git-ignored; the folder's
//! `package.json` and README are the committed sources).
//!
//! One release build of the wasm, then wasm-bindgen once per target: `web`
//! (an ES module loaded with `init()`), `bundler` (for webpack, Vite, ...)
//! and `node` (CommonJS), each shrunk with wasm-opt. Prints the size of the
//! wasm, raw and gzipped, since that is what a web app pays to load it.

use std::path::Path;

use crate::Result;
use crate::env::Env;

/// wasm-bindgen's `--target` and the folder under `dist/` for each build.
const TARGETS: [(&str, &str); 3] = [("web", "web"), ("bundler", "bundler"), ("nodejs", "node")];

/// The file name every build shares: `custody_policy.js`, `.d.ts`, `_bg.wasm`.
const OUT_NAME: &str = "custody_policy";

pub fn package(env: &Env) -> Result {
    env.run(env.cargo().args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "custody-wasm",
    ]))?;
    let built = env
        .target_dir()
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("custody_wasm.wasm");
    let dist = env
        .root
        .join("crates")
        .join("wasm")
        .join("npm")
        .join("dist");
    for (target, folder) in TARGETS {
        let out = dist.join(folder);
        env.run(
            env.command("wasm-bindgen")
                .args(["--target", target, "--out-name", OUT_NAME, "--out-dir"])
                .arg(&out)
                .arg(&built),
        )?;
        let wasm = out.join(format!("{OUT_NAME}_bg.wasm"));
        env.run(
            env.command(env.wasm_opt())
                .arg("-Oz")
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }
    let wasm = dist.join("web").join(format!("{OUT_NAME}_bg.wasm"));
    report_size(&wasm)
}

/// Prints the wasm's size, raw and gzipped (level 9, as a server would send it).
fn report_size(wasm: &Path) -> Result {
    let raw = std::fs::metadata(wasm)
        .map_err(|e| format!("cannot read {}: {e}", wasm.display()))?
        .len();
    let gzipped = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(wasm)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| o.stdout.len());
    match gzipped {
        Some(gz) => println!(
            "package wasm: {raw} bytes, {gz} bytes gzipped ({})",
            wasm.display()
        ),
        None => {
            println!("package wasm: {raw} bytes (gzip not found to measure the compressed size)")
        }
    }
    Ok(())
}
