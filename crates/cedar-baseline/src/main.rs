//! # cedar-baseline
//!
//! How long a team with a general policy engine would take to compute the
//! access diff that Custody previews, measured with Cedar
//! (`cedar-policy` 4) on the benchmark worlds and changes
//! (`generate::sized` for `tidy`, `generate::irregular` for `irregular` and
//! `irregular_direct`; `generate::benchmark_actions`).
//!
//! ## The encoding
//!
//! `entities.rs` turns a world into Cedar entities (group nesting, cascade
//! edges filtered by owner, the names a run shows) and `policies.rs` holds
//! the rules as Cedar policies, with one template-linked policy per grant
//! and action, each request given only the policies that could match it
//! (`slices.rs`). One Cedar action per level (`names`, `read`, `write`,
//! `owner`) and, in `direct`, per permission; a pair's access is read back
//! from its answers (`sweep.rs`). The world after a change is
//! `Engine::applied`, except that a `request_transfer` is also accepted,
//! since its preview shows what acceptance changes (`after.rs`).
//!
//! ## What is timed
//!
//! For each change, one whole diff: the world after the change, its entity
//! store and linked policies, (reachable sweep only) the pairs to ask
//! about, then for every pair the requests on both sides, reading back each
//! side's access and keeping the pairs that differ. Only what exists before
//! any change is left out: the "before" entity store and its policy
//! slices, built once per world, and the request uids of its people and
//! resources. The policy slices of the store after the change are built
//! as the sweep needs them, within the time.
//! `prep_ms` in the JSON line is the part before the first request (with
//! a sample, it includes the policy slices of every resource swept, so
//! that only the requests themselves are extrapolated).
//!
//! - `cedar_full`: every person times every resource times every level
//!   and permission, before and after.
//! - `cedar_reachable`: only the pairs the change can reach, as a careful
//!   team would work them out from what the change writes (`reach.rs`
//!   defines them).
//! - `custody_native`: Custody's own `Engine::preview` summarised with
//!   `blocks()`, median of a few runs, in the same process.
//!
//! On S and M both sweeps run completely. On L and XL (`--sampled-sizes`)
//! a seeded random sample of pairs is timed (at least `--sample` requests)
//! and the time extrapolated to every pair (`"extrapolated": true`),
//! unless the sample says the whole sweep takes under `--complete-under`
//! seconds (60), in which case it runs completely. Every complete sweep is checked against
//! Custody's changes: `mismatches` counts the pairs whose access change
//! differs (`null` when sampled).
//!
//! ## Use
//!
//! ```text
//! cargo build --release -p custody-cedar-baseline
//! target/release/cedar-baseline --sizes S,M,L --out target/bench/cedar.jsonl
//! target/release/cedar-baseline --smoke --out target/bench/cedar-smoke.jsonl
//! ```
//!
//! `--smoke` runs S only, tidy and irregular, with few repetitions, checks
//! every change, and exits non-zero on any mismatch or error (for CI; it
//! asserts nothing about timings).

mod after;
mod custody;
mod entities;
mod policies;
mod reach;
mod report;
mod slices;
mod sweep;

use custody_policy::generate::{self, Size};
use custody_policy::{Engine, Profile, World};
use report::Measurement;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use sweep::{Block, Catalog, Store};

/// The worlds a run can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Tidy,
    Irregular,
    IrregularDirect,
}

impl Shape {
    const ALL: [Shape; 3] = [Shape::Tidy, Shape::Irregular, Shape::IrregularDirect];

    fn name(self) -> &'static str {
        match self {
            Shape::Tidy => "tidy",
            Shape::Irregular => "irregular",
            Shape::IrregularDirect => "irregular_direct",
        }
    }

    fn world(self, size: Size) -> World {
        match self {
            Shape::Tidy => generate::sized(size, Profile::Basespace, 1),
            Shape::Irregular => generate::irregular(size, Profile::Basespace, 1),
            Shape::IrregularDirect => generate::irregular(size, Profile::Direct, 1),
        }
    }
}

struct Options {
    sizes: Vec<Size>,
    shapes: Vec<Shape>,
    sample: u64,
    /// The sizes whose sweeps are sampled.
    sampled: Vec<Size>,
    complete_under: f64,
    smoke: bool,
    out: PathBuf,
}

const USAGE: &str = "usage: cedar-baseline [--sizes S,M,L,XL] [--worlds tidy,irregular,irregular_direct] \
[--sample N] [--sampled-sizes L,XL] [--complete-under SECONDS] [--smoke] --out FILE";

