//! `cargo xtask test | run`: the project's commands, run after setup.

use std::time::Instant;

use crate::Result;
use crate::env::Env;
use crate::tally::Tally;
use crate::tools::CHROMEDRIVER;

/// Every test, in order, stopping at the first failure:
///
/// 1. native: unit, integration, scenario and property tests of every crate
///    (the web app's reducers and wording included), the server's on SQLite
///    and on PostgreSQL (started first when it is down); not the end-to-end
///    suite, which needs the built app (step 5);
/// 2. the policy crate compiled to wasm and run in headless Chromium, proving
///    the browser computes what the server does, and the web app's component
///    tests (its dialogs rendered, driven with the keyboard);
/// 3. the npm package, built, then tested as a JavaScript app uses it
///    (every scenario through the package in Node, the Engine, errors as
///    values, and the TypeScript types under `tsc --strict`);
/// 4. the release build of the web app, proving the wasm build chain
///    (cargo, wasm-bindgen, wasm-opt) end to end;
/// 5. end to end: the real `custody serve` on fresh SQLite databases with
///    the demo data, serving that build, driven in headless Chromium
///    (`tests/e2e`; screenshots under `<target>/e2e-screenshots/`);
/// 6. the benchmarks' smoke run (`cargo xtask bench --smoke`), so that no
///    runner rots; it asserts no timing.
pub fn test(env: &Env) -> Result {
    let total = Instant::now();
    let mut tally = Tally::default();
    timed(
        "native tests (the server's on SQLite and PostgreSQL)",
        || {
            crate::postgres::ensure(env)?;
            let mut command = env.cargo();
            command.args(["test", "--workspace", "--exclude", "custody-e2e"]);
            if std::env::var_os("CUSTODY_TEST_PG").is_none() {
                command.env("CUSTODY_TEST_PG", crate::postgres::URL);
            }
            env.run_tests(&mut command).map(|t| tally.add(t))
        },
    )?;
    timed("browser tests (wasm32, headless Chromium)", || {
        env.run_tests(
            env.cargo()
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "custody-policy",
                    "-p",
                    "custody-wasm",
                    "-p",
                    "custody-web",
                ])
                // The runner finds the driver here; the Chromium flags come from
                // webdriver.json (see .cargo/config.toml).
                .env("CHROMEDRIVER", CHROMEDRIVER)
                // Seconds for the whole suite in the browser; the default 20 is
                // short for property tests in a debug build.
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        )
        .map(|t| tally.add(t))
    })?;
    timed(
        "npm package and its JavaScript consumer tests (node)",
        || {
            crate::package::package(env)?;
            let consumer = js_consumer(env)?;
            env.run_tests(
                env.command("node")
                    .current_dir(&consumer)
                    .args(["--test", "--test-reporter=tap"]),
            )
            .map(|t| tally.add(t))
        },
    )?;
    timed("web app release build (trunk)", || {
        env.run(env.command("trunk").args(["build", "--release"]))
    })?;
    timed(
        "end-to-end tests (custody serve + the built app in headless Chromium)",
        || {
            // The test binary finds `custody` next to itself (target/debug).
            env.run(
                env.cargo()
                    .args(["build", "-p", "custody-server", "--bin", "custody"]),
            )?;
            env.run_tests(
                env.cargo()
                    .args(["test", "-p", "custody-e2e", "--", "--test-threads=1"])
                    .env("CHROMEDRIVER", CHROMEDRIVER),
            )
            .map(|t| tally.add(t))
        },
    )?;
    timed(
        "benchmarks, smoke run (S worlds, a few iterations; no timing asserted)",
        || crate::bench::run(env, &["--smoke".to_string()]),
    )?;
    println!("all tests passed in {:.1}s", total.elapsed().as_secs_f64());
    // The closing line: every test counted, across runners.
    println!("tests: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// Builds the web app, creates the SQLite database with the demo on first
/// start (`./data/custody.db`), and serves both with `custody serve`.
/// `DATABASE_URL` and `CUSTODY_PROFILE` pass through to the server.
pub fn run(env: &Env) -> Result {
    env.run(env.command("trunk").args(["build", "--release"]))?;
    env.run(env.cargo().args([
        "build",
        "--release",
        "-p",
        "custody-server",
        "--bin",
        "custody",
    ]))?;
    let custody = env.target_dir().join("release").join("custody");
    env.run(env.command(&custody).args(["seed", "demo", "--if-empty"]))?;
    println!("serving Custody at http://127.0.0.1:8080/ (Ctrl-C to stop)");
    env.run(
        env.command(&custody)
            .args(["serve", "--bind", "127.0.0.1:8080", "--dist", "dist"]),
    )
}

/// `tests/js`, the package's JavaScript consumer, with its npm dependencies
/// installed (the package itself by `file:`, so it sees the fresh build).
pub fn js_consumer(env: &Env) -> Result<std::path::PathBuf> {
    let consumer = env.root.join("tests").join("js");
    env.run(env.command("npm").current_dir(&consumer).args([
        "install",
        "--no-audit",
        "--no-fund",
    ]))?;
    Ok(consumer)
}

/// Runs one step, printing its name first and how long it took after.
fn timed(name: &str, step: impl FnOnce() -> Result) -> Result {
    println!("==> {name}");
    let start = Instant::now();
    let result = step();
    let seconds = start.elapsed().as_secs_f64();
    match &result {
        Ok(()) => println!("<== {name}: ok in {seconds:.1}s"),
        Err(_) => println!("<== {name}: FAILED after {seconds:.1}s"),
    }
    result
}
