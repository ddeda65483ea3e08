//! Which pairs a change can reach: what a careful team would ask Cedar
//! about instead of every person times every resource.
//!
//! The team knows what its change writes, so the pairs are derived from
//! what differs between the world before and after (grants, owners, group
//! members), with the access model's rules deciding how far each edit
//! reaches. The **region** of a set of resources is the set itself, what
//! it contains transitively (a project's associated resources, a run's or
//! dataset's files), whatever their owner (a change of owner can open or
//! close a cascade edge), and the biosamples listed on every run of the
//! region (whose names follow the run's readers, rule 4). Then:
//!
//! - **A grant edit** (added, removed or changed grant of principal `Q` on
//!   `X`): the people in `Q` (through nesting, before or after) times the
//!   region of `X`. Nobody else holds that grant.
//! - **Owner changes** (the set `O` of resources whose owner differs): the
//!   region of `O`, times the old and new owners, every holder of a grant
//!   (before or after) on `O` or on any container above it (their access
//!   flows through the cascade edges that the owner changes open or
//!   close), and in `direct` every data owner (rule 5 cascades the same
//!   way).
//! - **A membership edit** (principal `M` added to or removed from group
//!   `G`): the people in `M` (before or after) times the region of every
//!   resource with a grant to `G` or to a group containing `G` (before or
//!   after).
//!
//! The rectangles overlap (the ten edits of a dialog share a project), so
//! they are cut into disjoint blocks: resources are grouped by the set of
//! rectangles that hold them, and each group is asked for the union of
//! those rectangles' people. The mismatch check compares the pairs found
//! this way with every change Custody reports, so a change that this
//! definition misses would show as a mismatch.

use crate::sweep::{Block, Catalog};
use custody_policy::{Access, PrincipalKind, Profile, ResourceKind, Role, World};
use rustc_hash::{FxHashMap, FxHashSet};

/// The containment of a world's resources, by number (the same in the
/// world before and after: a change never moves a resource).
struct Layout<'w> {
    resource: FxHashMap<&'w str, u32>,
    /// What each resource holds: a project's associated resources, a run's
    /// or dataset's files.
    contents: Vec<Vec<u32>>,
    /// Each resource's containers.
    containers: Vec<Vec<u32>>,
    /// The biosamples a run lists.
    biosamples: Vec<Vec<u32>>,
}

impl<'w> Layout<'w> {
    fn new(world: &'w World) -> Layout<'w> {
        let n = world.resources.len();
        let resource: FxHashMap<&str, u32> = world
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i as u32))
            .collect();
        let mut contents = vec![Vec::new(); n];
        let mut containers = vec![Vec::new(); n];
        let mut biosamples = vec![Vec::new(); n];
        for (i, r) in world.resources.iter().enumerate() {
            for c in r.projects.iter().chain(&r.parent) {
                if let Some(&c) = resource.get(c.as_str()) {
                    contents[c as usize].push(i as u32);
                    containers[i].push(c);
                }
            }
            if r.kind == ResourceKind::Run {
                biosamples[i] = r
                    .biosamples
                    .iter()
                    .filter_map(|b| resource.get(b.as_str()).copied())
                    .collect();
            }
        }
        Layout {
            resource,
            contents,
            containers,
            biosamples,
        }
    }

    /// The region of `roots`, as a mask over resources.
    fn region(&self, roots: impl IntoIterator<Item = u32>) -> Vec<bool> {
        let mut mask = vec![false; self.contents.len()];
        let mut stack: Vec<u32> = roots.into_iter().collect();
        while let Some(r) = stack.pop() {
            let Some(seen) = mask.get_mut(r as usize) else {
                continue;
            };
            if *seen {
                continue;
            }
            *seen = true;
            stack.extend(&self.contents[r as usize]);
            for &b in &self.biosamples[r as usize] {
                mask[b as usize] = true;
            }
        }
        mask
    }

    /// `roots` and every container above them.
    fn upward(&self, roots: impl IntoIterator<Item = u32>) -> FxHashSet<u32> {
        let mut seen = FxHashSet::default();
        let mut stack: Vec<u32> = roots.into_iter().collect();
        while let Some(r) = stack.pop() {
            if seen.insert(r) {
                stack.extend(&self.containers[r as usize]);
            }
        }
        seen
    }
}

/// The people (by catalog number) a principal stands for in a world: the
/// person, or everyone in the group through nesting.
fn people_in(world: &World, person: &FxHashMap<&str, u32>, id: &str, out: &mut FxHashSet<u32>) {
    let groups: FxHashMap<&str, &Vec<String>> = world
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
        .map(|p| (p.id.as_str(), &p.members))
        .collect();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut stack = vec![id];
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        match groups.get(x) {
            Some(members) => stack.extend(members.iter().map(String::as_str)),
            None => {
                if let Some(&p) = person.get(x) {
                    out.insert(p);
                }
            }
        }
    }
}

