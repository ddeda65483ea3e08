//! `cargo xtask setup`: install what the build and the tests need, each step
//! only when it is missing, printing one line per step.
//!
//! Everything is checked by asking the installed tool for its version, so a
//! second run does nothing and takes about a second. Tools go where a later run
//! on the same machine finds them: `$CARGO_HOME/bin` for the cargo-installed
//! ones, `.tools/` (git-ignored) for wasm-opt.

use std::path::Path;

use crate::Result;
use crate::env::Env;

/// Trunk releases we accept. Trunk 0.22 needs a newer rustc than 1.95.
const TRUNK_SERIES: &str = "0.21.";
const TRUNK_REQ: &str = "~0.21";

/// The binaryen release whose wasm-opt reads what current rustc emits
/// (bulk memory, nontrapping float-to-int, ...). Debian's 108 does not.
const BINARYEN_VERSION: &str = "132";

const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn setup(env: &Env) -> Result {
    wasm_target(env)?;
    trunk(env)?;
    wasm_bindgen_cli(env)?;
    wasm_opt(env)?;
    chromium(env)
}

fn wasm_target(env: &Env) -> Result {
    const TARGET: &str = "wasm32-unknown-unknown";
    let installed = env
        .probe("rustup", &["target", "list", "--installed"])
        .ok_or("cannot run `rustup target list --installed`; is rustup installed and on PATH?")?;
    if installed.lines().any(|line| line.trim() == TARGET) {
        println!("ok: rust target {TARGET} present");
        return Ok(());
    }
    println!("installing: rust target {TARGET}");
    env.run(env.command("rustup").args(["target", "add", TARGET]))
}

fn trunk(env: &Env) -> Result {
    // `trunk --version` prints `trunk 0.21.14`.
    if let Some(version) = env
        .probe("trunk", &["--version"])
        .as_deref()
        .and_then(second_word)
    {
        if version.starts_with(TRUNK_SERIES) {
            println!("ok: trunk {version} present");
            return Ok(());
        }
        println!("installing: trunk {TRUNK_REQ} (found {version})");
    } else {
        println!("installing: trunk {TRUNK_REQ} (takes about 10 minutes on 2 cores)");
    }
    env.run(
        env.cargo()
            .args(["install", "trunk", "--version", TRUNK_REQ, "--locked"]),
    )
}

/// The wasm-bindgen CLI must be exactly the version of the `wasm-bindgen`
/// crate in `Cargo.lock`: the two share an unstable format, and Trunk (offline)
/// refuses any other version. Installing it also gives `wasm-bindgen-test-runner`,
/// the `cargo test` runner for the wasm target.
///
/// No `--locked`: the lock file published with wasm-bindgen-cli pins a
/// dependency version that is no longer in the registry, so a locked install
/// fails. A fresh resolution of its dependencies builds fine.
fn wasm_bindgen_cli(env: &Env) -> Result {
    let version = locked_version(&env.root.join("Cargo.lock"), "wasm-bindgen")?;
    // `wasm-bindgen --version` prints `wasm-bindgen 0.2.130`; the runner likewise.
    let found = |program: &str| {
        env.probe(program, &["--version"])
            .as_deref()
            .and_then(second_word)
            .map(str::to_owned)
    };
    let cli = found("wasm-bindgen");
    let runner = found("wasm-bindgen-test-runner");
    if cli.as_deref() == Some(version.as_str()) && runner.as_deref() == Some(version.as_str()) {
        println!("ok: wasm-bindgen-cli {version} present (matches Cargo.lock)");
        return Ok(());
    }
    match cli {
        Some(other) => println!(
            "installing: wasm-bindgen-cli {version} (found {other}; Cargo.lock wants {version})"
        ),
        None => {
            println!("installing: wasm-bindgen-cli {version} (takes about 6 minutes on 2 cores)")
        }
    }
    env.run(env.cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={version}"),
    ]))
}

