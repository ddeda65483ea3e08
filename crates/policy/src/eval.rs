//! The rules of effective access: the one place that says who reaches what.
//!
//! `evaluate` works out one person's access to one resource from the
//! resource's owner and grants and from the access already worked out for
//! what leads to it (its containers and, for a biosample, the runs listing
//! it). Callers decide the order and the granularity: `access_at` walks up
//! from a single resource; the preview (`diff.rs`) runs it once per class of
//! equivalent people and resources.

use crate::access::{Access, Level};
use crate::index::{Pid, Rid};
use crate::model::{Profile, ResourceKind};
use crate::view::View;

/// A resource, or a class of equivalent resources in a preview.
pub(crate) type Node = u32;

/// Where an access comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    /// The person owns the resource.
    Owner,
    /// A grant to the person, or to a group (the grantee) containing them.
    Grant(Pid),
    /// A biosample's name is visible on a run the person can read.
    Names,
    /// The `data_owner` role reads every project (`direct`).
    Role,
}

/// One reason for an access: its source and the chain of resources it came
/// through, nearest first (empty when it sits on the resource itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Why {
    pub source: Source,
    /// What this source alone gives on the resource.
    pub access: Access,
    pub path: Path,
}

/// The chain of resources a reason came through, kept inline: the
/// summaries of a large preview work out thousands of reasons, and one
/// allocation per reason was a third of their time. Containers rank below
/// what they contain (projects, then what they hold, then files and
/// biosamples; `ResourceKind::rank`), so a chain has at most two links (a
/// file's run or dataset, then its project).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Path {
    nodes: [Node; Path::MAX],
    len: u8,
}

impl Path {
    const MAX: usize = 3;

    /// `node`, then the chain of `rest`.
    fn through(node: Node, rest: &Path) -> Path {
        let mut nodes = [node; Path::MAX];
        let len = (rest.len as usize + 1).min(Path::MAX);
        nodes[1..len].copy_from_slice(&rest.nodes[..len - 1]);
        Path {
            nodes,
            len: len as u8,
        }
    }

    pub fn as_slice(&self) -> &[Node] {
        &self.nodes[..self.len as usize]
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }
}

/// A person's effective access to a resource, with the reasons that decide it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Eff {
    pub access: Access,
    pub why: Vec<Why>,
}

/// What `evaluate` needs to know of a person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person<'a> {
    pub pid: Pid,
    /// Every group containing the person (sorted).
    pub groups: &'a [Pid],
    pub reads_every_project: bool,
}

impl<'a> Person<'a> {
    pub fn of(view: View<'a>, pid: Pid) -> Person<'a> {
        Person {
            pid,
            groups: view.groups(pid),
            reads_every_project: view.reads_every_project(pid),
        }
    }

    /// The grants of a list sorted by grantee that reach this person, in
    /// that order. A project may hold hundreds of grants and a person is
    /// in a few groups: each of the person's grantees is looked up in the
    /// list rather than each grant in the person's groups.
    pub fn grants_held<'g>(
        &self,
        grants: &'g [(Pid, Access)],
    ) -> impl Iterator<Item = (Pid, Access)> + use<'a, 'g> {
        let at = self.groups.partition_point(|&g| g < self.pid);
        let (below, above) = self.groups.split_at(at);
        let holders = below
            .iter()
            .copied()
            .chain(std::iter::once(self.pid))
            .chain(above.iter().copied());
        holders.filter_map(move |q| {
            grants
                .binary_search_by_key(&q, |&(g, _)| g)
                .ok()
                .and_then(|i| grants.get(i).copied())
        })
    }
}

pub(crate) static NO_ACCESS: Eff = Eff {
    access: Access::NONE,
    why: Vec::new(),
};

/// What a container's access gives on what it contains (whose owner is the
/// container's owner). Ownership adds nothing: the person owns the contained
/// resource too.
pub(crate) fn cascade(profile: Profile, access: Access) -> Access {
    match access.level {
        Level::Read | Level::Write => match profile {
            Profile::Basespace => Access::READ,
            Profile::Direct => access,
        },
        Level::None | Level::Names | Level::Owner => Access::NONE,
    }
}

/// What the data-owner role gives on a resource of this kind (what
/// cascades from it is the ordinary cascade).
pub(crate) fn role_access(kind: ResourceKind) -> Access {
    if kind == ResourceKind::Project {
        Access::READ
    } else {
        Access::NONE
    }
}

/// What reading a run gives on each biosample it lists: the names.
pub(crate) fn names_seen(run_access: Access) -> Access {
    if run_access.level >= Level::Read {
        Access::NAMES
    } else {
        Access::NONE
    }
}

