//! Seeded, deterministic worlds for tests and benchmarks.
//!
//! `sized` builds a tidy deployment: one large project (the L size has
//! 20,000 associated resources and 50,000 files), 2,000 people in two trees
//! of nested groups, some data owned by a collaborator, shares on the
//! project, on runs and to groups. `small` builds tiny worlds of random
//! shape, for property tests. The same seed always gives the same world.

mod bench_actions;
mod irregular;

pub use bench_actions::{benchmark_actions, owner_share};
pub use irregular::irregular;

use crate::access::{Access, Level, Permissions};
use crate::model::{
    Grant, Principal, PrincipalKind, Profile, Resource, ResourceKind, Role, Transfer,
    TransferStatus, World,
};

/// A small, fast, seedable generator (SplitMix64): no dependency, and the
/// same sequence on every platform, wasm included.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// The sizes tests and benchmarks share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    S,
    M,
    /// 1 project with 20,000 associated resources, 50,000 files, 2,000
    /// people, 50 nested groups.
    L,
    /// Ten times L's resources and files, 10,000 people, 200 groups.
    XL,
}

impl Size {
    pub const ALL: [Size; 4] = [Size::S, Size::M, Size::L, Size::XL];

    pub fn name(self) -> &'static str {
        match self {
            Size::S => "S",
            Size::M => "M",
            Size::L => "L",
            Size::XL => "XL",
        }
    }

    /// The size named `S`, `M`, `L` or `XL`.
    pub fn parse(name: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.name() == name)
    }
}

struct Shape {
    people: usize,
    groups: usize,
    associated: usize,
    files: usize,
}

impl Size {
    fn shape(self) -> Shape {
        match self {
            Size::S => Shape {
                people: 40,
                groups: 6,
                associated: 200,
                files: 500,
            },
            Size::M => Shape {
                people: 400,
                groups: 20,
                associated: 2_000,
                files: 5_000,
            },
            Size::L => Shape {
                people: 2_000,
                groups: 50,
                associated: 20_000,
                files: 50_000,
            },
            Size::XL => Shape {
                people: 10_000,
                groups: 200,
                associated: 200_000,
                files: 500_000,
            },
        }
    }
}

/// Well-known ids of a sized world, for the actions benchmarks and tests take.
pub mod ids {
    /// The large project, owned by `OWNER`.
    pub const PROJECT: &str = "P0";
    /// A small project of the collaborator's.
    pub const OTHER_PROJECT: &str = "P1";
    pub const OWNER: &str = "u0000";
    pub const COLLABORATOR: &str = "u0001";
    /// The root of the first group tree: half the people, nested.
    pub const BIG_GROUP: &str = "g00";
    /// The root of the second tree, which already reads the project.
    pub const READERS: &str = "g25";
    /// The first run of the project.
    pub const RUN: &str = "R00000";
    /// The email of a person of the second half (in L, a reader of the
    /// project through `READERS`).
    pub const RECIPIENT_EMAIL: &str = "u1998@core.example";
}

fn person_id(i: usize) -> String {
    format!("u{i:04}")
}

fn email(i: usize) -> String {
    if i >= 1000 {
        format!("u{i:04}@core.example")
    } else {
        format!("u{i:04}@lab.example")
    }
}

