//! Who gains and who loses access, computed by structure, at a cost that
//! follows the change rather than the world.
//!
//! A change touches few owners and grants but can reach thousands of people
//! times tens of thousands of resources, in organisations whose groups
//! overlap irregularly. The diff never evaluates people against resources
//! pair by pair, nor class of people against class of resources:
//!
//! 1. **Region.** The resources whose access may change (the touched ones
//!    and what they contain, and the biosamples of touched runs), plus
//!    what those depend on. Most of a project's resources are leaves that
//!    *follow* their one container (`Resources::follows`: its owner, no
//!    grants, nothing inside): while the change keeps the container's
//!    owner and leaves them alone, they take the container's cascade, so
//!    they are settled a container at a time, counted by totals the index
//!    keeps, and never walked.
//! 2. **Nodes.** Each resource's access for everyone, before and after, is
//!    a pair of grant sets (`sets.rs`). Resources with equal pairs share a
//!    node. Every node derives from a parent: a container's node seen
//!    through the cascade (`Shape::Cascade`), or a base plus the few grants
//!    a resource adds (`Shape::Extend`). Most of a project's resources are
//!    their container's cascade and cost one array lookup.
//! 3. **Exceptions.** Everyone has an *outcome* on a node (their access
//!    before and after, or `SAME`). A node stores only the people whose
//!    outcome differs from its parent's, found among the grantees in which
//!    the two differ; the root gives everyone `SAME`. When a node adds the
//!    same grants before and after, only people whose access already
//!    changes on the parent can differ, so the exceptions come from the
//!    grants' members without evaluating anyone.
//! 4. **Classes of people.** Starting from everyone alike, each node's
//!    exceptions split the classes they touch (partition refinement); a
//!    class remembers the nodes where it was split off with its outcome
//!    there. People alike on every node change alike everywhere.
//! 5. **Counts.** A class's outcome on a node is the one of the nearest
//!    node on the way to the root where it was split off, so its counts by
//!    kind are the subtree sizes of those nodes minus their nested ones.
//!
//! The cost is the region (one step per resource), the distinct nodes,
//! the members of the grants in which nodes differ, and the answer (the
//! classes and their split nodes); never people times resources. Reasons
//! are worked out per person and resource only when a page or a summary
//! shows them (`eval::access_at`).
//!
//! Where the time goes now, on an irregular organisation: for a share,
//! the resources that do not follow their container, most of them
//! biosamples (each one's names depend on the runs listing it); for a
//! project transfer, the biosamples too. The associated data stays with the sender,
//! so nothing cascades from the project after acceptance, and everyone
//! who read through the project loses access; a biosample then adds the
//! names seen on each run listing it as a step of its own, and the people
//! who read those runs become exceptions again at every step. Biosamples
//! listed on different sets of runs share no steps, so the steps take
//! their runs by readers, most first: the first step is shared by every
//! biosample of that run, and each later one holds only the readers the
//! earlier ones missed (on the irregular L world, 269,000 exceptions
//! became 105,000).

use crate::access::Access;
use crate::eval::{cascade, cascades, names_seen, role_access};
use crate::index::{Index, Pid, Rid};
use crate::model::Profile;
use crate::model::ResourceKind;
use crate::sets::{EMPTY, SetId, Sets, side_by_side};
use crate::view::{Delta, View};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

pub(crate) type NodeId = u32;
const ROOT: NodeId = 0;
/// `node_of` for a resource outside the region.
const OUTSIDE: NodeId = NodeId::MAX;
/// Nodes with this many children get a dense table of outcomes.
const DENSE_AFTER: u32 = 16;
/// The number of resource kinds.
pub(crate) const KINDS: usize = 9;

/// A person's access to a resource before and after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Outcome {
    pub before: Access,
    pub after: Access,
}

impl Outcome {
    /// No change (whatever the access is).
    pub const SAME: Outcome = Outcome {
        before: Access::NONE,
        after: Access::NONE,
    };

    fn of(before: Access, after: Access) -> Outcome {
        if before == after {
            Outcome::SAME
        } else {
            Outcome { before, after }
        }
    }

    pub fn changes(self) -> bool {
        self.before != self.after
    }
}

impl crate::order::Packs for Outcome {
    fn pack(self) -> u32 {
        (self.before.pack() << 16) | self.after.pack()
    }

    fn unpack(bits: u32) -> Outcome {
        Outcome {
            before: Access::unpack(bits >> 16),
            after: Access::unpack(bits & 0xffff),
        }
    }
}

/// How a node's grant sets derive from its parent's.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Root,
    /// The parent's sets through the cascade, on the sides where it applies.
    Cascade([bool; 2]),
    /// The names that the parent's readers see on a run's biosamples.
    Names,
    /// The parent's sets joined with these, before and after.
    Extend([SetId; 2]),
}

struct Node {
    parent: NodeId,
    shape: Shape,
    /// The grant sets before and after, once worked out.
    full: Option<[SetId; 2]>,
    /// No one's outcome changes here or above.
    quiet: bool,
    /// People whose outcome differs from the parent's, by person.
    exceptions: Vec<(Pid, Outcome)>,
    children: u32,
}

/// Nodes where a class was split off, with its outcome there.
pub(crate) type Marks = Vec<(NodeId, Outcome)>;

/// Resources of the region, counted by kind.
pub(crate) type Counts = [u64; KINDS];

/// People alike on every node: the same change on the same resources.
pub(crate) struct PeopleClass {
    /// In id order (the newcomer in its email's place).
    pub members: Vec<Pid>,
    /// The nodes where the class was split off, with its outcome there.
    pub marks: Vec<(NodeId, Outcome)>,
    /// For each outcome that changes access: resources by kind.
    pub outcomes: Vec<(Outcome, Counts)>,
}

pub(crate) struct Diff {
    parents: Vec<NodeId>,
    /// Region resources directly in each node, by kind, then whole subtrees.
    subtree: Vec<Counts>,
    /// One region resource directly in each node, if any.
    first: Vec<Option<Rid>>,
    /// Each node's subtree as a range of positions in a depth-first order
    /// of the nodes (its own position first).
    span: Vec<(u32, u32)>,
    /// The nodes in that order.
    by_position: Vec<NodeId>,
    /// For each position, the first position from it on whose node holds
    /// a resource directly (`by_position.len()` when none does).
    next_holding: Vec<u32>,
    /// The node of each region resource; `OUTSIDE` elsewhere.
    pub node_of: Vec<NodeId>,
    /// The region's resources walked one by one, so that sums over them
    /// cost the region, not the world.
    region: Vec<Rid>,
    /// Containers whose followers were settled in one step, each with the
    /// node all its followers share: sums over followers are the
    /// containers' totals (`subtree_sums`), not a step per follower.
    bulk: Vec<(Rid, NodeId)>,
    /// People with changes, by class.
    pub classes: Vec<PeopleClass>,
    /// Scratch, by node: the position of a node among the marks being
    /// read (`NOT_MARKED` elsewhere). A class has hundreds of marks and a
    /// preview thousands of classes, so marks are found by array, not map.
    marked: RefCell<Vec<u32>>,
}