/// Whether a container's access cascades to `r`: no one passes on access
/// to data they do not own.
pub(crate) fn cascades(view: View<'_>, container: Rid, r: Rid) -> bool {
    view.owner(container) == view.owner(r)
}

/// One person's effective access to `r` in `view`. `upstream(x)` gives the
/// node and the access already worked out for a container of `r`, or for a
/// run listing the biosample `r`.
pub(crate) fn evaluate<'e>(
    view: View<'_>,
    person: &Person<'_>,
    r: Rid,
    upstream: impl Fn(Rid) -> (Node, &'e Eff),
) -> Eff {
    let info = view.index.res(r);
    let owner = view.owner(r);
    // Room for the usual handful of reasons, so that the list is not
    // grown reason by reason.
    let mut why: Vec<Why> = Vec::with_capacity(8);
    let here = |source, access| Why {
        source,
        access,
        path: Path::default(),
    };

    if owner == person.pid {
        why.push(here(Source::Owner, Access::OWNER));
    }
    for (grantee, access) in person.grants_held(view.grants(r)) {
        why.push(here(Source::Grant(grantee), access));
    }
    for &c in info.containers {
        if !cascades(view, c, r) {
            continue;
        }
        let (node, eff) = upstream(c);
        for w in &eff.why {
            let access = cascade(view.profile(), w.access);
            if access.level > Level::None {
                why.push(Why {
                    source: w.source,
                    access,
                    path: Path::through(node, &w.path),
                });
            }
        }
    }
    if info.kind == ResourceKind::Biosample {
        for &run in info.sequenced {
            let (node, eff) = upstream(run);
            let access = names_seen(eff.access);
            if access.level > Level::None {
                why.push(Why {
                    source: Source::Names,
                    access,
                    path: Path::through(node, &Path::default()),
                });
            }
        }
    }
    if person.reads_every_project {
        let access = role_access(info.kind);
        if access.level > Level::None {
            why.push(here(Source::Role, access));
        }
    }

    let access = why
        .iter()
        .fold(Access::NONE, |acc, w| acc.combine(w.access));
    // Keep the reasons that decide the result: those at its level, and those
    // that bring a permission.
    why.retain(|w| {
        w.access.level == access.level
            || (access.level != Level::Owner && !w.access.permissions.is_empty())
    });
    // Nearest reasons first; a reason reached twice (two containers of one
    // class) is listed once.
    crate::order::stable_by_key(&mut why, |w| w.path.len() as u32);
    let mut distinct = 0;
    for i in 0..why.len() {
        let w = why[i];
        if !why[..distinct].contains(&w) {
            why[distinct] = w;
            distinct += 1;
        }
    }
    why.truncate(distinct);
    Eff { access, why }
}

/// Every resource whose access decides `r`'s: `r`, its containers and, for
/// a biosample, the runs listing it, transitively; in an order where each
/// comes after what it depends on.
pub(crate) fn upward(view: View<'_>, r: Rid) -> Vec<Rid> {
    let mut seen = Vec::with_capacity(8);
    seen.push(r);
    let mut i = 0;
    while let Some(&x) = seen.get(i) {
        let info = view.index.res(x);
        let runs = match info.kind {
            ResourceKind::Biosample => info.sequenced,
            _ => &[],
        };
        for &up in info.containers.iter().chain(runs) {
            if !seen.contains(&up) {
                seen.push(up);
            }
        }
        i += 1;
    }
    crate::order::stable_by_key(&mut seen, |&x| view.index.res(x).kind.rank() as u32);
    seen
}

/// One person's effective access to one resource, walking up from it.
/// What leads to a resource is a handful of containers and runs, so the
/// access worked out for each is kept in a short list, not a map: a
/// preview's summaries ask this thousands of times.
pub(crate) fn access_at(view: View<'_>, pid: Pid, r: Rid) -> Eff {
    let person = Person::of(view, pid);
    let upward = upward(view, r);
    let mut effs: Vec<(Rid, Eff)> = Vec::with_capacity(upward.len());
    for x in upward {
        let eff = evaluate(view, &person, x, |c| {
            let known = effs.iter().find(|(y, _)| *y == c).map(|(_, e)| e);
            (c, known.unwrap_or(&NO_ACCESS))
        });
        effs.push((x, eff));
    }
    effs.into_iter()
        .find(|(x, _)| *x == r)
        .map(|(_, eff)| eff)
        .unwrap_or_default()
}
