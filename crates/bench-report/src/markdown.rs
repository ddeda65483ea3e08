//! The report as Markdown: machine, headline targets, chart, then every
//! figure by suite.

use std::fmt::Write;
use std::path::Path;

use crate::figures::{Figure, Figures};
use crate::targets;

const SIZE_ORDER: [&str; 5] = ["S", "M", "L", "XL", "-"];

fn size_rank(size: &str) -> usize {
    SIZE_ORDER
        .iter()
        .position(|s| *s == size)
        .unwrap_or(SIZE_ORDER.len())
}

fn number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// One table per suite: a row per world and size, a column per case, the
/// medians in milliseconds.
fn pivot(out: &mut String, figures: &[&Figure]) {
    let mut cases: Vec<&str> = Vec::new();
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for f in figures.iter().filter(|f| f.ms.is_some()) {
        if !cases.contains(&f.case.as_str()) {
            cases.push(&f.case);
        }
        if !rows.contains(&(f.world.as_str(), f.size.as_str())) {
            rows.push((&f.world, &f.size));
        }
    }
    rows.sort_by_key(|(w, s)| (w.to_string(), size_rank(s)));
    if rows.is_empty() {
        out.push_str("Not measured in this run.\n\n");
        return;
    }
    let _ = writeln!(out, "| world | size | {} |", cases.join(" | "));
    let _ = writeln!(out, "|---|---|{}", "---:|".repeat(cases.len()));
    for (world, size) in rows {
        let cells: Vec<String> = cases
            .iter()
            .map(|case| {
                figures
                    .iter()
                    .find(|f| f.world == world && f.size == size && f.case == *case)
                    .and_then(|f| f.ms)
                    .map_or_else(|| "".to_string(), number)
            })
            .collect();
        let _ = writeln!(out, "| {world} | {size} | {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn headline(out: &mut String, figures: &Figures) {
    let rows = targets::rows(figures);
    let met = rows.iter().filter(|r| r.met == Some(true)).count();
    let missed = rows.iter().filter(|r| r.met == Some(false)).count();
    let absent = rows.iter().filter(|r| r.met.is_none()).count();
    let _ = writeln!(
        out,
        "## Targets\n\n{met} met, {missed} missed, {absent} not measured in this run.\n"
    );
    out.push_str("| measurement | measured | target | |\n|---|---:|---:|---|\n");
    for r in rows {
        let mark = match r.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "—",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {mark} |",
            r.what, r.measured, r.target
        );
    }
    out.push('\n');
}

fn cedar(out: &mut String, figures: &Figures) {
    out.push_str("## Against a Cedar baseline\n\n");
    out.push_str(
        "The same diff computed with `cedar-policy` as a team with a general policy engine \
         would: `is_authorized` for each person, resource and access level, before and after \
         the change. *Reachable* limits the sweep to the people and resources the change can \
         reach; *full* sweeps everyone and everything. Sampled sweeps are timed on a random \
         sample and extrapolated to the full count of requests. Custody's time is its preview \
         with summaries, in the same process.\n\n",
    );
    let reachable: Vec<&Figure> = figures.suite("cedar_reachable").collect();
    if reachable.is_empty() {
        out.push_str("Not measured in this run.\n\n");
        return;
    }
    out.push_str("| world | size | change | Custody ms | Cedar reachable ms | requests | × | Cedar full ms | requests | × | differences |\n");
    out.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in reachable {
        let custody = figures.ms("custody_native", &r.world, &r.size, &r.case);
        let full = figures.get("cedar_full", &r.world, &r.size, &r.case);
        let ratio = |x: Option<f64>| match (x, custody) {
            (Some(x), Some(c)) if c > 0.0 => format!("{:.0}", x / c),
            _ => String::new(),
        };
        let requests = |f: Option<&Figure>| {
            f.map_or_else(String::new, |f| {
                let n = f
                    .number("requests")
                    .map_or_else(String::new, |n| format!("{n:.0}"));
                if f.flag("extrapolated") {
                    format!(
                        "{n} (sampled {:.0})",
                        f.number("timed_requests").unwrap_or(0.0)
                    )
                } else {
                    n
                }
            })
        };
        let differences = [Some(r), full]
            .iter()
            .flatten()
            .filter_map(|f| f.number("mismatches"))
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join(" / ");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.world,
            r.size,
            r.case,
            custody.map_or_else(String::new, number),
            r.ms.map_or_else(String::new, number),
            requests(Some(r)),
            ratio(r.ms),
            full.and_then(|f| f.ms).map_or_else(String::new, number),
            requests(full),
            ratio(full.and_then(|f| f.ms)),
            if differences.is_empty() {
                "not checked".to_string()
            } else {
                differences
            },
        );
    }
    out.push('\n');
}