const NOT_MARKED: u32 = u32::MAX;

/// Everyone's outcome on a node with many children, and apart the people
/// whose access changes there: a cascade below such a node maps only
/// those (`changed_on`), who in a large organisation are a few hundred
/// of its ten thousand people.
struct Dense {
    table: Box<[Outcome]>,
    /// `(person, outcome)` where the outcome changes access, by person.
    changing: Vec<(Pid, Outcome)>,
}

/// The changes `delta` makes to everyone's access.
pub(crate) fn diff(index: &Index, delta: &Delta) -> Diff {
    let views = [View::before(index), View::after(index, delta)];
    let Region {
        order,
        context_only,
        settled_in_bulk,
    } = region(index, delta, views);
    let mut b = Builder::new(index, views);
    for &r in &order {
        let node = b.node_for(r);
        b.node_of[r as usize] = node;
    }
    // Followers are plain resources (see `Builder::node_for`): their
    // container's cascade on both sides.
    let bulk: Vec<(Rid, NodeId)> = settled_in_bulk
        .iter()
        .map(|&c| (c, b.cascade_node(b.node_of[c as usize], [true, true])))
        .collect();
    // What was walked only as context changes nobody's access.
    let mut node_of = std::mem::take(&mut b.node_of);
    for &r in &context_only {
        node_of[r as usize] = OUTSIDE;
    }
    let region: Vec<Rid> = order
        .iter()
        .copied()
        .filter(|&r| node_of[r as usize] != OUTSIDE)
        .collect();
    for &(c, node) in &bulk {
        for &f in index.resources.split_contents(c).1 {
            node_of[f as usize] = node;
        }
    }
    let classes = b.classes(index, delta);
    let mut diff = Diff {
        parents: b.nodes.iter().map(|n| n.parent).collect(),
        subtree: vec![[0; KINDS]; b.nodes.len()],
        first: vec![None; b.nodes.len()],
        span: Vec::new(),
        by_position: Vec::new(),
        next_holding: Vec::new(),
        node_of,
        region,
        bulk: Vec::new(),
        classes: Vec::new(),
        marked: RefCell::new(vec![NOT_MARKED; b.nodes.len()]),
    };
    for &r in &order {
        let n = diff.node_of[r as usize];
        if let Some(counts) = diff.subtree.get_mut(n as usize) {
            counts[index.resources.kind(r) as usize] += 1;
            diff.first[n as usize].get_or_insert(r);
        }
    }
    // Followers by their containers' totals. A node's first resource is
    // the first in the order of the walk (by rank, then number); a
    // container's followers are in number order and all of one rank.
    let place = |r: Rid| (index.resources.kind(r).rank(), r);
    for &(c, n) in &bulk {
        let (_, followers) = index.resources.split_contents(c);
        if let (Some(counts), Some(totals), Some(&head)) = (
            diff.subtree.get_mut(n as usize),
            index.resources.follower_counts(c),
            followers.first(),
        ) {
            for (count, &add) in counts.iter_mut().zip(totals) {
                *count += u64::from(add);
            }
            let first = &mut diff.first[n as usize];
            if first.is_none_or(|f| place(head) < place(f)) {
                *first = Some(head);
            }
        }
    }
    for n in (1..diff.parents.len()).rev() {
        let parent = diff.parents[n] as usize;
        let below = diff.subtree[n];
        for (total, add) in diff.subtree[parent].iter_mut().zip(below) {
            *total += add;
        }
    }
    diff.bulk = bulk;
    diff.lay_out();
    diff.classes = classes
        .into_iter()
        .filter_map(|(members, marks)| {
            let outcomes = diff.outcome_counts(&marks);
            (!outcomes.is_empty()).then_some(PeopleClass {
                members,
                marks,
                outcomes,
            })
        })
        .collect();
    diff
}

/// The resources whose access may change, split by how they are settled.
struct Region {
    /// Those walked one by one and those they depend on, in an order where
    /// each comes after what it depends on (by rank, then number).
    order: Vec<Rid>,
    /// Those of `order` walked only because others depend on them: their
    /// access does not change.
    context_only: Vec<Rid>,
    /// Containers in the region whose followers (`Resources::follows`)
    /// are settled in one step, not walked: those whose owner the change
    /// keeps and none of whose followers it touches.
    settled_in_bulk: Vec<Rid>,
}

/// What [`region`] knows of a resource.
#[derive(Clone, Copy, PartialEq)]
enum Reach {
    Outside,
    /// Its access may change.
    InRegion,
    /// Only something in the region depends on it.
    Context,
}