/// A realistic deployment of the given size.
pub fn sized(size: Size, profile: Profile, seed: u64) -> World {
    let shape = size.shape();
    let mut rng = Rng::new(seed);
    let mut principals = Vec::with_capacity(shape.people + shape.groups);
    for i in 0..shape.people {
        let service = i % 50 == 49;
        principals.push(Principal {
            id: person_id(i),
            kind: if service {
                PrincipalKind::ServiceAccount
            } else {
                PrincipalKind::User
            },
            email: (!service).then(|| email(i)),
            name: Some(format!("Person {i}")),
            members: Vec::new(),
            admins: Vec::new(),
            roles: if i % 400 == 7 {
                vec![Role::DataOwner]
            } else {
                Vec::new()
            },
        });
    }
    // Two trees of groups; each group's parent is (i - 1) / 2 within its tree.
    // The first tree holds the first half of the people, the second the
    // second half.
    let half = shape.groups / 2;
    // The second tree's groups are numbered from 25 whatever the size, so
    // that `ids::READERS` names its root in every size; trees of more than
    // 25 groups (XL) number the rest apart.
    let group_id = |g: usize| {
        let (tree, local) = if g < half { (0, g) } else { (1, g - half) };
        if local < 25 {
            format!("g{:02}", 25 * tree + local)
        } else {
            format!("g{}{local:03}", tree + 1)
        }
    };
    let mut members: Vec<Vec<String>> = vec![Vec::new(); shape.groups];
    for (g, list) in members.iter_mut().enumerate() {
        let (tree_start, tree_len) = if g < half {
            (0, half)
        } else {
            (half, shape.groups - half)
        };
        let local = g - tree_start;
        for child in [2 * local + 1, 2 * local + 2] {
            if child < tree_len {
                list.push(group_id(tree_start + child));
            }
        }
    }
    for i in 0..shape.people {
        let (tree_start, tree_len) = if i < shape.people / 2 {
            (0, half)
        } else {
            (half, shape.groups - half)
        };
        let g = tree_start + i % tree_len.max(1);
        if let Some(list) = members.get_mut(g) {
            list.push(person_id(i));
        }
    }
    for (g, list) in members.into_iter().enumerate() {
        principals.push(Principal {
            id: group_id(g),
            kind: PrincipalKind::Group,
            email: None,
            name: Some(format!("Group {}", group_id(g))),
            members: list,
            admins: vec![person_id(0)],
            roles: Vec::new(),
        });
    }

    let owner = person_id(0);
    let collaborator = person_id(1);
    let mut resources = vec![
        project(ids::PROJECT, &owner, "Tumor WGS cohort"),
        project(ids::OTHER_PROJECT, &collaborator, "Shared controls"),
    ];
    // The mix of associated resources, in parts per 20.
    let mix = [
        (ResourceKind::Run, 2, "R"),
        (ResourceKind::Biosample, 6, "B"),
        (ResourceKind::Library, 3, "L"),
        (ResourceKind::Pool, 1, "PL"),
        (ResourceKind::LabRequeue, 1, "Q"),
        (ResourceKind::Analysis, 2, "A"),
        (ResourceKind::Dataset, 5, "D"),
    ];
    let mut runs = Vec::new();
    let mut datasets = Vec::new();
    let mut biosamples = Vec::new();
    for (kind, parts, prefix) in mix {
        let count = shape.associated * parts / 20;
        for k in 0..count {
            let id = format!("{prefix}{k:05}");
            let mut r = associated(
                &id,
                kind,
                if rng.chance(3) { &collaborator } else { &owner },
            );
            if rng.chance(2) {
                r.projects.push(ids::OTHER_PROJECT.to_string());
            }
            match kind {
                ResourceKind::Run => runs.push(resources.len()),
                ResourceKind::Dataset => datasets.push(resources.len()),
                ResourceKind::Biosample => biosamples.push(id.clone()),
                _ => {}
            }
            resources.push(r);
        }
    }
    for &run in &runs {
        for _ in 0..3 {
            if let Some(b) = rng.pick(&biosamples)
                && !resources[run].biosamples.contains(b)
            {
                resources[run].biosamples.push(b.clone());
            }
        }
    }
    let holders: Vec<usize> = runs.iter().chain(&datasets).copied().collect();
    for k in 0..shape.files {
        let Some(&parent) = holders.get(k % holders.len().max(1)) else {
            break;
        };
        let is_run = resources[parent].kind == ResourceKind::Run;
        let format = match (is_run, k % 3) {
            (true, 0) => "fastq",
            (true, 1) => "bcl",
            (true, _) | (false, 0) => "bam",
            (false, _) => "vcf",
        };
        let file_owner = if rng.chance(2) {
            collaborator.clone()
        } else {
            resources[parent].owner.clone()
        };
        resources.push(Resource {
            id: format!("F{k:06}"),
            kind: ResourceKind::File,
            owner: file_owner,
            name: None,
            projects: Vec::new(),
            biosamples: Vec::new(),
            parent: Some(resources[parent].id.clone()),
            format: Some(format.to_string()),
        });
    }

    let write = Access::level(Level::Write);
    let share_write = match profile {
        Profile::Direct => Access::with(
            Level::Write,
            [crate::access::Permission::Share].into_iter().collect(),
        ),
        Profile::Basespace => write,
    };
    let mut grants = vec![
        grant(ids::PROJECT, ids::READERS, Access::READ),
        grant(ids::PROJECT, &person_id(100 % shape.people), share_write),
        grant(ids::OTHER_PROJECT, &owner, Access::READ),
    ];
    if profile == Profile::Basespace {
        for (n, &run) in runs.iter().enumerate().take(20) {
            grants.push(grant(
                &resources[run].id,
                &person_id((200 + n) % shape.people),
                Access::READ,
            ));
        }
    }
    let transfers = match profile {
        Profile::Basespace => vec![Transfer {
            id: "T0".to_string(),
            resource: ids::OTHER_PROJECT.to_string(),
            from: collaborator.clone(),
            to: email(2),
            status: TransferStatus::Declined,
            message: None,
        }],
        Profile::Direct => Vec::new(),
    };
    World {
        profile,
        principals,
        resources,
        grants,
        transfers,
    }
}

