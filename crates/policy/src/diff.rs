//! Who gains and who loses access, computed by structure.
//!
//! A change touches few owners and grants, but can reach thousands of people
//! times tens of thousands of resources. Rather than evaluate every pair, the
//! diff
//! 1. finds the region the change can affect: the touched resources, what
//!    they contain (and the biosamples of touched runs), plus everything
//!    those depend on;
//! 2. partitions the region's resources into classes that no rule can tell
//!    apart (same kind, owners, grants, and classes of what they depend on),
//!    and the people into classes that no rule can tell apart on the region
//!    (same relevant group memberships, role, and not an owner there);
//! 3. runs the rules (`eval.rs`) once per class of people times class of
//!    resources, before and after.
//!
//! Each class pair whose access differs is a `Block`: a set of people times
//! a set of resources with one before, one after and one set of reasons.
//! The flat list of the specification is derived from the blocks on demand.

use crate::eval::{Eff, NO_ACCESS, Node, Person, evaluate};
use crate::index::{Index, Pid, Rid};
use crate::model::{Profile, ResourceKind};
use crate::view::{Delta, View};
use rustc_hash::FxHashMap;

const OUTSIDE: u32 = u32::MAX;

/// Resources no rule can tell apart, in id order.
pub(crate) struct ResourceClass {
    pub kind: ResourceKind,
    pub members: Vec<Rid>,
}

/// One class of people times one class of resources whose access changes.
pub(crate) struct Block {
    pub people: usize,
    pub resources: usize,
    pub before: Eff,
    pub after: Eff,
}

pub(crate) struct Diff {
    /// People no rule can tell apart on the region, each class in id order.
    pub people: Vec<Vec<Pid>>,
    pub resources: Vec<ResourceClass>,
    /// The class of each resource of the region (`OUTSIDE` elsewhere).
    pub class_of: Vec<u32>,
    pub blocks: Vec<Block>,
}

/// The changes `delta` makes to everyone's access.
pub(crate) fn diff(index: &Index, delta: &Delta) -> Diff {
    let before = View::before(index);
    let after = View::after(index, delta);
    let by_rank = region(index, delta);
    let (resources, class_of) = resource_classes(before, after, &by_rank);
    let people = people_classes(before, after, &by_rank);

    let mut blocks = Vec::new();
    for (pc, members) in people.iter().enumerate() {
        let Some(&rep) = members.first() else {
            continue;
        };
        let person = Person::of(before, rep);
        let mut effs_before: Vec<Eff> = Vec::with_capacity(resources.len());
        let mut effs_after: Vec<Eff> = Vec::with_capacity(resources.len());
        for (rc, class) in resources.iter().enumerate() {
            let Some(&r) = class.members.first() else {
                // Classes are made with a first member; keep numbering aligned.
                effs_before.push(Eff::default());
                effs_after.push(Eff::default());
                continue;
            };
            let b = evaluate(before, &person, r, lookup(&class_of, &effs_before));
            let a = evaluate(after, &person, r, lookup(&class_of, &effs_after));
            if b.access != a.access {
                blocks.push(Block {
                    people: pc,
                    resources: rc,
                    before: b.clone(),
                    after: a.clone(),
                });
            }
            effs_before.push(b);
            effs_after.push(a);
        }
    }
    Diff {
        people,
        resources,
        class_of,
        blocks,
    }
}

/// The access already worked out for the class of a resource.
fn lookup<'e>(class_of: &'e [u32], effs: &'e [Eff]) -> impl Fn(Rid) -> (Node, &'e Eff) + 'e {
    move |c| {
        let node = class_of.get(c as usize).copied().unwrap_or(OUTSIDE);
        (node, effs.get(node as usize).unwrap_or(&NO_ACCESS))
    }
}