/// The resources whose access may change and those they depend on. Its
/// cost follows the region, but for one pass over a byte per resource: a
/// run's transfer reaches a thousand resources of a world of a hundred
/// thousand.
fn region(index: &Index, delta: &Delta, views: [View<'_>; 2]) -> Region {
    let n = index.resources.len();
    let mut reach = vec![Reach::Outside; n];
    // Containers of the followers the change touches: those followers
    // are walked like any other resource.
    let mut touched_followers: Vec<Rid> = delta
        .touched()
        .iter()
        .filter(|&&r| index.resources.follows(r))
        .filter_map(|&r| index.resources.first_container(r))
        .collect();
    crate::order::numbers(&mut touched_followers);
    touched_followers.dedup();
    let in_bulk = |c: Rid| {
        views[0].owner(c) == views[1].owner(c) && touched_followers.binary_search(&c).is_err()
    };
    let mut settled_in_bulk = Vec::new();
    let mut stack: Vec<Rid> = delta.touched().to_vec();
    stack.extend_from_slice(&delta.membership.reached);
    let mut changed: Vec<Rid> = Vec::new();
    while let Some(r) = stack.pop() {
        if std::mem::replace(&mut reach[r as usize], Reach::InRegion) == Reach::InRegion {
            continue;
        }
        changed.push(r);
        let info = index.res(r);
        let (walked, followers) = index.resources.split_contents(r);
        if !followers.is_empty() && in_bulk(r) {
            settled_in_bulk.push(r);
            stack.extend_from_slice(walked);
        } else {
            stack.extend_from_slice(info.contents);
        }
        if info.kind == ResourceKind::Run {
            stack.extend_from_slice(info.sequenced);
        }
    }
    let mut context_only = Vec::new();
    let mut stack = changed.clone();
    while let Some(r) = stack.pop() {
        let info = index.res(r);
        for &up in info.containers.iter().chain(listed_on(index, r)) {
            if reach[up as usize] == Reach::Outside {
                reach[up as usize] = Reach::Context;
                context_only.push(up);
                stack.push(up);
            }
        }
    }
    // By rank, then number: a small region is sorted, a large one read
    // off in one pass.
    let mut by_rank: [Vec<Rid>; 3] = Default::default();
    if changed.len() + context_only.len() < n / 16 {
        for &r in changed.iter().chain(&context_only) {
            by_rank[index.resources.kind(r).rank()].push(r);
        }
        for rank in &mut by_rank {
            crate::order::numbers(rank);
        }
    } else {
        for (r, &state) in reach.iter().enumerate() {
            if state != Reach::Outside {
                by_rank[index.resources.kind(r as Rid).rank()].push(r as Rid);
            }
        }
    }
    let order = by_rank.concat();
    Region {
        order,
        context_only,
        settled_in_bulk,
    }
}

/// The runs listing a biosample; nothing for other kinds.
fn listed_on(index: &Index, r: Rid) -> &[Rid] {
    let info = index.res(r);
    match info.kind {
        ResourceKind::Biosample => info.sequenced,
        _ => &[],
    }
}

struct Builder<'a> {
    index: &'a Index,
    views: [View<'a>; 2],
    sets: Sets,
    nodes: Vec<Node>,
    /// Per node, its cascade node for each sides but none (`OUTSIDE`
    /// until made): read for every resource of a region, so an array.
    cascade_nodes: Vec<[NodeId; 3]>,
    extend_nodes: FxHashMap<(NodeId, SetId, SetId), NodeId>,
    names_nodes: FxHashMap<NodeId, NodeId>,
    /// Per run node, how many read it after the change (`readers`).
    readers: FxHashMap<NodeId, usize>,
    /// The node of resources by everything their extras read (`key`).
    alike: FxHashMap<Box<[u32]>, NodeId>,
    key: Vec<u32>,
    node_of: Vec<NodeId>,
    /// The grantee standing for the data-owner role, and its people.
    role: Pid,
    data_owners: &'a [Pid],
    /// People whose groups the change moves (see `evaluated`).
    movers: &'a [Pid],
    /// Per node, everyone's outcome for nodes with many children (`None`
    /// elsewhere): read at every level of every lookup, so by node.
    dense: Vec<Option<Dense>>,
    /// Everyone's outcome on one node (`outcome_on`), read for each
    /// person evaluated below it: the exceptions on the way up to the
    /// nearest dense table, each person stamped with `looked_up` where set.
    overlay: Vec<(NodeId, Outcome)>,
    overlay_base: Option<NodeId>,
    looked_up: NodeId,
    /// Scratch, indexed by person: a stamp and an accumulated access.
    stamp: Vec<u32>,
    round: u32,
    held: Vec<Access>,
    /// Scratch, by grantee: the sets before and after of the node being
    /// evaluated (`evaluated`), `Access::NONE` between evaluations.
    tables: [Vec<Access>; 2],
}

impl<'a> Builder<'a> {
    fn new(index: &'a Index, views: [View<'a>; 2]) -> Builder<'a> {
        let role = index.newcomer() + 1;
        let movers = views[1]
            .delta
            .map_or(&[][..], |d| d.membership.movers.as_slice());
        let slots = role as usize + 1;
        Builder {
            index,
            views,
            sets: Sets::new(index.profile()),
            nodes: vec![Node {
                parent: ROOT,
                shape: Shape::Root,
                full: Some([EMPTY, EMPTY]),
                quiet: true,
                exceptions: Vec::new(),
                children: 0,
            }],
            cascade_nodes: vec![[OUTSIDE; 3]],
            extend_nodes: FxHashMap::default(),
            names_nodes: FxHashMap::default(),
            readers: FxHashMap::default(),
            alike: FxHashMap::default(),
            key: Vec::new(),
            node_of: vec![OUTSIDE; index.resources.len()],
            role,
            data_owners: &index.data_owners,
            movers,
            dense: vec![None],
            overlay: vec![(OUTSIDE, Outcome::SAME); slots],
            overlay_base: None,
            looked_up: OUTSIDE,
            stamp: vec![0; slots],
            round: 0,
            held: vec![Access::NONE; slots],
            tables: [vec![Access::NONE; slots], vec![Access::NONE; slots]],
        }
    }

    /// The node of a resource whose containers (and runs) have theirs.
    fn node_for(&mut self, r: Rid) -> NodeId {
        let (index, views) = (self.index, self.views);
        let info = index.res(r);
        let cascading = |c: Rid| views.map(|v| cascades(v, c, r));
        // The container to derive from: one whose access cascades on both
        // sides if there is one.
        let primary = info
            .containers
            .iter()
            .copied()
            .find(|&c| cascading(c) == [true, true])
            .or_else(|| info.containers.first().copied());
        let mut base = match primary {
            Some(c) => self.cascade_node(self.node_of[c as usize], cascading(c)),
            None => ROOT,
        };
        // A biosample that nothing cascades to derives from the names seen
        // on a run listing it.
        if base == ROOT
            && info.kind == ResourceKind::Biosample
            && let Some(&run) = info.sequenced.first()
        {
            base = self.names_node(self.node_of[run as usize]);
        }
        let plain = info.containers.len() == 1
            && primary.is_some_and(|c| cascading(c) == [true, true])
            && info.kind != ResourceKind::Biosample
            && views.iter().all(|v| v.grants(r).is_empty());
        if plain {
            // Its owner's ownership is already in the cascade.
            return base;
        }
        // Resources alike in everything their extras read share a node:
        // most biosamples, many resources with the same grants.
        self.what_extras_read(r, primary, base);
        if let Some(&n) = self.alike.get(self.key.as_slice()) {
            return n;
        }
        // A biosample adds the names seen on each run listing it, one run
        // at a time in node order: biosamples listed on the same runs then
        // share the steps, and a run read by many (names before or after)
        // makes its exceptions once, not once per biosample.
        let mut node = base;
        if info.kind == ResourceKind::Biosample {
            let mut runs: Vec<NodeId> = info
                .sequenced
                .iter()
                .map(|&run| self.node_of[run as usize])
                .collect();
            crate::order::numbers(&mut runs);
            runs.dedup();
            // The run with the most readers first: a step's exceptions are
            // the readers the steps before it have not reached, and the first
            // step is shared by every biosample listed on that run.
            // (Runs in node order, so runs with as many readers stay so.)
            let mut by_readers: Vec<(u32, NodeId)> = runs
                .iter()
                .map(|&run| (u32::try_from(self.readers(run)).unwrap_or(u32::MAX), run))
                .collect();
            crate::order::stable_by_key(&mut by_readers, |&(readers, _)| u32::MAX - readers);
            for (_, run) in by_readers {
                if let (Some(before), Some(after)) =
                    (self.run_names(run, 0, base), self.run_names(run, 1, base))
                {
                    node = self.extend_node(node, [before, after]);
                }
            }
        }
        let extras = [0, 1].map(|side| self.extras(r, side, primary));
        let n = self.extend_node(node, extras);
        self.alike.insert(self.key.as_slice().into(), n);
        n
    }

    /// Fills `key` with everything `extras` reads of a resource: the base,
    /// the kind, owners and grants on both sides, the other containers'
    /// nodes and whether they cascade, and the nodes of runs listing it.
    fn what_extras_read(&mut self, r: Rid, primary: Option<Rid>, base: NodeId) {
        let (index, views) = (self.index, self.views);
        let info = index.res(r);
        let key = &mut self.key;
        key.clear();
        key.extend([base, info.kind as u32]);
        for view in views {
            let grants = view.grants(r);
            key.extend([view.owner(r), grants.len() as u32]);
            key.extend(grants.iter().flat_map(|&(q, a)| [q, a.code()]));
        }
        for &c in info.containers.iter().filter(|&&c| Some(c) != primary) {
            let sides = views.map(|v| cascades(v, c, r));
            key.extend([
                self.node_of[c as usize],
                u32::from(sides[0]) << 1 | u32::from(sides[1]),
            ]);
        }
        if info.kind == ResourceKind::Biosample {
            key.push(OUTSIDE);
            key.extend(info.sequenced.iter().map(|&run| self.node_of[run as usize]));
        }
    }

    /// What a resource adds to its base on one side: its owner, grants and
    /// the role, and the cascade of its other containers.
    fn extras(&mut self, r: Rid, side: usize, primary: Option<Rid>) -> SetId {
        let (index, view) = (self.index, self.views[side]);
        let info = index.res(r);
        let mut own: Vec<(Pid, Access)> = vec![(view.owner(r), Access::OWNER)];
        own.extend_from_slice(view.grants(r));
        if !self.data_owners.is_empty() {
            own.push((self.role, role_access(info.kind)));
        }
        let mut set = self.sets.of(own);
        for &c in info.containers {
            if Some(c) != primary && cascades(view, c, r) {
                let container = self.full(self.node_of[c as usize])[side];
                let cascaded = self.sets.cascade(container);
                set = self.sets.join(set, cascaded);
            }
        }
        set
    }

    /// The names that readers of a run (of node `run`) see on a biosample
    /// derived from `base`, on one side; `None` when the base covers them.
    fn run_names(&mut self, run: NodeId, side: usize, base: NodeId) -> Option<SetId> {
        if run == base || self.names_nodes.get(&run) == Some(&base) {
            return None;
        }
        Some(match self.nodes[run as usize].shape {
            // The names of the base are in the base already.
            Shape::Extend(delta) if self.nodes[run as usize].parent == base => {
                self.sets.names(delta[side])
            }
            _ => {
                let seen = self.full(run)[side];
                self.sets.names(seen)
            }
        })
    }

    /// How many people read a run (of node `run`) after the change,
    /// counting a person once per grantee.
    fn readers(&mut self, run: NodeId) -> usize {
        if let Some(&count) = self.readers.get(&run) {
            return count;
        }
        let after = self.full(run)[1];
        let count = self
            .sets
            .get(after)
            .iter()
            .filter(|(_, a)| names_seen(*a) != Access::NONE)
            .map(|&(q, _)| self.people_of(1, q).len())
            .sum();
        self.readers.insert(run, count);
        count
    }

    /// The sets before and after of a node.
    fn full(&mut self, n: NodeId) -> [SetId; 2] {
        if let Some(full) = self.nodes[n as usize].full {
            return full;
        }
        let node = &self.nodes[n as usize];
        let (parent, shape) = (node.parent, node.shape);
        let base = self.full(parent);
        let full = match shape {
            Shape::Extend(delta) => [0, 1].map(|s| self.sets.join(base[s], delta[s])),
            // Other nodes are made with their sets.
            Shape::Cascade(_) | Shape::Names | Shape::Root => base,
        };
        self.nodes[n as usize].full = Some(full);
        full
    }

    /// The node of what `container`'s access gives on what it contains, on
    /// the sides where it cascades.
    fn cascade_node(&mut self, container: NodeId, sides: [bool; 2]) -> NodeId {
        if sides == [false, false] {
            return ROOT;
        }
        let slot = match sides {
            [true, true] => 0,
            [true, false] => 1,
            _ => 2,
        };
        if let Some(&n) = self
            .cascade_nodes
            .get(container as usize)
            .map(|known| &known[slot])
            .filter(|&&n| n != OUTSIDE)
        {
            return n;
        }
        let n = if sides == [true, true] {
            self.full_cascade(container)
        } else {
            self.one_sided_cascade(container, sides)
        };
        if let Some(known) = self.cascade_nodes.get_mut(container as usize) {
            known[slot] = n;
        }
        n
    }

    /// The cascade on both sides: a map item by item of the container's
    /// sets, so only people whose access changes there are looked at.
    fn full_cascade(&mut self, container: NodeId) -> NodeId {
        let above = self.full(container);
        let full = above.map(|s| self.sets.cascade(s));
        if full == above {
            return container;
        }
        let quiet = self.nodes[container as usize].quiet;
        let n = self.push(container, Shape::Cascade([true, true]), Some(full), quiet);
        let profile = self.index.profile();
        self.mapped_exceptions(n, container, |a| self::cascaded(profile, a));
        n
    }

    /// The cascade on one side only (a resource whose owner differs from
    /// its container's on the other side, such as a FASTQ file staying with
    /// the sender of a transfer). Nearly everyone with access changes there,
    /// so rather than evaluating them under every container, the node is
    /// built by the container's structure: the cascade keeps joins and
    /// cascading twice is cascading once, so the one-sided cascade of a
    /// base plus grants is the one-sided cascade of the base plus the
    /// cascaded grants, and people are evaluated once, at the top.
    fn one_sided_cascade(&mut self, container: NodeId, sides: [bool; 2]) -> NodeId {
        let (parent, shape) = {
            let node = &self.nodes[container as usize];
            (node.parent, node.shape)
        };
        match shape {
            Shape::Root => ROOT,
            Shape::Cascade(applied) => {
                self.cascade_node(parent, [sides[0] && applied[0], sides[1] && applied[1]])
            }
            Shape::Extend(delta) => {
                let base = self.cascade_node(parent, sides);
                let added = [0, 1].map(|s| {
                    if sides[s] {
                        self.sets.cascade(delta[s])
                    } else {
                        EMPTY
                    }
                });
                self.extend_node(base, added)
            }
            Shape::Names => {
                let above = self.full(container);
                let full = [0, 1].map(|s| {
                    if sides[s] {
                        self.sets.cascade(above[s])
                    } else {
                        EMPTY
                    }
                });
                let n = self.push(container, Shape::Cascade(sides), Some(full), false);
                let candidates = self.differing(above, full);
                self.evaluate_exceptions(n, &candidates);
                n
            }
        }
    }

    /// The node of the names a node's readers see on a run's biosamples.
    /// Built by structure where it can be: the names of a base plus added
    /// grants are the names of the base plus the names of the grants.
    fn names_node(&mut self, n: NodeId) -> NodeId {
        if n == ROOT {
            return ROOT;
        }
        if let Some(&m) = self.names_nodes.get(&n) {
            return m;
        }
        let (parent, shape) = (self.nodes[n as usize].parent, self.nodes[n as usize].shape);
        let m = match shape {
            Shape::Extend(delta) => {
                let base = self.names_node(parent);
                let added = delta.map(|s| self.sets.names(s));
                self.extend_node(base, added)
            }
            _ => {
                let full = self.full(n).map(|s| self.sets.names(s));
                let quiet = self.nodes[n as usize].quiet;
                let m = self.push(n, Shape::Names, Some(full), quiet);
                self.mapped_exceptions(m, n, names_seen);
                m
            }
        };
        self.names_nodes.insert(n, m);
        m
    }

    /// The node of `base` joined with `extras` before and after. The node
    /// keeps only the items that add to the base (so that resources adding
    /// the same share it); the exceptions may use either form.
    fn extend_node(&mut self, base: NodeId, extras: [SetId; 2]) -> NodeId {
        let delta = if extras[0] == extras[1] {
            // Keep what adds to either side, so that both sides add the same.
            let kept = self.reduce(extras[0], base, &[0, 1]);
            [kept, kept]
        } else {
            [0, 1].map(|side| self.reduce(extras[side], base, &[side]))
        };
        if delta == [EMPTY, EMPTY] {
            return base;
        }
        if let Some(&n) = self.extend_nodes.get(&(base, delta[0], delta[1])) {
            return n;
        }
        let quiet = self.nodes[base as usize].quiet && delta[0] == delta[1];
        let n = self.push(base, Shape::Extend(delta), None, quiet);
        if !self.nodes[n as usize].quiet {
            self.extend_exceptions(n, base, extras);
        }
        self.extend_nodes.insert((base, delta[0], delta[1]), n);
        n
    }

    /// The items of `extras` that add to what grantees hold on node `n`
    /// on one of `sides`. Read through the chain of nodes (`at`), so that
    /// the base's sets need not be worked out: most bases are steps of a
    /// chain (a biosample's runs, one by one) that nothing else reads.
    fn reduce(&mut self, extras: SetId, n: NodeId, sides: &[usize]) -> SetId {
        let adds = |&&(q, a): &&(Pid, Access)| {
            sides.iter().any(|&side| {
                let held = self.at(n, side, q);
                held.combine(a) != held
            })
        };
        let items = self.sets.get(extras);
        if items.iter().all(|item| adds(&item)) {
            return extras;
        }
        let kept: Vec<(Pid, Access)> = items.iter().filter(adds).copied().collect();
        self.sets.of(kept)
    }

    /// What grantee `q` holds on node `n` on one side: the join of the
    /// grants added on the way up to the first node whose sets are known.
    fn at(&self, mut n: NodeId, side: usize, q: Pid) -> Access {
        let mut held = Access::NONE;
        loop {
            let node = &self.nodes[n as usize];
            if let Some(full) = node.full {
                return held.combine(self.sets.at(full[side], q));
            }
            if let Shape::Extend(delta) = node.shape {
                held = held.combine(self.sets.at(delta[side], q));
            }
            n = node.parent;
        }
    }

    fn push(
        &mut self,
        parent: NodeId,
        shape: Shape,
        full: Option<[SetId; 2]>,
        quiet: bool,
    ) -> NodeId {
        let n = self.nodes.len() as NodeId;
        self.cascade_nodes.push([OUTSIDE; 3]);
        self.dense.push(None);
        // When groups change, the people moved may change anywhere.
        let quiet = quiet && self.movers.is_empty();
        self.nodes.push(Node {
            parent,
            shape,
            full,
            quiet,
            exceptions: Vec::new(),
            children: 0,
        });
        let p = &mut self.nodes[parent as usize];
        p.children += 1;
        if p.children == DENSE_AFTER && !p.quiet {
            self.make_dense(parent);
        }
        n
    }

    /// Grantees whose access differs between two pairs of sets.
    fn differing(&self, a: [SetId; 2], b: [SetId; 2]) -> Vec<Pid> {
        let mut out = Vec::new();
        for side in 0..2 {
            if a[side] != b[side] {
                let (x, y) = (self.sets.get(a[side]), self.sets.get(b[side]));
                out.extend(
                    side_by_side(x, y)
                        .filter(|(_, u, v)| u != v)
                        .map(|(q, _, _)| q),
                );
            }
        }
        out
    }

    /// The people in a grantee on one side: a group's people, a person,
    /// the newcomer, or the holders of the data-owner role.
    fn people_of(&self, side: usize, q: Pid) -> &'a [Pid] {
        if q == self.role {
            return self.data_owners;
        }
        if q == self.index.newcomer() {
            return &self.index.newcomer_alone;
        }
        self.views[side].people(q)
    }

    /// Exceptions of a node whose sets are the parent's mapped item by item
    /// through `map` on both sides. The map keeps joins (it is monotone on
    /// levels), so a person's access on the node is the map of their access
    /// on the parent: someone whose access does not change there keeps it
    /// unchanged, and only those whose access changes are looked at.
    fn mapped_exceptions(&mut self, n: NodeId, parent: NodeId, map: impl Fn(Access) -> Access) {
        let mut exceptions: Vec<(Pid, Outcome)> = self
            .changed_on(parent)
            .into_iter()
            .filter_map(|(p, above)| {
                let outcome = Outcome::of(map(above.before), map(above.after));
                (outcome != above).then_some((p, outcome))
            })
            .collect();
        crate::order::by_number(&mut exceptions);
        self.nodes[n as usize].exceptions = exceptions;
    }

    /// Everyone whose access changes on a node, with the change.
    fn changed_on(&mut self, mut n: NodeId) -> Vec<(Pid, Outcome)> {
        self.round += 1;
        let mut out = Vec::new();
        loop {
            if let Some(Some(dense)) = self.dense.get(n as usize) {
                out.extend(
                    dense
                        .changing
                        .iter()
                        .filter(|&&(p, _)| self.stamp[p as usize] != self.round),
                );
                return out;
            }
            let node = &self.nodes[n as usize];
            for &(p, o) in &node.exceptions {
                if std::mem::replace(&mut self.stamp[p as usize], self.round) != self.round
                    && o.changes()
                {
                    out.push((p, o));
                }
            }
            if n == ROOT {
                return out;
            }
            n = node.parent;
        }
    }

    /// Exceptions by evaluation: each person in `grantees` is evaluated on
    /// the node's sets and kept when the outcome differs from the parent's.
    fn evaluate_exceptions(&mut self, n: NodeId, grantees: &[Pid]) {
        let mut exceptions = self.evaluated(n, grantees);
        crate::order::by_number(&mut exceptions);
        self.nodes[n as usize].exceptions = exceptions;
    }

    /// The people of `grantees` whose outcome on `n` differs from the
    /// parent's, unsorted; each person looked at is stamped with the round.
    fn evaluated(&mut self, n: NodeId, grantees: &[Pid]) -> Vec<(Pid, Outcome)> {
        self.round += 1;
        let mut exceptions = Vec::new();
        if grantees.is_empty() && self.movers.is_empty() {
            return exceptions;
        }
        let full = self.full(n);
        let parent = self.nodes[n as usize].parent;
        // People whose groups change may differ anywhere; the others only
        // in grantees whose access differs.
        let people: Vec<&'a [Pid]> = grantees
            .iter()
            .flat_map(|&q| [self.people_of(0, q), self.people_of(1, q)])
            .chain([self.movers])
            .collect();
        // The node's sets laid out by grantee, so that each person's
        // access is a few array reads rather than a search per group
        // (thousands of people are evaluated on a node a large group's
        // grant reaches).
        let mut tables = std::mem::take(&mut self.tables);
        self.lay_out_sets(&mut tables, full, |a| a);
        for list in people {
            for &p in list {
                if std::mem::replace(&mut self.stamp[p as usize], self.round) == self.round {
                    continue;
                }
                let outcome =
                    Outcome::of(self.level(0, &tables[0], p), self.level(1, &tables[1], p));
                if outcome != self.outcome_on(parent, p) {
                    exceptions.push((p, outcome));
                }
            }
        }
        self.lay_out_sets(&mut tables, full, |_| Access::NONE);
        self.tables = tables;
        exceptions
    }

    /// Writes `value` of each grantee's access in the sets `full` into
    /// its slot of `tables` (the access itself to lay the sets out,
    /// `Access::NONE` to clear them again).
    fn lay_out_sets(
        &self,
        tables: &mut [Vec<Access>; 2],
        full: [SetId; 2],
        value: impl Fn(Access) -> Access,
    ) {
        for (table, set) in tables.iter_mut().zip(full) {
            for &(q, a) in self.sets.get(set) {
                if let Some(slot) = table.get_mut(q as usize) {
                    *slot = value(a);
                }
            }
        }
    }

    /// Exceptions of a node that adds `extras` to its parent, before and
    /// after. A grantee is *same* when one access `w` added on both sides
    /// gives what its extras give on each, given what it holds in the
    /// parent (nothing, when it already holds its extras; their join, when
    /// it holds each side's up to the other's); the others are evaluated. Someone only in
    /// same grantees holds the same added access on both sides: if their
    /// access does not change on the parent it stays unchanged, and if it
    /// changes, the new outcome is the parent's joined with what they are
    /// added, so they need no evaluation. (A person holds at least what
    /// each of their grantees holds, so what is equal for the grantee is
    /// equal for them.)
    fn extend_exceptions(&mut self, n: NodeId, parent: NodeId, extras: [SetId; 2]) {
        let mut differing: Vec<Pid> = Vec::new();
        let mut same: Vec<(Pid, Access)> = Vec::new();
        let (before, after) = (self.sets.get(extras[0]), self.sets.get(extras[1]));
        for (q, u, v) in side_by_side(before, after) {
            let held = [0, 1].map(|side| self.at(parent, side, q));
            let gives = |w: Access| {
                held[0].combine(w) == held[0].combine(u) && held[1].combine(w) == held[1].combine(v)
            };
            match [Access::NONE, u.combine(v), u, v]
                .into_iter()
                .find(|&w| gives(w))
            {
                Some(w) if w == Access::NONE => {}
                Some(w) => same.push((q, w)),
                None => differing.push(q),
            }
        }
        let mut exceptions = self.evaluated(n, &differing);
        // `evaluated` stamped the people it looked at; they are settled.
        let round = self.round;
        let mut touched = Vec::new();
        for &(q, access) in &same {
            // Everyone whose groups stay the same is in the grantee on both
            // sides; the others were evaluated.
            for &p in self.people_of(0, q) {
                let p = p as usize;
                match self.stamp[p] {
                    s if s == round => continue,
                    s if s == round + 1 => {}
                    _ => {
                        self.stamp[p] = round + 1;
                        self.held[p] = Access::NONE;
                        touched.push(p as Pid);
                    }
                }
                self.held[p] = self.held[p].combine(access);
            }
        }
        self.round += 1;
        for p in touched {
            let above = self.outcome_on(parent, p);
            if !above.changes() {
                continue;
            }
            let held = self.held[p as usize];
            let outcome = Outcome::of(above.before.combine(held), above.after.combine(held));
            if outcome != above {
                exceptions.push((p, outcome));
            }
        }
        crate::order::by_number(&mut exceptions);
        self.nodes[n as usize].exceptions = exceptions;
    }

    /// A person's access in a grant set laid out by grantee (`tables`):
    /// what the grantees containing them hold there.
    fn level(&self, side: usize, table: &[Access], p: Pid) -> Access {
        let groups = self.views[side].groups(p);
        let role = self
            .data_owners
            .binary_search(&p)
            .is_ok()
            .then_some(self.role);
        std::iter::once(p)
            .chain(groups.iter().copied())
            .chain(role)
            .filter_map(|q| table.get(q as usize))
            .fold(Access::NONE, |held, &a| held.combine(a))
    }

    /// A person's outcome on a node, for many people on the same node: the
    /// node's exceptions and those on the way up to the nearest dense table
    /// are laid out by person once (nearest first), then each person is one
    /// array read.
    fn outcome_on(&mut self, n: NodeId, p: Pid) -> Outcome {
        if self.looked_up != n {
            self.looked_up = n;
            let mut m = n;
            self.overlay_base = loop {
                if let Some(Some(_)) = self.dense.get(m as usize) {
                    break Some(m);
                }
                let node = &self.nodes[m as usize];
                for &(q, o) in &node.exceptions {
                    let slot = &mut self.overlay[q as usize];
                    if slot.0 != n {
                        *slot = (n, o);
                    }
                }
                if m == ROOT {
                    break None;
                }
                m = node.parent;
            };
        }
        match self.overlay.get(p as usize) {
            Some(&(at, o)) if at == n => o,
            _ => match self
                .overlay_base
                .and_then(|d| self.dense[d as usize].as_ref())
            {
                Some(dense) => dense
                    .table
                    .get(p as usize)
                    .copied()
                    .unwrap_or(Outcome::SAME),
                None => Outcome::SAME,
            },
        }
    }

    /// Everyone's outcome on a node with many children, as a table.
    fn make_dense(&mut self, n: NodeId) {
        let mut chain = vec![n];
        let mut m = n;
        while m != ROOT {
            m = self.nodes[m as usize].parent;
            chain.push(m);
        }
        let mut table = vec![Outcome::SAME; self.stamp.len()];
        for &m in chain.iter().rev() {
            for &(p, o) in &self.nodes[m as usize].exceptions {
                table[p as usize] = o;
            }
        }
        let changing = (0..)
            .zip(table.iter())
            .filter(|(_, o)| o.changes())
            .map(|(p, &o)| (p, o))
            .collect();
        if let Some(slot) = self.dense.get_mut(n as usize) {
            *slot = Some(Dense {
                table: table.into_boxed_slice(),
                changing,
            });
        }
    }

    /// Partition refinement: people split off where their outcome differs
    /// from their class's. Returns each class with changes: its members in
    /// the preview's order and its marks.
    fn classes(&self, index: &Index, delta: &Delta) -> Vec<(Vec<Pid>, Marks)> {
        // Class 0: everyone never split off (unchanged everywhere).
        let mut class_of: Vec<u32> = vec![0; self.stamp.len()];
        let mut history: Vec<Option<(NodeId, Outcome, u32)>> = vec![None];
        // Per class, where it last split and into which class: most of a
        // node's exceptions in one class share one outcome, so the map
        // holds only the others.
        let mut last: Vec<(NodeId, Outcome, u32)> = vec![(OUTSIDE, Outcome::SAME, 0)];
        let mut split: FxHashMap<(u32, Outcome), u32> = FxHashMap::default();
        for (n, node) in self.nodes.iter().enumerate() {
            if node.exceptions.is_empty() {
                continue;
            }
            let n = n as NodeId;
            split.clear();
            for &(p, o) in &node.exceptions {
                let from = class_of[p as usize];
                let mut new_class = || {
                    history.push(Some((n, o, from)));
                    (history.len() - 1) as u32
                };
                let to = match last[from as usize] {
                    (m, seen, to) if m == n && seen == o => to,
                    (m, _, _) if m == n => *split.entry((from, o)).or_insert_with(new_class),
                    _ => {
                        let to = new_class();
                        last[from as usize] = (n, o, to);
                        to
                    }
                };
                last.resize(history.len(), (OUTSIDE, Outcome::SAME, 0));
                class_of[p as usize] = to;
            }
        }
        let mut members: Vec<Vec<Pid>> = vec![Vec::new(); history.len()];
        let newcomer = index.newcomer();
        let newcomer_email = delta.newcomer.as_deref();
        let mut newcomer_placed = false;
        let mut place = |p: Pid| {
            let class = class_of[p as usize] as usize;
            if class != 0 {
                members[class].push(p);
            }
        };
        for &p in &index.people_sorted {
            if let Some(email) = newcomer_email
                && !newcomer_placed
                && index.principal_id(p) >= email
            {
                place(newcomer);
                newcomer_placed = true;
            }
            place(p);
        }
        if newcomer_email.is_some() && !newcomer_placed {
            place(newcomer);
        }
        members
            .into_iter()
            .enumerate()
            .skip(1)
            .filter(|(_, m)| !m.is_empty())
            .map(|(c, m)| {
                let mut marks = Vec::new();
                let mut at = history[c];
                while let Some((n, o, from)) = at {
                    marks.push((n, o));
                    at = history[from as usize];
                }
                (m, marks)
            })
            .collect()
    }
}