fn wasm_opt(env: &Env) -> Result {
    // `wasm-opt --version` prints `wasm-opt version 132 (version_132)`.
    let wasm_opt = env.wasm_opt();
    if let Some(version) = env.probe(&wasm_opt, &["--version"]) {
        if version.split_whitespace().nth(2) == Some(BINARYEN_VERSION) {
            println!("ok: wasm-opt {BINARYEN_VERSION} present in .tools/binaryen");
            return Ok(());
        }
        println!("installing: wasm-opt {BINARYEN_VERSION} (found `{version}`)");
    } else {
        println!(
            "installing: wasm-opt {BINARYEN_VERSION} (npm package binaryen into .tools/binaryen)"
        );
    }
    if env.probe("npm", &["--version"]).is_none() {
        return Err(
            "`npm` not found: install Node.js (18 or newer) to get wasm-opt from the npm registry"
                .into(),
        );
    }
    std::fs::create_dir_all(&env.binaryen_dir)
        .map_err(|e| format!("cannot create `{}`: {e}", env.binaryen_dir.display()))?;
    env.run(
        env.command("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&env.binaryen_dir)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    // npm exits 0 even when a package's binary did not land where we expect.
    env.probe(&wasm_opt, &["--version"])
        .map(drop)
        .ok_or_else(|| {
            format!(
                "npm installed binaryen, but `{}` does not run",
                wasm_opt.display()
            )
        })
}

/// Debian's `chromium` and `chromium-driver`, which match each other. (A test
/// tool's own browser download does not work on these machines.)
fn chromium(env: &Env) -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        let version = env
            .probe(CHROMIUM, &["--version"])
            .unwrap_or_else(|| "(version unknown)".into());
        println!("ok: {version} and chromedriver present");
        return Ok(());
    }
    println!("installing: chromium and chromium-driver (apt-get)");
    // apt-get needs root; use sudo when we are not root and it is available.
    let root = env.probe("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut command = if root {
            env.command("apt-get")
        } else {
            env.command("sudo")
        };
        if !root {
            command.args(["-n", "apt-get"]);
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    if !root && env.probe("sudo", &["-n", "true"]).is_none() {
        return Err(format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing and installing them needs root: \
             run `apt-get install -y chromium chromium-driver` as root"
        ));
    }
    env.run(&mut apt(&["update"]))?;
    env.run(&mut apt(&["install", "-y", "chromium", "chromium-driver"]))?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            return Err(format!("apt-get finished but `{path}` is still missing"));
        }
    }
    Ok(())
}

/// The second word of a `name version` line.
fn second_word(text: &str) -> Option<&str> {
    text.split_whitespace().nth(1)
}

/// The version of `name` in the lock file at `path`.
fn locked_version(path: &Path, name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read `{}`: {e} (any cargo build in the workspace creates it)",
            path.display()
        )
    })?;
    version_in_lock(&lock, name).map_err(|e| format!("{e} in `{}`", path.display()))
}

/// Finds the single `[[package]]` entry called `name` in the text of a
/// `Cargo.lock` and returns its version. A few lines of string parsing keep the
/// xtask free of dependencies; the format is stable and simple:
///
/// ```toml
/// [[package]]
/// name = "wasm-bindgen"
/// version = "0.2.130"
/// ```
fn version_in_lock(lock: &str, name: &str) -> Result<String> {
    let unquote = |value: &str| value.trim().trim_matches('"').to_owned();
    let mut versions = Vec::new();
    for entry in lock.split("[[package]]").skip(1) {
        let mut entry_name = None;
        let mut entry_version = None;
        for line in entry.lines() {
            // Each entry's own keys come before its first sub-table or array.
            let line = line.trim();
            if line.starts_with('[') {
                break;
            }
            if let Some(value) = line.strip_prefix("name =") {
                entry_name = Some(unquote(value));
            } else if let Some(value) = line.strip_prefix("version =") {
                entry_version = Some(unquote(value));
            }
        }
        if entry_name.as_deref() == Some(name) {
            versions.push(entry_version.ok_or_else(|| format!("package `{name}` has no version"))?);
        }
    }
    match versions.as_slice() {
        [version] => Ok(version.clone()),
        [] => Err(format!("no package `{name}`")),
        several => Err(format!(
            "several versions of `{name}` ({}); pin one in [workspace.dependencies] so the CLI can match it",
            several.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "yew"
version = "0.23.0"
"#;

    #[test]
    fn finds_the_exact_package() {
        assert_eq!(version_in_lock(LOCK, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(version_in_lock(LOCK, "yew").unwrap(), "0.23.0");
    }

    #[test]
    fn missing_package_is_an_error() {
        assert!(
            version_in_lock(LOCK, "trunk")
                .unwrap_err()
                .contains("no package `trunk`")
        );
    }

    #[test]
    fn two_versions_are_an_error() {
        let lock = format!("{LOCK}\n[[package]]\nname = \"yew\"\nversion = \"0.21.0\"\n");
        assert!(
            version_in_lock(&lock, "yew")
                .unwrap_err()
                .contains("0.23.0, 0.21.0")
        );
    }

    #[test]
    fn reads_tool_versions() {
        assert_eq!(second_word("trunk 0.21.14"), Some("0.21.14"));
        assert_eq!(second_word("wasm-bindgen 0.2.130"), Some("0.2.130"));
        assert_eq!(second_word(""), None);
    }
}
