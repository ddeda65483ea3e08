//! The headline: each target of the benchmarks beside what was measured,
//! met or missed. A target whose figure is absent (a smoke run measures S
//! only) says so instead of passing.

use crate::figures::Figures;

/// One line of the headline table.
pub struct Row {
    pub what: String,
    pub measured: String,
    pub target: String,
    /// `None` when not measured in this run.
    pub met: Option<bool>,
}

const PREVIEWS: [(&str, &str); 2] = [
    ("share_project_with_half_the_people", "group share"),
    ("transfer_project", "project transfer"),
];
const WORLDS: [&str; 2] = ["tidy", "irregular"];

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "not measured".to_string(), |v| format!("{v:.2} ms"))
}

fn at_most(what: String, value: Option<f64>, limit: f64, unit: &str) -> Row {
    Row {
        what,
        measured: ms(value),
        target: format!("≤ {limit} {unit}"),
        met: value.map(|v| v <= limit),
    }
}

fn ratio_row(what: String, ratio: Option<f64>, target: String, met: impl Fn(f64) -> bool) -> Row {
    Row {
        what,
        measured: ratio.map_or_else(|| "not measured".to_string(), |r| format!("{r:.2}×")),
        target,
        met: ratio.map(met),
    }
}

fn divide(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Every target of the benchmarks, in the order the issue lists them.
pub fn rows(f: &Figures) -> Vec<Row> {
    let mut rows = Vec::new();
    for world in WORLDS {
        for (case, label) in PREVIEWS {
            let native = f.ms("native", world, "L", case);
            rows.push(at_most(
                format!("{world} L {label}, native"),
                native,
                2.0,
                "ms",
            ));
            let xl = f.ms("native", world, "XL", case);
            rows.push(ratio_row(
                format!("{world} XL {label} ÷ L, native"),
                divide(xl, native),
                "≤ 10×".into(),
                |r| r <= 10.0,
            ));
            for suite in ["chromium", "node"] {
                let wasm = f.ms(suite, world, "L", case);
                rows.push(at_most(
                    format!("{world} L {label}, wasm in {suite}"),
                    wasm,
                    3.0,
                    "ms",
                ));
                rows.push(ratio_row(
                    format!("{world} L {label}, {suite} ÷ native"),
                    divide(wasm, native),
                    "≤ 1.5×".into(),
                    |r| r <= 1.5,
                ));
            }
        }
        let case = "load_from_json_text";
        rows.push(at_most(
            format!("{world} L load from JSON text, native"),
            f.ms("native", world, "L", case),
            20.0,
            "ms",
        ));
        rows.push(at_most(
            format!("{world} L load from JSON text, Chromium"),
            f.ms("chromium", world, "L", case),
            50.0,
            "ms",
        ));
    }
    cedar(f, &mut rows);
    // The app on the demo's large project and on the generated L projects.
    for (world, size, label) in [
        ("demo", "-", "the demo's large project"),
        ("tidy", "L", "the tidy L project"),
        ("irregular", "L", "the irregular L project"),
    ] {
        rows.push(at_most(
            format!("app: edit to rendered preview, {label}"),
            f.ms("app", world, size, "edit_to_preview"),
            16.0,
            "ms",
        ));
        rows.push(at_most(
            format!("app: navigation to an interactive share dialog, {label}"),
            f.ms("app", world, size, "navigate_to_first_preview"),
            1000.0,
            "ms",
        ));
    }
    let assets: Vec<f64> = ["asset_wasm", "asset_js", "asset_css"]
        .iter()
        .filter_map(|case| {
            f.get("app", "demo", "-", case)
                .and_then(|x| x.number("gzip_bytes"))
        })
        .collect();
    let total = (assets.len() == 3).then(|| assets.iter().sum::<f64>() / 1000.0);
    rows.push(kilobytes("built app, gzipped in all", total, 250.0));
    let package = f
        .get("package", "-", "-", "package_wasm")
        .and_then(|x| x.number("gzip_bytes"))
        .map(|b| b / 1000.0);
    rows.push(kilobytes("the package's wasm, gzipped", package, 150.0));
    for figure in f
        .suite("server")
        .filter(|x| x.case.starts_with("confirmed_actions_"))
    {
        // The targets hold for SQLite at 32 clients; other runs (the smoke
        // run's few clients, PostgreSQL) are shown without one.
        let targeted = figure.world == "sqlite" && figure.case == "confirmed_actions_32_clients";
        let what = format!(
            "server on {}: {}",
            figure.world,
            figure.case.replace('_', " ")
        );
        let mut throughput = Row {
            what: what.clone(),
            measured: figure
                .number("per_second")
                .map_or_else(|| "not measured".into(), |v| format!("{v:.0}/s")),
            target: "≥ 1000/s".into(),
            met: figure.number("per_second").map(|v| v >= 1000.0),
        };
        let mut p99 = at_most(
            format!("{what}, p99 latency"),
            figure.number("p99_ms"),
            50.0,
            "ms",
        );
        for row in [&mut throughput, &mut p99] {
            if !targeted {
                row.target = "(target at 32 clients on SQLite)".into();
                row.met = None;
            }
        }
        rows.push(throughput);
        rows.push(p99);
    }
    // A context whose region may have moved is read whole from the
    // database; one naming someone new is patched from the slice kept for
    // the dialog without them; the first read after a change to the
    // project (a share, a file moved) patches the kept slice from the rows
    // the change touched;
    // after a change elsewhere, the kept slice is checked against the ids
    // the change touched and served; later reads of an unchanged world are
    // served kept (`context_cache`).
    for (case, when) in [
        (
            "context_L_project_read",
            "read whole from the database (a biosample left it or rejoined)",
        ),
        (
            "context_L_project_added",
            "first read naming someone new (patched from the dialog's)",
        ),
        (
            "context_L_project_changed",
            "first read after a change to it (kept, patched)",
        ),
        (
            "context_L_project_moved",
            "first read after a file of it moved (kept, patched)",
        ),
        (
            "context_L_project",
            "first read after a change elsewhere (kept, checked)",
        ),
        ("context_L_project_kept", "read again, world unchanged"),
    ] {
        for figure in f.suite("server").filter(|x| x.case == case) {
            rows.push(at_most(
                format!(
                    "server on {}: the L project's access context, {when}",
                    figure.world
                ),
                figure.ms,
                100.0,
                "ms",
            ));
        }
    }
    rows
}

fn kilobytes(what: &str, value: Option<f64>, limit: f64) -> Row {
    Row {
        what: what.into(),
        measured: value.map_or_else(|| "not measured".into(), |v| format!("{v:.0} KB")),
        target: format!("≤ {limit} KB"),
        met: value.map(|v| v <= limit),
    }
}

/// The Cedar ratios at the largest size measured of each world and change
/// (the full tables hold every size), and one line for the correctness
/// check over every comparison made.
fn cedar(f: &Figures, rows: &mut Vec<Row>) {
    let reachable: Vec<_> = f.suite("cedar_reachable").collect();
    let largest = |world: &str, case: &str| {
        reachable
            .iter()
            .filter(|x| x.world == world && x.case == case)
            .map(|x| x.size.as_str())
            .max_by_key(|size| ["S", "M", "L", "XL"].iter().position(|s| s == size))
    };
    for figure in &reachable {
        if largest(&figure.world, &figure.case) != Some(figure.size.as_str()) {
            continue;
        }
        let custody = f.ms("custody_native", &figure.world, &figure.size, &figure.case);
        let extrapolated = if figure.flag("extrapolated") {
            ", extrapolated"
        } else {
            ""
        };
        rows.push(ratio_row(
            format!(
                "{} {} {}: Cedar reachable sweep ÷ Custody{extrapolated}",
                figure.world, figure.size, figure.case
            ),
            divide(figure.ms, custody),
            "≥ 10000×".into(),
            |r| r >= 10_000.0,
        ));
    }
    let checked: Vec<f64> = f
        .suite("cedar_reachable")
        .chain(f.suite("cedar_full"))
        .filter_map(|x| x.number("mismatches"))
        .collect();
    if !checked.is_empty() {
        let differences: f64 = checked.iter().sum();
        rows.push(Row {
            what: format!(
                "Cedar's changes equal Custody's ({} sweeps checked)",
                checked.len()
            ),
            measured: format!("{differences:.0} differences"),
            target: "0".into(),
            met: Some(differences == 0.0),
        });
    }
}