impl Diff {
    /// A class's resources by outcome: each marked node's subtree minus
    /// the subtrees of marked nodes nested in it.
    fn outcome_counts(&self, marks: &[(NodeId, Outcome)]) -> Vec<(Outcome, Counts)> {
        let mut out: Vec<(Outcome, Counts)> = Vec::new();
        for (own, outcome) in self.sum_marked(marks, |n| self.subtree[n as usize]) {
            if !outcome.changes() || own.iter().all(|&c| c == 0) {
                continue;
            }
            match out.iter_mut().find(|(o, _)| *o == outcome) {
                Some((_, counts)) => {
                    for (c, add) in counts.iter_mut().zip(own) {
                        *c += add;
                    }
                }
                None => out.push((outcome, own)),
            }
        }
        out
    }

    /// Runs `f` with the position of each node among `marks` (`None` for
    /// an unmarked node).
    fn with_marks<R>(
        &self,
        marks: &[(NodeId, Outcome)],
        f: impl FnOnce(&dyn Fn(NodeId) -> Option<usize>) -> R,
    ) -> R {
        let mut table = self.marked.borrow_mut();
        for (i, &(n, _)) in marks.iter().enumerate() {
            if let Some(slot) = table.get_mut(n as usize) {
                *slot = i as u32;
            }
        }
        let position = |n: NodeId| {
            table
                .get(n as usize)
                .filter(|&&i| i != NOT_MARKED)
                .map(|&i| i as usize)
        };
        let out = f(&position);
        for &(n, _) in marks {
            if let Some(slot) = table.get_mut(n as usize) {
                *slot = NOT_MARKED;
            }
        }
        out
    }