/// The resources whose access may change (the touched ones and everything
/// downstream of them) and those they depend on, grouped by rank and in id
/// order within a rank.
fn region(index: &Index, delta: &Delta) -> [Vec<Rid>; 3] {
    let n = index.resources.len();
    let mut inside = vec![false; n];
    let mut stack: Vec<Rid> = delta.touched().to_vec();
    let mut changed: Vec<Rid> = Vec::new();
    while let Some(r) = stack.pop() {
        if std::mem::replace(&mut inside[r as usize], true) {
            continue;
        }
        changed.push(r);
        let info = index.res(r);
        stack.extend_from_slice(&info.contents);
        if info.kind == ResourceKind::Run {
            stack.extend_from_slice(&info.sequenced);
        }
    }
    // Upward: what the changed resources depend on.
    let mut stack = changed;
    while let Some(r) = stack.pop() {
        let info = index.res(r);
        let runs: &[Rid] = match info.kind {
            ResourceKind::Biosample => &info.sequenced,
            _ => &[],
        };
        for &up in info.containers.iter().chain(runs) {
            if !std::mem::replace(&mut inside[up as usize], true) {
                stack.push(up);
            }
        }
    }
    let mut by_rank: [Vec<Rid>; 3] = Default::default();
    for &r in &index.resources_sorted {
        if inside[r as usize] {
            by_rank[index.res(r).kind.rank()].push(r);
        }
    }
    by_rank
}

/// Partitions the region's resources. A class is named by a signature of
/// everything the rules read: kind, owners and grants before and after, and
/// the classes of its containers and (for a biosample) of the runs listing
/// it. Classes are numbered in rank order, so a class's dependencies always
/// have smaller numbers.
fn resource_classes(
    before: View<'_>,
    after: View<'_>,
    by_rank: &[Vec<Rid>; 3],
) -> (Vec<ResourceClass>, Vec<u32>) {
    let index = before.index;
    let mut class_of = vec![OUTSIDE; index.resources.len()];
    let mut classes: Vec<ResourceClass> = Vec::new();
    // Most resources have no grants and one container: a small key suffices.
    let mut plain: FxHashMap<(ResourceKind, Pid, Pid, u32), u32> = FxHashMap::default();
    let mut general: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut key: Vec<u32> = Vec::new();
    for &r in by_rank.iter().flatten() {
        let info = index.res(r);
        let (owner_b, owner_a) = (before.owner(r), after.owner(r));
        let (grants_b, grants_a) = (before.grants(r), after.grants(r));
        let new_class = |classes: &mut Vec<ResourceClass>| {
            classes.push(ResourceClass {
                kind: info.kind,
                members: Vec::new(),
            });
            (classes.len() - 1) as u32
        };
        let class = match info.containers.as_slice() {
            [c] if grants_b.is_empty()
                && grants_a.is_empty()
                && info.kind != ResourceKind::Biosample =>
            {
                let k = (info.kind, owner_b, owner_a, class_of[*c as usize]);
                match plain.get(&k) {
                    Some(&class) => class,
                    None => {
                        let class = new_class(&mut classes);
                        plain.insert(k, class);
                        class
                    }
                }
            }
            _ => {
                key.clear();
                key.extend([info.kind as u32, owner_b, owner_a, grants_b.len() as u32]);
                key.extend(grants_b.iter().flat_map(|(p, a)| [*p, a.code()]));
                key.extend(grants_a.iter().flat_map(|(p, a)| [*p, a.code()]));
                key.push(OUTSIDE);
                push_classes(&mut key, &info.containers, &class_of);
                if info.kind == ResourceKind::Biosample {
                    key.push(OUTSIDE);
                    push_classes(&mut key, &info.sequenced, &class_of);
                }
                match general.get(key.as_slice()) {
                    Some(&class) => class,
                    None => {
                        let class = new_class(&mut classes);
                        general.insert(key.clone(), class);
                        class
                    }
                }
            }
        };
        class_of[r as usize] = class;
        classes[class as usize].members.push(r);
    }
    // Members were added rank by rank, each rank in id order; a class holds
    // one kind, hence one rank, so its members are in id order.
    (classes, class_of)
}

