//! The slow, independent way to find what an action changed, shared by the
//! test suites: index both worlds afresh and ask `effective_access` for
//! every person and resource, one pair at a time (no delta, no classes).
#![allow(clippy::expect_used, dead_code)]

use custody_policy::{Access, Engine, PrincipalKind, World};

/// Every person's access to every resource, as (person, resource, access).
pub fn access_table(world: &World) -> Vec<(String, String, Access)> {
    let engine = Engine::new(world.clone()).expect("valid world");
    let mut out = Vec::new();
    for p in world
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        for r in &world.resources {
            let holder = engine.effective_access(&p.id, &r.id).expect("known ids");
            out.push((p.id.clone(), r.id.clone(), holder.access));
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

/// (person, resource, before, after) for every pair whose access differs.
pub fn oracle_diff(before: &World, after: &World) -> Vec<(String, String, Access, Access)> {
    access_table(before)
        .into_iter()
        .zip(access_table(after))
        .filter(|(b, a)| b.2 != a.2)
        .map(|(b, a)| (b.0, b.1, b.2, a.2))
        .collect()
}
