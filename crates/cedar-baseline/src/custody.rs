//! Custody's side: its own preview, timed, and its changes for the
//! mismatch check.

use crate::sweep::{Catalog, Diff};
use custody_policy::{Action, Engine};
use rustc_hash::FxHashMap;
use std::time::{Duration, Instant};

/// The median time of `runs` previews of `action` summarised with
/// `blocks()`: what the share dialog asks for on every edit.
pub fn time_preview(engine: &Engine, action: &Action, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let preview = engine.preview(action).map_err(|e| e.to_string())?;
        let blocks = preview.blocks();
        std::hint::black_box(&blocks);
        times.push(start.elapsed());
    }
    times.sort_unstable();
    Ok(times[times.len() / 2])
}

/// Every change of Custody's preview, by catalog number.
///
/// They are read from the summaries (`blocks` and `block_resources`) rather
/// than from `changes()`, which works out the reasons of every pair: the
/// same pairs and accesses, without millions of reason lists on the larger
/// worlds. `check_flat` confirms that on small previews.
pub fn changes(engine: &Engine, action: &Action, catalog: &Catalog) -> Result<Vec<Diff>, String> {
    let preview = engine.preview(action).map_err(|e| e.to_string())?;
    let person = index(&catalog.people);
    let resource = index(&catalog.resources);
    let mut out = Vec::new();
    for (b, block) in preview.blocks().iter().enumerate() {
        let resources: Vec<u32> = preview
            .block_resources(b, 0, usize::MAX)
            .iter()
            .map(|r| lookup(&resource, r))
            .collect::<Result<_, _>>()?;
        for p in &block.people {
            let p = lookup(&person, p)?;
            out.extend(resources.iter().map(|&r| Diff {
                person: p,
                resource: r,
                before: block.before,
                after: block.after,
            }));
        }
    }
    Ok(out)
}

/// Whether `changes` (from the summaries) equals the flat `changes()` of
/// the preview.
pub fn check_flat(
    engine: &Engine,
    action: &Action,
    catalog: &Catalog,
    changes: &[Diff],
) -> Result<bool, String> {
    let preview = engine.preview(action).map_err(|e| e.to_string())?;
    let person = index(&catalog.people);
    let resource = index(&catalog.resources);
    let mut flat: Vec<Diff> = preview
        .changes()
        .iter()
        .map(|c| {
            Ok(Diff {
                person: lookup(&person, &c.principal)?,
                resource: lookup(&resource, &c.resource)?,
                before: c.before,
                after: c.after,
            })
        })
        .collect::<Result<_, String>>()?;
    let mut ours = changes.to_vec();
    let key = |d: &Diff| (d.person, d.resource);
    flat.sort_unstable_by_key(key);
    ours.sort_unstable_by_key(key);
    Ok(flat == ours)
}

/// How many pairs differ between two lists of changes: in one and not the
/// other, or in both with another before or after.
pub fn mismatches(ours: &[Diff], theirs: &[Diff], catalog: &Catalog) -> (u64, Vec<String>) {
    let name = |&(p, r): &(u32, u32)| {
        format!(
            "{} on {}",
            catalog.people.get(p as usize).map_or("?", String::as_str),
            catalog
                .resources
                .get(r as usize)
                .map_or("?", String::as_str)
        )
    };
    let theirs_by: FxHashMap<(u32, u32), &Diff> =
        theirs.iter().map(|d| ((d.person, d.resource), d)).collect();
    let ours_by: FxHashMap<(u32, u32), &Diff> =
        ours.iter().map(|d| ((d.person, d.resource), d)).collect();
    let mut count = 0;
    let mut examples = Vec::new();
    let mut note = |text: String| {
        count += 1;
        if examples.len() < 5 {
            examples.push(text);
        }
    };
    for (k, d) in &ours_by {
        match theirs_by.get(k) {
            Some(t) if t.before == d.before && t.after == d.after => {}
            Some(t) => note(format!(
                "{}: Cedar {} -> {}, Custody {} -> {}",
                name(k),
                d.before,
                d.after,
                t.before,
                t.after
            )),
            None => note(format!(
                "{}: Cedar {} -> {}, Custody no change",
                name(k),
                d.before,
                d.after
            )),
        }
    }
    for (k, t) in &theirs_by {
        if !ours_by.contains_key(k) {
            note(format!(
                "{}: Cedar no change, Custody {} -> {}",
                name(k),
                t.before,
                t.after
            ));
        }
    }
    (count, examples)
}

fn index(ids: &[String]) -> FxHashMap<&str, u32> {
    ids.iter()
        .enumerate()
        .map(|(i, x)| (x.as_str(), i as u32))
        .collect()
}

fn lookup(map: &FxHashMap<&str, u32>, id: &str) -> Result<u32, String> {
    map.get(id)
        .copied()
        .ok_or_else(|| format!("Custody names `{id}`, which the catalog does not hold"))
}