/// A comma-separated list of sizes (`S,M,L`).
fn sizes(list: &str) -> Result<Vec<Size>, String> {
    list.split(',')
        .map(|s| Size::parse(s.trim()).ok_or_else(|| format!("unknown size `{s}`")))
        .collect()
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        sizes: vec![Size::S, Size::M],
        shapes: Shape::ALL.to_vec(),
        sample: 100_000,
        sampled: vec![Size::L, Size::XL],
        complete_under: 60.0,
        smoke: false,
        out: PathBuf::new(),
    };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--sizes" => options.sizes = sizes(&value()?)?,
            "--worlds" => {
                options.shapes = value()?
                    .split(',')
                    .map(|w| {
                        Shape::ALL
                            .into_iter()
                            .find(|s| s.name() == w.trim())
                            .ok_or_else(|| format!("unknown world `{w}`"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--sample" => {
                options.sample = value()?.parse().map_err(|e| format!("--sample: {e}"))?;
            }
            "--sampled-sizes" => options.sampled = sizes(&value()?)?,
            "--complete-under" => {
                options.complete_under = value()?
                    .parse()
                    .map_err(|e| format!("--complete-under: {e}"))?;
            }
            "--smoke" => options.smoke = true,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    options.out = out.ok_or_else(|| format!("--out FILE is required\n{USAGE}"))?;
    if options.smoke {
        options.sizes = vec![Size::S];
        options.shapes = vec![Shape::Tidy, Shape::Irregular];
    }
    Ok(options)
}

fn main() -> ExitCode {
    let started = Instant::now();
    let result = parse_args().and_then(|options| run(&options));
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(0) => {
            println!("done in {seconds:.1} s");
            ExitCode::SUCCESS
        }
        Ok(mismatches) => {
            eprintln!("{mismatches} mismatches with Custody's preview ({seconds:.1} s)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("cedar-baseline: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Measures every world and change asked for; returns the mismatch count.
fn run(options: &Options) -> Result<u64, String> {
    if let Some(dir) = options.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut mismatches = 0;
    for &size in &options.sizes {
        for &shape in &options.shapes {
            mismatches += measure_world(options, shape, size)?;
        }
    }
    Ok(mismatches)
}

fn measure_world(options: &Options, shape: Shape, size: Size) -> Result<u64, String> {
    let world = shape.world(size);
    let engine = Engine::new(world.clone()).map_err(|e| e.to_string())?;
    let templates = policies::templates(world.profile)?;
    // What exists before any change: not timed.
    let before = Store {
        entities: entities::build(&world)?,
        slices: slices::Slices::new(&templates, &world),
    };
    let base_catalog = Catalog::new(&world, &world);
    before.warm(&base_catalog)?;
    let runs = if options.smoke { 3 } else { 5 };
    let mut mismatches = 0;

    for (case, action) in generate::benchmark_actions(&world) {
        let native = custody::time_preview(&engine, &action, runs)?;
        Measurement {
            suite: "custody_native",
            world: shape.name(),
            size: size.name(),
            case,
            ms: native.as_secs_f64() * 1e3,
            prep_ms: None,
            requests: 0,
            timed_requests: 0,
            extrapolated: false,
            mismatches: None,
        }
        .write(&options.out)?;

        // The world after the change, as Cedar sees it: timed, added to
        // both sweeps.
        let start = Instant::now();
        let after_world = after::after_world(&engine, &action)?;
        let after = Store {
            entities: entities::build(&after_world)?,
            slices: slices::Slices::new(&templates, &after_world),
        };
        let after_ms = start.elapsed().as_secs_f64() * 1e3;

        // Request uids for a recipient who has no account yet.
        let extended = (after_world.principals.len() > world.principals.len())
            .then(|| Catalog::new(&world, &after_world));
        let catalog = extended.as_ref().unwrap_or(&base_catalog);
        let mut theirs = None;

        for suite in ["cedar_reachable", "cedar_full"] {
            let start = Instant::now();
            let blocks = match suite {
                "cedar_reachable" => reach::reachable(&world, &after_world, catalog),
                _ => vec![Block {
                    people: (0..catalog.people.len() as u32).collect(),
                    resources: (0..catalog.resources.len() as u32).collect(),
                }],
            };
            let pairs: u64 = blocks.iter().map(Block::pairs).sum();
            let per_pair = 2 * catalog.asks_per_pair();
            let requests = pairs * per_pair;
            let sampling = options.sampled.contains(&size) && requests > options.sample;
            if sampling {
                after.warm_blocks(catalog, &blocks)?;
            }
            let prep_ms = after_ms + start.elapsed().as_secs_f64() * 1e3;

            let mut outcome = None;
            let mut extrapolated = false;
            if sampling {
                let sample_pairs = options.sample.div_ceil(per_pair);
                let s = sweep::run(catalog, &before, &after, &blocks, Some(sample_pairs))?;
                let per = s.elapsed.as_secs_f64() / s.requests.max(1) as f64;
                if per * requests as f64 > options.complete_under {
                    outcome = Some(s);
                    extrapolated = true;
                }
            }
            let outcome = match outcome {
                Some(s) => s,
                None => sweep::run(catalog, &before, &after, &blocks, None)?,
            };
            let sweep_ms = if extrapolated {
                outcome.elapsed.as_secs_f64() * 1e3 * requests as f64 / outcome.requests as f64
            } else {
                outcome.elapsed.as_secs_f64() * 1e3
            };
            let checked = if extrapolated {
                None
            } else {
                if theirs.is_none() {
                    let list = custody::changes(&engine, &action, catalog)?;
                    if options.smoke && !custody::check_flat(&engine, &action, catalog, &list)? {
                        return Err(format!(
                            "{case}: the preview's summaries and flat changes differ"
                        ));
                    }
                    theirs = Some(list);
                }
                let list = theirs.as_deref().unwrap_or_default();
                let (n, examples) = custody::mismatches(&outcome.diffs, list, catalog);
                for e in examples {
                    eprintln!("  mismatch in {} {} {case}: {e}", shape.name(), size.name());
                }
                Some(n)
            };
            mismatches += checked.unwrap_or(0);
            Measurement {
                suite,
                world: shape.name(),
                size: size.name(),
                case,
                ms: prep_ms + sweep_ms,
                prep_ms: Some(prep_ms),
                requests,
                timed_requests: outcome.requests,
                extrapolated,
                mismatches: checked,
            }
            .write(&options.out)?;
        }
    }
    Ok(mismatches)
}