/// Appends the sorted, distinct classes of `rs` to a signature.
fn push_classes(key: &mut Vec<u32>, rs: &[Rid], class_of: &[u32]) {
    let start = key.len();
    key.extend(rs.iter().map(|&r| class_of[r as usize]));
    key[start..].sort_unstable();
    let mut distinct = start;
    for i in start..key.len() {
        if i == start || key[i] != key[distinct - 1] {
            key[distinct] = key[i];
            distinct += 1;
        }
    }
    key.truncate(distinct);
}

/// Partitions the people who may hold access anywhere in the region. Two
/// people are alike when neither owns anything there, they hold the same
/// role, and they belong to the same groups among those holding a grant
/// there. People who can reach nothing there are left out.
fn people_classes(before: View<'_>, after: View<'_>, by_rank: &[Vec<Rid>; 3]) -> Vec<Vec<Pid>> {
    let index = before.index;
    let newcomer = index.newcomer();
    let slots = newcomer as usize + 1;
    let mut grantee = vec![false; slots];
    let mut owner = vec![false; slots];
    for &r in by_rank.iter().flatten() {
        for view in [before, after] {
            owner[view.owner(r) as usize] = true;
            for &(p, _) in view.grants(r) {
                grantee[p as usize] = true;
            }
        }
    }
    let mut candidate = owner.clone();
    for (p, info) in index.principals.iter().enumerate() {
        if grantee[p] {
            for &q in &info.people {
                candidate[q as usize] = true;
            }
        }
        if info.reads_every_project && index.profile() == Profile::Direct && !by_rank[0].is_empty()
        {
            candidate[p] = true;
        }
    }

    let mut order: Vec<Pid> = index
        .people_sorted
        .iter()
        .copied()
        .filter(|&p| candidate[p as usize])
        .collect();
    if candidate[newcomer as usize]
        && let Some(email) = after.delta.and_then(|d| d.newcomer.as_deref())
    {
        let at = order.partition_point(|&p| index.principal_id(p) < email);
        order.insert(at, newcomer);
    }

    let mut classes: Vec<Vec<Pid>> = Vec::new();
    let mut by_key: FxHashMap<Vec<u32>, usize> = FxHashMap::default();
    let mut key = Vec::new();
    for p in order {
        key.clear();
        key.push(if owner[p as usize] { p } else { OUTSIDE });
        key.push(u32::from(before.reads_every_project(p)));
        if grantee[p as usize] {
            key.push(p);
        }
        key.extend(before.groups(p).iter().filter(|&&g| grantee[g as usize]));
        let class = match by_key.get(key.as_slice()) {
            Some(&c) => c,
            None => {
                classes.push(Vec::new());
                by_key.insert(key.clone(), classes.len() - 1);
                classes.len() - 1
            }
        };
        classes[class].push(p);
    }
    classes
}

impl Diff {
    /// The region's resources, in id order, whose class is among `classes`
    /// (flags indexed by class). One pass over the resources: cheaper than
    /// merging the classes' sorted member lists.
    pub fn resources_in(&self, index: &Index, classes: &[bool]) -> Vec<Rid> {
        index
            .resources_sorted
            .iter()
            .copied()
            .filter(|&r| {
                self.class_of
                    .get(r as usize)
                    .and_then(|&c| classes.get(c as usize))
                    .copied()
                    .unwrap_or(false)
            })
            .collect()
    }

    /// Rewrites a path of classes as the concrete chain of resources that
    /// leads to `r`: at each step, the container (or run) of the current
    /// resource that is of the named class.
    pub fn concrete_path(&self, index: &Index, r: Rid, path: &[Node]) -> Vec<Rid> {
        let mut out = Vec::with_capacity(path.len());
        let mut current = r;
        for &node in path {
            let info = index.res(current);
            let runs: &[Rid] = match info.kind {
                ResourceKind::Biosample => &info.sequenced,
                _ => &[],
            };
            let next = info
                .containers
                .iter()
                .chain(runs)
                .copied()
                .find(|&x| self.class_of.get(x as usize) == Some(&node));
            match next {
                Some(x) => {
                    out.push(x);
                    current = x;
                }
                None => break,
            }
        }
        out
    }
}
