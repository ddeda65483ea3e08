//! The slow, independent way to find what an action changed, shared by the
//! test suites: index both worlds afresh and ask who has access to every
//! resource (person by person, walking up from the resource; no delta, no
//! classes, no grant sets).
#![allow(clippy::expect_used, dead_code)]

use custody_policy::{Access, Engine, PrincipalKind, World};
use std::collections::BTreeMap;

/// Every person's access to every resource, as (person, resource, access),
/// sorted; people without access are listed with `none`.
pub fn access_table(world: &World) -> Vec<(String, String, Access)> {
    let held = held(world);
    let mut out = Vec::new();
    for p in world
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        for r in &world.resources {
            let access = held
                .get(&(p.id.clone(), r.id.clone()))
                .copied()
                .unwrap_or(Access::NONE);
            out.push((p.id.clone(), r.id.clone(), access));
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

/// (person, resource) to access, for the pairs with any access.
fn held(world: &World) -> BTreeMap<(String, String), Access> {
    let engine = Engine::new(world.clone()).expect("valid world");
    let mut held = BTreeMap::new();
    for r in &world.resources {
        for h in engine.who_has_access(&r.id).expect("known resource") {
            held.insert((h.principal, r.id.clone()), h.access);
        }
    }
    held
}

/// (person, resource, before, after) for every pair whose access differs,
/// sorted by person then resource. A person who exists only after (the
/// recipient of a transfer) is compared with `none`.
pub fn oracle_diff(before: &World, after: &World) -> Vec<(String, String, Access, Access)> {
    let (b, a) = (held(before), held(after));
    let mut keys: Vec<&(String, String)> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let x = b.get(k).copied().unwrap_or(Access::NONE);
            let y = a.get(k).copied().unwrap_or(Access::NONE);
            (x != y).then(|| (k.0.clone(), k.1.clone(), x, y))
        })
        .collect()
}