fn sizes(out: &mut String, figures: &Figures) {
    // Each run of the app benchmark measures the same build: one line a file.
    let mut sized: Vec<&Figure> = Vec::new();
    for f in figures
        .0
        .iter()
        .filter(|f| f.number("gzip_bytes").is_some())
    {
        if !sized.iter().any(|s| s.case == f.case) {
            sized.push(f);
        }
    }
    if sized.is_empty() {
        return;
    }
    out.push_str("| file | bytes | gzipped (level 9) |\n|---|---:|---:|\n");
    for f in sized {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} |",
            f.case,
            f.number("bytes").unwrap_or(0.0),
            f.number("gzip_bytes").unwrap_or(0.0)
        );
    }
    out.push('\n');
}

fn server(out: &mut String, figures: &Figures) {
    out.push_str("## The server under load\n\n");
    out.push_str(
        "A load generator in its own process against `custody serve` on 127.0.0.1: each client \
         signed in as the owner of its own project, confirming shares, unshares, transfer \
         requests and cancellations (the preview's digest with each); then the access context \
         of a generated project and of the demo's large one, read six ways: each first after \
         one of the project's biosamples was taken out of it or put back, which moves the \
         edges of its region (`_read`: the slice read whole from the database); each naming a \
         new recipient's email, as the share dialog does when someone is added (`_added`: \
         patched from the slice kept for the dialog without them); first right after a share \
         or an unshare of that project (`_changed`: the kept slice patched from the rows the \
         change touched); first after a file of the project moved to another of its runs \
         (`_moved`: patched likewise); first after a change \
         elsewhere in the world (no suffix: the kept slice, checked against what the change \
         touched); and again with nothing changed (`_kept`).\n\n",
    );
    let list: Vec<&Figure> = figures.suite("server").collect();
    if list.is_empty() {
        out.push_str("Not measured in this run.\n\n");
        return;
    }
    out.push_str("| database | measurement | per second | median ms | p99 ms | count |\n|---|---|---:|---:|---:|---:|\n");
    for f in list {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.world,
            f.case,
            f.number("per_second")
                .map_or_else(String::new, |v| format!("{v:.0}")),
            f.ms.map_or_else(String::new, number),
            f.number("p99_ms").map_or_else(String::new, number),
            f.number("runs")
                .map_or_else(String::new, |v| format!("{v:.0}")),
        );
    }
    out.push('\n');
}

/// The whole report; `chart` is linked relative to `out`'s folder.
pub fn report(
    title: &str,
    figures: &Figures,
    machine: &[(String, String)],
    chart: Option<&Path>,
    out: &Path,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {title}\n");
    s.push_str(
        "Written by `cargo xtask bench` (all sizes; `cargo xtask bench --smoke` is the S-only \
         run CI makes so the benchmarks cannot rot). Medians in milliseconds unless said \
         otherwise. These machines are shared: read the figures with the load average below \
         in mind.\n\n## Machine\n\n| | |\n|---|---|\n",
    );
    for (k, v) in machine {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push('\n');
    headline(&mut s, figures);
    if let Some(chart) = chart {
        let name = chart
            .strip_prefix(out.parent().unwrap_or(Path::new("")))
            .unwrap_or(chart);
        let _ = writeln!(s, "![Preview time by world size]({})\n", name.display());
    }
    s.push_str("## Native (criterion)\n\nEvery preview includes its summaries, as the share dialog shows them.\n\n");
    pivot(&mut s, &figures.suite("native").collect::<Vec<_>>());
    s.push_str("## Wasm in Node (the npm package)\n\n");
    pivot(&mut s, &figures.suite("node").collect::<Vec<_>>());
    s.push_str("## Wasm in headless Chromium (the package's web build)\n\n");
    pivot(&mut s, &figures.suite("chromium").collect::<Vec<_>>());
    cedar(&mut s, figures);
    s.push_str("## The app in headless Chromium\n\nThe built app served by `custody serve`, signed in as the project's owner: the demo's large project (`demo`), and the project of a generated world imported into the database (`tidy`, `irregular`). Times taken in the page: navigation to the Share button, to the dialog, to the first edit's rendered preview; the context request; and edit to rendered preview.\n\n");
    pivot(&mut s, &figures.suite("app").collect::<Vec<_>>());
    sizes(&mut s, figures);
    server(&mut s, figures);
    s
}
