//! Custody's build and test commands, run as `cargo xtask <command>` (the alias
//! lives in `.cargo/config.toml`).
//!
//! - `setup` installs what the project needs and skips what is already there:
//!   the wasm target, Trunk, the wasm-bindgen CLI matching `Cargo.lock`,
//!   wasm-opt and headless Chromium with its driver (see [`tools`]).
//! - `test` runs setup, then every test: native, in the browser, the release
//!   build of the web app, and end to end (the real server serving that build,
//!   driven in headless Chromium; see [`steps`]).
//! - `run` runs setup, builds the web app, creates `./data/custody.db` with
//!   the demo organisation on first start, and serves both with
//!   `custody serve` on <http://127.0.0.1:8080>.
//! - `package` builds the `@custody/policy` npm package (see [`package`]).
//! - `bench` runs every benchmark and writes `bench/REPORT.md` (see
//!   `bench.rs`); `bench --smoke` is the quick run CI makes.
//!
//! Why an xtask rather than a shell script: it is plain Rust, works the same on
//! every machine with a Rust toolchain, and needs nothing installed first. It
//! has no dependencies so that it compiles in seconds on a fresh clone.
//!
//! Errors are strings meant for a person: each names what failed and, where it
//! helps, what to do about it. Nothing here panics.

mod bench;
mod env;
mod package;
mod postgres;
mod steps;
mod tally;
mod tools;

use std::process::ExitCode;

/// A result whose error is a message for the person running the command.
pub type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup   install the wasm target, Trunk, wasm-bindgen CLI, wasm-opt and
          headless Chromium, each only when missing
  test    setup, then native tests, browser (wasm) tests, the web build and
          the end-to-end tests (real server, built app, headless Chromium)
  run     setup, build the web app, seed the demo database on first start
          (./data/custody.db) and serve both on http://127.0.0.1:8080
  package build the @custody/policy npm package into crates/wasm/npm/dist
  bench   every benchmark (native, the package in Node and Chromium, the
          Cedar baseline, the app in Chromium, the server under load), then
          bench/REPORT.md with its chart; `--smoke`: S worlds, a few
          iterations, the report under target/bench/ (what CI runs)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if matches!(command.as_str(), "help" | "-h" | "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match dispatch(command, rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: &str, rest: &[String]) -> Result {
    let env = env::Env::detect()?;
    let no_extra_args = || match rest.first() {
        Some(arg) => Err(format!(
            "`cargo xtask {command}` takes no arguments, got `{arg}`"
        )),
        None => Ok(()),
    };
    match command {
        "setup" => {
            no_extra_args()?;
            tools::setup(&env)
        }
        "test" => {
            no_extra_args()?;
            tools::setup(&env)?;
            steps::test(&env)
        }
        "run" => {
            no_extra_args()?;
            tools::setup(&env)?;
            steps::run(&env)
        }
        "package" => {
            no_extra_args()?;
            tools::setup(&env)?;
            package::package(&env)
        }
        "bench" => bench::run(&env, rest),
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}