    /// For each mark, `value` of its subtree less what nested marks take.
    /// `value` must add up over subtrees.
    pub fn sum_marked<T>(
        &self,
        marks: &[(NodeId, Outcome)],
        value: impl Fn(NodeId) -> T,
    ) -> Vec<(T, Outcome)>
    where
        T: Subtract,
    {
        let mut totals: Vec<T> = marks.iter().map(|&(n, _)| value(n)).collect();
        self.with_marks(marks, |position| {
            for &(n, _) in marks {
                let mut up = self.parents[n as usize];
                loop {
                    if let Some(i) = position(up) {
                        totals[i].subtract(&value(n));
                        break;
                    }
                    if up == ROOT {
                        break;
                    }
                    up = self.parents[up as usize];
                }
            }
        });
        totals
            .into_iter()
            .zip(marks.iter().map(|&(_, o)| o))
            .collect()
    }

    /// Per node, the sum of `leaf` over the region resources in its
    /// subtree; `followers(c)` is the sum of `leaf` over the followers of
    /// container `c` (`Resources::follows`).
    pub fn subtree_sums<T>(&self, leaf: impl Fn(Rid) -> T, followers: impl Fn(Rid) -> T) -> Vec<T>
    where
        T: Copy + Default + Subtract,
    {
        let mut sums = vec![T::default(); self.parents.len()];
        for &r in &self.region {
            if let Some(sum) = self
                .node_of
                .get(r as usize)
                .and_then(|&n| sums.get_mut(n as usize))
            {
                sum.add(&leaf(r));
            }
        }
        for &(c, n) in &self.bulk {
            if let Some(sum) = sums.get_mut(n as usize) {
                sum.add(&followers(c));
            }
        }
        for n in (1..sums.len()).rev() {
            let below = sums[n];
            sums[self.parents[n] as usize].add(&below);
        }
        sums
    }

