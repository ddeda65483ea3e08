//! `custody-bench-report`: writes the benchmark report (Markdown, with an SVG
//! chart) from the figures that `cargo xtask bench` gathered: the JSON
//! lines of every runner, criterion's medians of the native benchmarks,
//! and the package's wasm size. It measures nothing itself.
//!
//! ```sh
//! custody-bench-report --results target/bench/results --criterion target/criterion \
//!     --package-wasm crates/wasm/npm/dist/web/custody_policy_bg.wasm \
//!     --out bench/REPORT.md --chart bench/preview-by-size.svg [--title TEXT]
//! ```

mod chart;
mod figures;
mod machine;
mod markdown;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;

use figures::Figures;

#[derive(Default)]
struct Args {
    results: Option<PathBuf>,
    criterion: Option<PathBuf>,
    package_wasm: Option<PathBuf>,
    out: Option<PathBuf>,
    chart: Option<PathBuf>,
    title: Option<String>,
}

fn parse(mut list: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    while let Some(flag) = list.next() {
        let mut value = || list.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--results" => args.results = Some(value()?.into()),
            "--criterion" => args.criterion = Some(value()?.into()),
            "--package-wasm" => args.package_wasm = Some(value()?.into()),
            "--out" => args.out = Some(value()?.into()),
            "--chart" => args.chart = Some(value()?.into()),
            "--title" => args.title = Some(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<(), String> {
    let out = args.out.ok_or("--out FILE is required")?;
    let mut figures = Figures::default();
    if let Some(dir) = &args.results {
        figures::read_results(dir, &mut figures)?;
    }
    if let Some(dir) = &args.criterion {
        figures::read_criterion(dir, &mut figures);
    }
    if let Some(path) = &args.package_wasm {
        figures
            .0
            .extend(figures::file_size(path, "package", "package_wasm"));
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let chart = match &args.chart {
        Some(path) => chart::draw(
            &figures,
            "irregular",
            "share_project_with_half_the_people",
            path,
        )?
        .then_some(path.as_path()),
        None => None,
    };
    let title = args.title.as_deref().unwrap_or("Custody benchmarks");
    let text = markdown::report(title, &figures, &machine::describe(), chart, &out);
    std::fs::write(&out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("wrote {} ({} figures)", out.display(), figures.0.len());
    Ok(())
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("custody-bench-report: {e}");
            ExitCode::FAILURE
        }
    }
}
