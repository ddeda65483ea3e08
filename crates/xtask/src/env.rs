//! Where things are, and how child processes are started.
//!
//! Every child process runs from the workspace root with a `PATH` that puts
//! `$CARGO_HOME/bin` (where `cargo install` puts Trunk and wasm-bindgen) and
//! `.tools/binaryen/node_modules/.bin` (where npm puts wasm-opt) first. So the
//! tools installed by `setup` are found even in a shell that never sourced
//! `~/.cargo/env`, and the npm wasm-opt wins over an older system one (Debian's
//! wasm-opt 108 cannot read what current rustc emits).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// The workspace and the tool locations derived from it.
pub struct Env {
    /// The workspace root (the directory holding `Cargo.lock`).
    pub root: PathBuf,
    /// The cargo that runs this xtask, so children use the same toolchain.
    pub cargo: OsString,
    /// Where wasm-opt is installed from npm: `.tools/binaryen` (git-ignored).
    pub binaryen_dir: PathBuf,
    /// `PATH` for child processes, with the tool directories first.
    path: OsString,
}

impl Env {
    pub fn detect() -> Result<Env> {
        // crates/xtask -> workspace root, so the commands work from any
        // directory of the checkout. `cargo run` sets CARGO_MANIFEST_DIR; the
        // compile-time value covers running the binary directly.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        let root = manifest_dir
            .parent()
            .and_then(Path::parent)
            .ok_or_else(|| {
                format!(
                    "cannot find the workspace root above `{}`",
                    manifest_dir.display()
                )
            })?
            .to_path_buf();

        let cargo_home = match std::env::var_os("CARGO_HOME") {
            Some(home) if !home.is_empty() => PathBuf::from(home),
            _ => std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cargo"))
                .ok_or(
                    "neither CARGO_HOME nor HOME is set; cannot tell where cargo installs tools",
                )?,
        };
        let binaryen_dir = root.join(".tools").join("binaryen");

        let mut dirs = vec![
            cargo_home.join("bin"),
            binaryen_dir.join("node_modules").join(".bin"),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs)
            .map_err(|e| format!("cannot build PATH for child processes: {e}"))?;

        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        Ok(Env {
            root,
            cargo,
            binaryen_dir,
            path,
        })
    }

    /// A command that runs from the workspace root with the tool `PATH`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// A `cargo` command (the same cargo that runs this xtask).
    pub fn cargo(&self) -> Command {
        self.command(&self.cargo)
    }

    /// Runs a command with inherited output; an error unless it exits with 0.
    pub fn run(&self, command: &mut Command) -> Result {
        let shown = show(command);
        println!("  $ {shown}");
        let status = command
            .status()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{shown}` failed ({status})"))
        }
    }

    /// Runs a test command like `run`, and counts the tests it reports.
    pub fn run_tests(&self, command: &mut Command) -> Result<crate::tally::Tally> {
        let shown = show(command);
        println!("  $ {shown}");
        crate::tally::run_counting(command, &shown)
    }

    /// The trimmed stdout of `program args`, or `None` when it is missing or
    /// fails: used to ask a tool for its version before deciding to install it.
    pub fn probe(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
        let output = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Where cargo puts build output: `CARGO_TARGET_DIR`, or `target/`.
    pub fn target_dir(&self) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => self.root.join(dir),
            _ => self.root.join("target"),
        }
    }

    /// The wasm-opt that `setup` installs with npm.
    pub fn wasm_opt(&self) -> PathBuf {
        self.binaryen_dir
            .join("node_modules")
            .join(".bin")
            .join("wasm-opt")
    }
}

/// A command as a person would type it (program and arguments, no env).
fn show(command: &Command) -> String {
    let program = Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program())
        .to_string_lossy()
        .into_owned();
    std::iter::once(program)
        .chain(
            command
                .get_args()
                .map(|arg| arg.to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ")
}