    /// A class's outcome on each node, by walking up to the nearest mark.
    pub fn outcomes_on_nodes(&self, marks: &[(NodeId, Outcome)]) -> Vec<Outcome> {
        let mut known: Vec<Option<Outcome>> = vec![None; self.parents.len()];
        known[ROOT as usize] = Some(Outcome::SAME);
        for &(n, o) in marks {
            known[n as usize] = Some(o);
        }
        // Parents come before children: one pass settles every node.
        let mut out: Vec<Outcome> = Vec::with_capacity(known.len());
        for (mark, &parent) in known.into_iter().zip(&self.parents) {
            let o =
                mark.unwrap_or_else(|| out.get(parent as usize).copied().unwrap_or(Outcome::SAME));
            out.push(o);
        }
        out
    }

    /// Numbers the nodes depth first (parents come before their children
    /// in node order, so sizes add up backwards and positions forwards).
    fn lay_out(&mut self) {
        let count = self.parents.len();
        let mut size = vec![1u32; count];
        for n in (1..count).rev() {
            size[self.parents[n] as usize] += size[n];
        }
        let mut span = vec![(0u32, 0u32); count];
        let mut next_child = vec![0u32; count];
        span[ROOT as usize] = (0, size[ROOT as usize]);
        next_child[ROOT as usize] = 1;
        for n in 1..count {
            let parent = self.parents[n] as usize;
            let at = next_child[parent];
            next_child[parent] += size[n];
            span[n] = (at, at + size[n]);
            next_child[n] = at + 1;
        }
        let mut by_position = vec![ROOT; count];
        for (n, &(at, _)) in span.iter().enumerate() {
            by_position[at as usize] = n as NodeId;
        }
        let mut next_holding = vec![count as u32; count + 1];
        for t in (0..count).rev() {
            next_holding[t] = if self.first[by_position[t] as usize].is_some() {
                t as u32
            } else {
                next_holding[t + 1]
            };
        }
        self.span = span;
        self.by_position = by_position;
        self.next_holding = next_holding;
    }