/// The groups containing `group`, and itself, in a world.
fn groups_above<'w>(world: &'w World, group: &'w str) -> FxHashSet<&'w str> {
    let mut seen = FxHashSet::default();
    let mut stack = vec![group];
    while let Some(g) = stack.pop() {
        if seen.insert(g) {
            stack.extend(
                world
                    .principals
                    .iter()
                    .filter(|p| p.kind == PrincipalKind::Group && p.members.iter().any(|m| m == g))
                    .map(|p| p.id.as_str()),
            );
        }
    }
    seen
}

fn grants(world: &World) -> FxHashMap<(&str, &str), Access> {
    world
        .grants
        .iter()
        .map(|g| ((g.resource.as_str(), g.principal.as_str()), g.access))
        .collect()
}

/// The blocks of pairs `before` to `after` can change (see the module doc).
pub fn reachable(before: &World, after: &World, catalog: &Catalog) -> Vec<Block> {
    let layout = Layout::new(before);
    let person: FxHashMap<&str, u32> = catalog
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u32))
        .collect();
    let both = [before, after];
    let people_of = |id: &str| {
        let mut out = FxHashSet::default();
        for w in both {
            people_in(w, &person, id, &mut out);
        }
        out
    };
    // Rectangles: people times a mask of resources.
    let mut tiles: Vec<(FxHashSet<u32>, Vec<bool>)> = Vec::new();

    let (grants_before, grants_after) = (grants(before), grants(after));
    let mut edited: Vec<(&str, &str)> = grants_before
        .iter()
        .filter(|(k, a)| grants_after.get(*k) != Some(a))
        .chain(
            grants_after
                .iter()
                .filter(|(k, a)| grants_before.get(*k) != Some(a)),
        )
        .map(|(&k, _)| k)
        .collect();
    edited.sort_unstable();
    edited.dedup();
    for (resource, principal) in edited {
        if let Some(&x) = layout.resource.get(resource) {
            tiles.push((people_of(principal), layout.region([x])));
        }
    }

    let moved: Vec<u32> = before
        .resources
        .iter()
        .zip(&after.resources)
        .enumerate()
        .filter(|(_, (b, a))| b.owner != a.owner)
        .map(|(i, _)| i as u32)
        .collect();
    if !moved.is_empty() {
        let above = layout.upward(moved.iter().copied());
        let mut people = FxHashSet::default();
        for w in both {
            for &r in &moved {
                if let Some(owner) = w.resources.get(r as usize).map(|x| x.owner.as_str())
                    && let Some(&p) = person.get(owner)
                {
                    people.insert(p);
                }
            }
            for g in &w.grants {
                if layout
                    .resource
                    .get(g.resource.as_str())
                    .is_some_and(|x| above.contains(x))
                {
                    people_in(w, &person, &g.principal, &mut people);
                }
            }
            if w.profile == Profile::Direct {
                people.extend(
                    w.principals
                        .iter()
                        .filter(|p| {
                            p.kind == PrincipalKind::User && p.roles.contains(&Role::DataOwner)
                        })
                        .filter_map(|p| person.get(p.id.as_str()).copied()),
                );
            }
        }
        tiles.push((people, layout.region(moved)));
    }

    let members = |w: &World| -> FxHashSet<(String, String)> {
        w.principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Group)
            .flat_map(|g| g.members.iter().map(|m| (g.id.clone(), m.clone())))
            .collect()
    };
    let (members_before, members_after) = (members(before), members(after));
    for (group, member) in members_before.symmetric_difference(&members_after) {
        let mut holders: FxHashSet<&str> = FxHashSet::default();
        for w in both {
            holders.extend(groups_above(w, group));
        }
        let granted = before
            .grants
            .iter()
            .chain(&after.grants)
            .filter(|g| holders.contains(g.principal.as_str()))
            .filter_map(|g| layout.resource.get(g.resource.as_str()).copied());
        tiles.push((people_of(member), layout.region(granted)));
    }

    disjoint(&tiles, before.resources.len())
}

/// Cuts overlapping rectangles into disjoint blocks: resources grouped by
/// the rectangles holding them, each group with the union of their people.
fn disjoint(tiles: &[(FxHashSet<u32>, Vec<bool>)], resources: usize) -> Vec<Block> {
    let mut groups: FxHashMap<Vec<u32>, Vec<u32>> = FxHashMap::default();
    for r in 0..resources {
        let holding: Vec<u32> = tiles
            .iter()
            .enumerate()
            .filter(|(_, (_, mask))| mask.get(r).copied().unwrap_or(false))
            .map(|(t, _)| t as u32)
            .collect();
        if !holding.is_empty() {
            groups.entry(holding).or_default().push(r as u32);
        }
    }
    let mut blocks: Vec<Block> = groups
        .into_iter()
        .map(|(holding, resources)| {
            let mut people: Vec<u32> = holding
                .iter()
                .filter_map(|&t| tiles.get(t as usize))
                .flat_map(|(p, _)| p.iter().copied())
                .collect::<FxHashSet<u32>>()
                .into_iter()
                .collect();
            people.sort_unstable();
            Block { people, resources }
        })
        .filter(|b| !b.people.is_empty())
        .collect();
    blocks.sort_by_key(|b| b.resources.first().copied());
    blocks
}
