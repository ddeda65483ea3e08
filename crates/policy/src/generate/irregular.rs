//! Irregular organisations: the shape of real deployments rather than of
//! our own algorithm.
//!
//! The tidy `sized` worlds put every person in exactly one group of two
//! neat trees, so there are few kinds of people. Real organisations are
//! messier, and that is what these worlds are for:
//! - groups hold people drawn at random (20 to 120 in L), so memberships
//!   overlap irregularly, and groups contain groups of the layer below, in
//!   four layers;
//! - grants go to people and groups, read and write, on the project, on
//!   its runs and on other projects of other owners (in `direct`, on
//!   projects only, with extra permissions, and some users hold the
//!   data-owner role);
//! - 3% of the associated resources are also in one of those other
//!   projects, and 1% (of files too) are owned by someone else;
//! - each run lists biosamples drawn at random (30 in L); files are spread
//!   over every run and dataset, a tenth of them FASTQ, and the first run
//!   has 500 files of its own (L and XL).
//!
//! The well-known ids are those of the tidy worlds (`super::ids`): the
//! project `P0` owned by `u0000`, the group `g00` reaching about half the
//! people (1,000 in L), the run `R00000`.

use super::{Rng, Size, associated, email, grant, ids, person_id, project};
use crate::access::{Access, Level, Permission, Permissions};
use crate::model::{
    Principal, PrincipalKind, Profile, Resource, ResourceKind, Role, Transfer, TransferStatus,
    World,
};

struct Shape {
    people: usize,
    groups: usize,
    /// Fewest and most people a group lists directly.
    group_people: (usize, usize),
    associated: usize,
    runs: usize,
    files: usize,
    /// Files of the first run.
    first_run_files: usize,
    other_projects: usize,
    grants: usize,
    biosamples_per_run: usize,
}

impl Size {
    fn irregular_shape(self) -> Shape {
        match self {
            Size::S => Shape {
                people: 40,
                groups: 8,
                group_people: (3, 12),
                associated: 300,
                runs: 10,
                files: 600,
                first_run_files: 20,
                other_projects: 3,
                grants: 30,
                biosamples_per_run: 5,
            },
            Size::M => Shape {
                people: 400,
                groups: 20,
                group_people: (10, 60),
                associated: 2_000,
                runs: 40,
                files: 5_000,
                first_run_files: 100,
                other_projects: 10,
                grants: 120,
                biosamples_per_run: 15,
            },
            Size::L => Shape {
                people: 2_000,
                groups: 50,
                group_people: (20, 120),
                associated: 20_000,
                runs: 200,
                files: 50_000,
                first_run_files: 500,
                other_projects: 30,
                grants: 500,
                biosamples_per_run: 30,
            },
            Size::XL => Shape {
                people: 10_000,
                groups: 200,
                group_people: (20, 240),
                associated: 200_000,
                runs: 2_000,
                files: 500_000,
                first_run_files: 500,
                other_projects: 100,
                grants: 2_500,
                biosamples_per_run: 30,
            },
        }
    }
}

/// An irregular organisation of the given size.
pub fn irregular(size: Size, profile: Profile, seed: u64) -> World {
    let shape = size.irregular_shape();
    let mut rng = Rng::new(seed ^ 0x1266_0A17);
    let mut principals = people(&shape, profile, &mut rng);
    principals.extend(groups(&shape, &mut rng));
    let other_projects: Vec<String> = (1..=shape.other_projects)
        .map(|k| format!("P{k}"))
        .collect();
    let resources = resources(&shape, &other_projects, &mut rng);
    let grants = grants(&shape, profile, &resources, &principals, &mut rng);
    let transfers = match (profile, other_projects.last()) {
        (Profile::Basespace, Some(last)) => {
            let owner_of_last = resources
                .iter()
                .find(|r| &r.id == last)
                .map(|r| r.owner.clone())
                .unwrap_or_default();
            vec![
                Transfer {
                    id: "T0".to_string(),
                    resource: ids::PROJECT.to_string(),
                    from: ids::OWNER.to_string(),
                    to: email(1),
                    status: TransferStatus::Declined,
                    message: None,
                },
                Transfer {
                    id: "T1".to_string(),
                    resource: last.clone(),
                    from: owner_of_last,
                    to: "new.customer@clinic.example".to_string(),
                    status: TransferStatus::Pending,
                    message: Some("Your sequencing results".to_string()),
                },
            ]
        }
        _ => Vec::new(),
    };
    World {
        profile,
        principals,
        resources,
        grants,
        transfers,
    }
}