fn project(id: &str, owner: &str, name: &str) -> Resource {
    Resource {
        id: id.to_string(),
        kind: ResourceKind::Project,
        owner: owner.to_string(),
        name: Some(name.to_string()),
        projects: Vec::new(),
        biosamples: Vec::new(),
        parent: None,
        format: None,
    }
}

fn associated(id: &str, kind: ResourceKind, owner: &str) -> Resource {
    Resource {
        id: id.to_string(),
        kind,
        owner: owner.to_string(),
        name: None,
        projects: vec![ids::PROJECT.to_string()],
        biosamples: Vec::new(),
        parent: None,
        format: None,
    }
}

fn grant(resource: &str, principal: &str, access: Access) -> Grant {
    Grant {
        resource: resource.to_string(),
        principal: principal.to_string(),
        access,
    }
}

/// A tiny world of random shape: a few people, nested groups, projects,
/// associated resources with shared biosamples, files, grants (with
/// permissions in `direct`), roles and perhaps a pending transfer. Always
/// valid.
pub fn small(seed: u64, profile: Profile) -> World {
    let mut rng = Rng::new(seed);
    let people = 2 + rng.below(5);
    let groups = rng.below(4);
    let mut principals = Vec::new();
    for i in 0..people {
        let service = i > 0 && rng.chance(20);
        principals.push(Principal {
            id: format!("p{i}"),
            kind: if service {
                PrincipalKind::ServiceAccount
            } else {
                PrincipalKind::User
            },
            email: (!service || rng.chance(50)).then(|| format!("p{i}@lab.example")),
            name: None,
            members: Vec::new(),
            admins: Vec::new(),
            roles: if rng.chance(15) {
                vec![Role::DataOwner]
            } else {
                Vec::new()
            },
        });
    }
    for g in 0..groups {
        let mut list = Vec::new();
        for i in 0..people {
            if rng.chance(40) {
                list.push(format!("p{i}"));
            }
        }
        // Only later groups nest in earlier ones: no cycle.
        for h in g + 1..groups {
            if rng.chance(40) {
                list.push(format!("g{h}"));
            }
        }
        principals.push(Principal {
            id: format!("g{g}"),
            kind: PrincipalKind::Group,
            email: None,
            name: None,
            members: list,
            admins: vec!["p0".to_string()],
            roles: Vec::new(),
        });
    }
    let owner_of = |rng: &mut Rng| {
        if rng.chance(70) {
            "p0".to_string()
        } else {
            format!("p{}", rng.below(people))
        }
    };

    let projects = 1 + rng.below(2);
    let mut resources: Vec<Resource> = (0..projects)
        .map(|k| {
            let o = owner_of(&mut rng);
            project(&format!("P{k}"), &o, "project")
        })
        .collect();
    let kinds = [
        ResourceKind::Run,
        ResourceKind::Run,
        ResourceKind::Biosample,
        ResourceKind::Biosample,
        ResourceKind::Library,
        ResourceKind::Pool,
        ResourceKind::LabRequeue,
        ResourceKind::Analysis,
        ResourceKind::Dataset,
    ];
    let count = rng.below(9);
    for k in 0..count {
        let kind = *rng.pick(&kinds).unwrap_or(&ResourceKind::Run);
        let o = owner_of(&mut rng);
        let mut r = associated(&format!("X{k}"), kind, &o);
        r.projects.clear();
        for p in 0..projects {
            if rng.chance(60) {
                r.projects.push(format!("P{p}"));
            }
        }
        resources.push(r);
    }
    let biosamples: Vec<String> = resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Biosample)
        .map(|r| r.id.clone())
        .collect();
    let holders: Vec<String> = resources
        .iter()
        .filter(|r| r.kind.holds_files())
        .map(|r| r.id.clone())
        .collect();
    for r in resources.iter_mut().filter(|r| r.kind == ResourceKind::Run) {
        for b in &biosamples {
            if rng.chance(50) {
                r.biosamples.push(b.clone());
            }
        }
    }
    if !holders.is_empty() {
        for k in 0..rng.below(6) {
            let parent = rng.pick(&holders).cloned().unwrap_or_default();
            let parent_owner = resources
                .iter()
                .find(|r| r.id == parent)
                .map(|r| r.owner.clone())
                .unwrap_or_default();
            let o = if rng.chance(75) {
                parent_owner
            } else {
                owner_of(&mut rng)
            };
            resources.push(Resource {
                id: format!("F{k}"),
                kind: ResourceKind::File,
                owner: o,
                name: None,
                projects: Vec::new(),
                biosamples: Vec::new(),
                parent: Some(parent),
                format: Some(if rng.chance(40) { "fastq" } else { "bam" }.to_string()),
            });
        }
    }

    let principal_ids: Vec<String> = principals.iter().map(|p| p.id.clone()).collect();
    let mut grants: Vec<Grant> = Vec::new();
    for _ in 0..rng.below(7) {
        let Some(r) = rng.pick(&resources) else { break };
        let shareable = match profile {
            Profile::Basespace => {
                matches!(r.kind, ResourceKind::Project | ResourceKind::Run) || rng.chance(20)
            }
            Profile::Direct => r.kind == ResourceKind::Project,
        };
        let p = rng.pick(&principal_ids).cloned().unwrap_or_default();
        if !shareable
            || grants
                .iter()
                .any(|g| g.resource == r.id && g.principal == p)
        {
            continue;
        }
        let level = if rng.chance(50) {
            Level::Read
        } else {
            Level::Write
        };
        let permissions = match profile {
            Profile::Direct => Permissions::ALL.iter().filter(|_| rng.chance(30)).collect(),
            Profile::Basespace => Permissions::EMPTY,
        };
        grants.push(grant(&r.id, &p, Access::with(level, permissions)));
    }

    let mut transfers = Vec::new();
    if profile == Profile::Basespace && rng.chance(50) {
        let candidates: Vec<&Resource> = resources
            .iter()
            .filter(|r| matches!(r.kind, ResourceKind::Project | ResourceKind::Run))
            .collect();
        if let Some(r) = rng.pick(&candidates) {
            let to = if rng.chance(80) {
                format!("p{}@lab.example", rng.below(people))
            } else {
                "newcomer@else.example".to_string()
            };
            let status = match rng.below(4) {
                0 => TransferStatus::Accepted,
                1 => TransferStatus::Declined,
                2 => TransferStatus::Canceled,
                _ => TransferStatus::Pending,
            };
            transfers.push(Transfer {
                id: "T1".to_string(),
                resource: r.id.clone(),
                from: r.owner.clone(),
                to,
                status,
                message: None,
            });
        }
    }
    World {
        profile,
        principals,
        resources,
        grants,
        transfers,
    }
}
