//! `cargo xtask bench [--smoke]`: every benchmark, then the report.
//!
//! 1. native previews, apply, who has access and loads (criterion);
//! 2. the same previews and loads through the npm package in Node and in
//!    headless Chromium, on the same generated worlds (JSON text);
//! 3. the Cedar baseline, with its check that it finds the same changes;
//! 4. the built app in headless Chromium on the real server (navigation to
//!    an interactive share dialog, edit to rendered preview, asset sizes);
//! 5. the server under load from a generator in its own process, on SQLite
//!    and on PostgreSQL;
//! 6. `custody-bench-report` writes `bench/REPORT.md` and its chart.
//!
//! `--smoke` runs each on the S worlds with a few iterations, in the debug
//! builds the tests already made where it can, and writes the report under
//! `<target>/bench/` instead: CI runs it so that no runner rots. Nothing
//! in it asserts a timing; any runner's error (a rejected change, a Cedar
//! difference, a page error) fails it.

use std::path::{Path, PathBuf};

use crate::Result;
use crate::env::Env;

const KINDS: [(&str, &str, &str); 3] = [
    ("tidy", "basespace", "tidy"),
    ("irregular", "basespace", "irregular"),
    ("irregular_direct", "direct", "irregular"),
];

/// What differs between the full run and the smoke run.
struct Plan {
    smoke: bool,
    sizes: &'static [&'static str],
    /// Iterations of the package and app runners.
    runs: &'static str,
}

impl Plan {
    /// Cargo's profile arguments for the programs that need no release
    /// build in a smoke run (the tests built them in debug already).
    fn profile(&self) -> &'static [&'static str] {
        if self.smoke { &[] } else { &["--release"] }
    }

    fn profile_dir(&self) -> &'static str {
        if self.smoke { "debug" } else { "release" }
    }
}

pub fn run(env: &Env, args: &[String]) -> Result {
    let smoke = match args {
        [] => false,
        [flag] if flag == "--smoke" => true,
        _ => return Err("`cargo xtask bench` takes only `--smoke`".to_string()),
    };
    let plan = Plan {
        smoke,
        sizes: if smoke {
            &["S"]
        } else {
            &["S", "M", "L", "XL"]
        },
        runs: if smoke { "2" } else { "10" },
    };
    crate::tools::setup(env)?;
    let dir = env.target_dir().join("bench");
    let results = dir.join("results");
    for stale in [&results, &dir.join("criterion")] {
        if stale.exists() {
            std::fs::remove_dir_all(stale)
                .map_err(|e| format!("cannot clear {}: {e}", stale.display()))?;
        }
    }
    create(&results)?;
    native(env, &plan, &dir)?;
    let inputs = worlds(env, &plan, &dir.join("inputs"))?;
    package(env, &plan, &inputs, &results)?;
    cedar(env, &plan, &results)?;
    app(env, &plan, &inputs, &results)?;
    server(env, &plan, &results)?;
    report(env, &plan, &dir)
}