fn people(shape: &Shape, profile: Profile, rng: &mut Rng) -> Vec<Principal> {
    (0..shape.people)
        .map(|i| {
            let service = i % 50 == 49;
            Principal {
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
                roles: if profile == Profile::Direct && !service && rng.chance(1) {
                    vec![Role::DataOwner]
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// Groups in four layers; each lists people at random and a few groups of
/// the layer below. `g00` (layer 0) then gets more people until it reaches
/// half of everyone.
fn groups(shape: &Shape, rng: &mut Rng) -> Vec<Principal> {
    let n = shape.groups;
    // Layer sizes 10%, 20%, 30%, the rest; layer 0 has at least g00.
    let bounds = [
        0,
        (n / 10).max(1),
        (n * 3 / 10).max(1),
        (n * 6 / 10).max(1),
        n,
    ];
    let layer_of = |g: usize| bounds.windows(2).position(|w| g >= w[0] && g < w[1]);
    let mut people: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut children: Vec<Vec<usize>> = Vec::with_capacity(n);
    for g in 0..n {
        let (low, high) = shape.group_people;
        let count = low + rng.below(high - low + 1);
        let mut list: Vec<usize> = (0..count).map(|_| rng.below(shape.people)).collect();
        list.sort_unstable();
        list.dedup();
        people.push(list);
        let below = layer_of(g).and_then(|layer| bounds.get(layer + 1..layer + 3));
        let mut kids = Vec::new();
        if let Some(&[start, end]) = below
            && end > start
        {
            for _ in 0..1 + rng.below(3) {
                kids.push(start + rng.below(end - start));
            }
        }
        kids.sort_unstable();
        kids.dedup();
        children.push(kids);
    }
    // Everyone g00 reaches, then top it up to half of the people.
    let mut reached = vec![false; shape.people];
    let mut stack = vec![0usize];
    while let Some(g) = stack.pop() {
        for &p in &people[g] {
            reached[p] = true;
        }
        stack.extend(children[g].iter().copied());
    }
    let mut count = reached.iter().filter(|&&r| r).count();
    while count < shape.people / 2 {
        let p = rng.below(shape.people);
        if !reached[p] {
            reached[p] = true;
            people[0].push(p);
            count += 1;
        }
    }
    (0..n)
        .map(|g| Principal {
            id: group_id(g),
            kind: PrincipalKind::Group,
            email: None,
            name: Some(format!("Group {g}")),
            members: people[g]
                .iter()
                .map(|&p| person_id(p))
                .chain(children[g].iter().map(|&c| group_id(c)))
                .collect(),
            // The organisation's owner and one of the people run each group.
            admins: vec![person_id(0), person_id(1 + g % (shape.people - 1).max(1))],
            roles: Vec::new(),
        })
        .collect()
}

fn group_id(g: usize) -> String {
    format!("g{g:02}")
}

fn resources(shape: &Shape, other_projects: &[String], rng: &mut Rng) -> Vec<Resource> {
    let someone = |rng: &mut Rng| person_id(1 + rng.below(shape.people - 1));
    let mut resources = vec![project(ids::PROJECT, ids::OWNER, "Tumor WGS cohort")];
    for (k, id) in other_projects.iter().enumerate() {
        let owner = someone(rng);
        resources.push(project(id, &owner, &format!("Collaboration {}", k + 1)));
    }
    // The mix of the other associated resources, in parts per 17.
    let mix = [
        (ResourceKind::Biosample, 6, "B"),
        (ResourceKind::Library, 3, "L"),
        (ResourceKind::Pool, 1, "PL"),
        (ResourceKind::LabRequeue, 1, "Q"),
        (ResourceKind::Analysis, 2, "A"),
        (ResourceKind::Dataset, 4, "D"),
    ];
    let rest = shape.associated.saturating_sub(shape.runs);
    let kinds = std::iter::once((ResourceKind::Run, shape.runs, "R"))
        .chain(mix.map(|(kind, parts, prefix)| (kind, rest * parts / 17, prefix)));
    let (mut runs, mut datasets, mut biosamples) = (Vec::new(), Vec::new(), Vec::new());
    for (kind, count, prefix) in kinds {
        for k in 0..count {
            let owner = if rng.chance(1) {
                someone(rng)
            } else {
                ids::OWNER.to_string()
            };
            let mut r = associated(&format!("{prefix}{k:05}"), kind, &owner);
            if rng.chance(3)
                && let Some(other) = rng.pick(other_projects)
            {
                r.projects.push(other.clone());
            }
            match kind {
                ResourceKind::Run => runs.push(resources.len()),
                ResourceKind::Dataset => datasets.push(resources.len()),
                ResourceKind::Biosample => biosamples.push(r.id.clone()),
                _ => {}
            }
            resources.push(r);
        }
    }
    for &run in &runs {
        for _ in 0..shape.biosamples_per_run {
            if let Some(b) = rng.pick(&biosamples)
                && !resources[run].biosamples.contains(b)
            {
                resources[run].biosamples.push(b.clone());
            }
        }
    }
    for k in 0..shape.files {
        let holder = if k < shape.first_run_files {
            runs.first()
        } else if rng.chance(60) || datasets.is_empty() {
            rng.pick(&runs)
        } else {
            rng.pick(&datasets)
        };
        let Some(&holder) = holder else { break };
        let on_run = resources[holder].kind == ResourceKind::Run;
        let format = if rng.chance(10) {
            "fastq"
        } else {
            match (on_run, rng.below(2)) {
                (true, 0) => "bcl",
                (true, _) | (false, 0) => "bam",
                (false, _) => "vcf",
            }
        };
        let owner = if rng.chance(1) {
            someone(rng)
        } else {
            resources[holder].owner.clone()
        };
        resources.push(Resource {
            id: format!("F{k:06}"),
            kind: ResourceKind::File,
            owner,
            name: None,
            projects: Vec::new(),
            biosamples: Vec::new(),
            parent: Some(resources[holder].id.clone()),
            format: Some(format.to_string()),
        });
    }
    resources
}

/// Grants to people and groups on the project, its runs (not in `direct`)
/// and the other projects; never to a resource's owner, never two to one
/// principal on one resource.
fn grants(
    shape: &Shape,
    profile: Profile,
    resources: &[Resource],
    principals: &[Principal],
    rng: &mut Rng,
) -> Vec<crate::model::Grant> {
    let runs: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Run)
        .collect();
    let others: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Project && r.id != ids::PROJECT)
        .collect();
    let project = resources.first();
    let groups: Vec<&Principal> = principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
        .collect();
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(shape.grants);
    for _ in 0..shape.grants * 2 {
        if out.len() >= shape.grants {
            break;
        }
        let roll = rng.below(100);
        let target = match profile {
            Profile::Basespace if roll < 20 => project,
            Profile::Basespace if roll < 70 => rng.pick(&runs).copied(),
            Profile::Direct if roll < 40 => project,
            _ => rng.pick(&others).copied(),
        };
        let grantee = if rng.chance(50) {
            rng.pick(&groups).map(|g| g.id.clone())
        } else {
            Some(person_id(rng.below(shape.people)))
        };
        let (Some(target), Some(grantee)) = (target, grantee) else {
            continue;
        };
        // `g00` is kept for the benchmarks' share of the project.
        let reserved = target.id == ids::PROJECT && grantee == ids::BIG_GROUP;
        if reserved
            || target.owner == grantee
            || !taken.insert((target.id.clone(), grantee.clone()))
        {
            continue;
        }
        let level = if rng.chance(40) {
            Level::Write
        } else {
            Level::Read
        };
        let access = match profile {
            Profile::Direct => Access::with(
                level,
                Permission::ALL
                    .into_iter()
                    .filter(|_| rng.chance(30))
                    .collect::<Permissions>(),
            ),
            Profile::Basespace => Access::level(level),
        };
        out.push(grant(&target.id, &grantee, access));
    }
    out
}