    /// A resource of the region whose outcome for a class is `outcome`:
    /// one in the subtree of a node marked with it and under no nested
    /// mark. The subtree is scanned in depth-first order for nodes holding
    /// resources, jumping over each nested mark's subtree, so the cost is
    /// the nested marks met, however many nodes lie between them.
    pub fn resource_with(&self, marks: &[(NodeId, Outcome)], outcome: Outcome) -> Option<Rid> {
        let with = || marks.iter().filter(move |(_, o)| *o == outcome);
        if let Some(r) = with().find_map(|&(n, _)| self.first[n as usize]) {
            return Some(r);
        }
        self.with_marks(marks, |position| {
            // The nearest marked node at or above `n`.
            let nearest_mark = |mut n: NodeId| loop {
                if position(n).is_some() || n == ROOT {
                    return n;
                }
                n = self.parents[n as usize];
            };
            with().find_map(|&(m, _)| {
                let (start, end) = *self.span.get(m as usize)?;
                let mut t = start + 1;
                loop {
                    t = *self.next_holding.get(t as usize)?;
                    if t >= end {
                        return None;
                    }
                    let x = self.by_position[t as usize];
                    let k = nearest_mark(x);
                    if k == m {
                        return self.first[x as usize];
                    }
                    t = self.span[k as usize].1;
                }
            })
        })
    }
}

/// What a grant set's item gives through the cascade (`Sets::cascade`):
/// ownership is kept, being the contained resource's owner's too.
pub(crate) fn cascaded(profile: Profile, access: Access) -> Access {
    if access.level == crate::access::Level::Owner {
        access
    } else {
        cascade(profile, access)
    }
}

/// Quantities that add up over subtrees (counts by kind, digest sums).
pub(crate) trait Subtract {
    fn add(&mut self, other: &Self);
    fn subtract(&mut self, other: &Self);
}

impl Subtract for Counts {
    fn add(&mut self, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
    }

    fn subtract(&mut self, other: &Self) {
        for (a, b) in self.iter_mut().zip(other) {
            *a -= b;
        }
    }
}