fn create(dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Criterion, its figures kept apart under `<target>/bench/criterion`.
fn native(env: &Env, plan: &Plan, dir: &Path) -> Result {
    let mut command = env.cargo();
    command
        .args(["bench", "-p", "custody-policy", "--bench", "preview", "--"])
        .env("CRITERION_HOME", dir.join("criterion"));
    if plan.smoke {
        command.env("CUSTODY_BENCH_QUICK", "1");
    }
    env.run(&mut command)
}

/// One generated world and its benchmark changes, as JSON text files.
struct Input {
    kind: &'static str,
    size: &'static str,
    world: PathBuf,
    actions: PathBuf,
}

/// Writes every world the package runners load, with the changes that
/// `generate::benchmark_actions` names (the ones criterion times).
fn worlds(env: &Env, plan: &Plan, dir: &Path) -> Result<Vec<Input>> {
    create(dir)?;
    env.run(env.cargo().args([
        "build",
        "--release",
        "-p",
        "custody-policy",
        "--example",
        "world",
    ]))?;
    let world = env
        .target_dir()
        .join("release")
        .join("examples")
        .join("world");
    let mut inputs = Vec::new();
    for &size in plan.sizes {
        for (kind, profile, shape) in KINDS {
            let input = Input {
                kind,
                size,
                world: dir.join(format!("{kind}-{size}.json")),
                actions: dir.join(format!("{kind}-{size}-actions.json")),
            };
            for (file, extra) in [(&input.world, None), (&input.actions, Some("actions"))] {
                let file = std::fs::File::create(file)
                    .map_err(|e| format!("cannot create {}: {e}", file.display()))?;
                let mut command = env.command(&world);
                command
                    .args([size, profile, "1", shape])
                    .args(extra)
                    .stdout(file);
                env.run(&mut command)?;
            }
            inputs.push(input);
        }
    }
    Ok(inputs)
}

/// The npm package in Node and in headless Chromium, on every world.
fn package(env: &Env, plan: &Plan, inputs: &[Input], results: &Path) -> Result {
    crate::package::package(env)?;
    let consumer = crate::steps::js_consumer(env)?;
    for input in inputs {
        for (script, suite) in [("bench.js", "node"), ("bench-browser.js", "chromium")] {
            env.run(
                env.command("node")
                    .current_dir(&consumer)
                    .arg(script)
                    .arg("--world")
                    .arg(&input.world)
                    .arg("--actions")
                    .arg(&input.actions)
                    .args([
                        "--world-label",
                        input.kind,
                        "--size",
                        input.size,
                        "--runs",
                        plan.runs,
                    ])
                    .arg("--out")
                    .arg(results.join(format!("{suite}.jsonl"))),
            )?;
        }
    }
    Ok(())
}

/// The Cedar baseline: a release build even in the smoke run (a debug
/// build of the policy engine it drives is too slow for a full S sweep).
/// S is swept completely; from M on, each sweep is timed on a sample of
/// 100,000 requests and extrapolated (a complete irregular M sweep alone
/// takes an hour here). XL is left out: L alone takes about 6 minutes
/// over the three worlds (Cedar's entity store is rebuilt for each
/// change), and XL holds ten times as many resources.
fn cedar(env: &Env, plan: &Plan, results: &Path) -> Result {
    let mut command = env.cargo();
    command
        .args(["run", "--release", "-p", "custody-cedar-baseline", "--"])
        .arg("--out")
        .arg(results.join("cedar.jsonl"));
    if plan.smoke {
        command.arg("--smoke");
    } else {
        command.args(["--sizes", "S,M,L", "--sampled-sizes", "M,L,XL"]);
    }
    env.run(&mut command)
}

/// The built app in headless Chromium against the real server: on the
/// demo's large project, then on the project of each generated world of
/// L (the smoke run's S ones keep that path alive).
fn app(env: &Env, plan: &Plan, inputs: &[Input], results: &Path) -> Result {
    env.run(env.command("trunk").args(["build", "--release"]))?;
    env.run(env.cargo().args(["build"]).args(plan.profile()).args([
        "-p",
        "custody-server",
        "--bin",
        "custody",
    ]))?;
    let custody = env.target_dir().join(plan.profile_dir()).join("custody");
    let size = if plan.smoke { "S" } else { "L" };
    let worlds = inputs
        .iter()
        .filter(|i| i.size == size && i.kind != "irregular_direct");
    let runs: Vec<Option<&Input>> = std::iter::once(None).chain(worlds.map(Some)).collect();
    for input in runs {
        let mut command = env.cargo();
        command
            .arg("run")
            .args(plan.profile())
            .args([
                "-p",
                "custody-e2e",
                "--example",
                "app_bench",
                "--",
                "--dist",
                "dist",
                "--runs",
                plan.runs,
            ])
            .arg("--out")
            .arg(results.join("app.jsonl"))
            .env("CUSTODY_BIN", &custody)
            .env("CHROMEDRIVER", crate::tools::CHROMEDRIVER);
        if let Some(input) = input {
            command.arg("--world").arg(&input.world).args([
                "--world-label",
                input.kind,
                "--size",
                input.size,
            ]);
        }
        env.run(&mut command)?;
    }
    Ok(())
}

/// The load generator against `custody serve`, on SQLite then PostgreSQL.
fn server(env: &Env, plan: &Plan, results: &Path) -> Result {
    crate::postgres::ensure(env)?;
    env.run(env.cargo().arg("build").args(plan.profile()).args([
        "-p",
        "custody-server",
        "--bin",
        "custody",
        "--example",
        "load",
    ]))?;
    let load = env
        .target_dir()
        .join(plan.profile_dir())
        .join("examples")
        .join("load");
    let (clients, seconds, size) = if plan.smoke {
        ("4", "1", "S")
    } else {
        ("32", "10", "L")
    };
    let postgres =
        std::env::var("CUSTODY_TEST_PG").unwrap_or_else(|_| crate::postgres::URL.to_string());
    for database in [None, Some(postgres.as_str())] {
        let mut command = env.command(&load);
        command
            .args(["--clients", clients, "--seconds", seconds, "--size", size])
            .arg("--out")
            .arg(results.join("server.jsonl"));
        if let Some(url) = database {
            command.args(["--postgres", url]);
        }
        env.run(&mut command)?;
    }
    Ok(())
}

/// The report: `bench/REPORT.md` with its chart, or the smoke run's under
/// `<target>/bench/`.
fn report(env: &Env, plan: &Plan, dir: &Path) -> Result {
    let (out, title) = if plan.smoke {
        (
            dir.to_path_buf(),
            "Custody benchmarks (smoke run: S worlds, a few iterations)",
        )
    } else {
        (env.root.join("bench"), "Custody benchmarks")
    };
    let package_wasm = env
        .root
        .join("crates/wasm/npm/dist/web/custody_policy_bg.wasm");
    env.run(
        env.cargo()
            .args(["run", "-p", "custody-bench-report", "--", "--results"])
            .arg(dir.join("results"))
            .arg("--criterion")
            .arg(dir.join("criterion"))
            .arg("--package-wasm")
            .arg(&package_wasm)
            .arg("--out")
            .arg(out.join("REPORT.md"))
            .arg("--chart")
            .arg(out.join("preview-by-size.svg"))
            .args(["--title", title]),
    )
}
