//! Asking Cedar, pair by pair, what each person holds before and after a
//! change, and keeping the pairs that differ.

use crate::entities::{Kind, uid};
use crate::policies::Ask;
use crate::slices::Slices;
use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, Request};
use custody_policy::generate::Rng;
use custody_policy::{Access, Level, Permissions, World};
use std::time::{Duration, Instant};

/// One side of a change: the entity store and the policies with the grants
/// linked.
pub struct Store {
    pub entities: Entities,
    pub slices: Slices,
}

impl Store {
    /// Works out the policy slice of every request target, as a store that
    /// exists before any change has them.
    pub fn warm(&self, catalog: &Catalog) -> Result<(), String> {
        for target in catalog.resource_uids.iter().chain(&catalog.names_uids) {
            self.slices.slice(&self.entities, target)?;
        }
        Ok(())
    }

    /// Works out the policy slice of every resource of `blocks`: what a
    /// complete sweep does once per resource, done before a sample so that
    /// the sample times requests alone and extrapolates only them.
    pub fn warm_blocks(&self, catalog: &Catalog, blocks: &[Block]) -> Result<(), String> {
        for &r in blocks.iter().flat_map(|b| &b.resources) {
            for uids in [&catalog.resource_uids, &catalog.names_uids] {
                if let Some(target) = uids.get(r as usize) {
                    self.slices.slice(&self.entities, target)?;
                }
            }
        }
        Ok(())
    }
}

/// The request uids of every person and resource, by number: people in the
/// order of the world's principals (groups left out, recipients without
/// an account last), resources in the world's order.
pub struct Catalog {
    pub people: Vec<String>,
    person_uids: Vec<EntityUid>,
    pub resources: Vec<String>,
    resource_uids: Vec<EntityUid>,
    names_uids: Vec<EntityUid>,
    asks: Vec<(Ask, EntityUid)>,
}

impl Catalog {
    /// The people and resources of `world`, and of `after` the people it
    /// adds (a transfer's recipient without an account).
    pub fn new(world: &World, after: &World) -> Catalog {
        let mut people: Vec<String> = world
            .principals
            .iter()
            .filter(|p| p.kind.is_person())
            .map(|p| p.id.clone())
            .collect();
        if after.principals.len() > world.principals.len() {
            let known: rustc_hash::FxHashSet<&str> =
                world.principals.iter().map(|p| p.id.as_str()).collect();
            people.extend(
                after
                    .principals
                    .iter()
                    .filter(|p| p.kind.is_person() && !known.contains(p.id.as_str()))
                    .map(|p| p.id.clone()),
            );
        }
        let resources: Vec<String> = world.resources.iter().map(|r| r.id.clone()).collect();
        Catalog {
            person_uids: people.iter().map(|p| uid(Kind::Person, p)).collect(),
            people,
            resource_uids: resources.iter().map(|r| uid(Kind::Resource, r)).collect(),
            names_uids: resources.iter().map(|r| uid(Kind::Names, r)).collect(),
            resources,
            asks: Ask::all(world.profile)
                .into_iter()
                .map(|a| (a, uid(Kind::Action, a.action_id())))
                .collect(),
        }
    }

    /// How many requests one pair needs on one side.
    pub fn asks_per_pair(&self) -> u64 {
        self.asks.len() as u64
    }
}

/// People times resources: a rectangle of pairs. A sweep is a list of
/// rectangles that share no pair.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub people: Vec<u32>,
    pub resources: Vec<u32>,
}

impl Block {
    pub fn pairs(&self) -> u64 {
        self.people.len() as u64 * self.resources.len() as u64
    }
}

/// A (person, resource) pair, by number, whose access differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diff {
    pub person: u32,
    pub resource: u32,
    pub before: Access,
    pub after: Access,
}

/// What a sweep did.
pub struct Outcome {
    /// The pairs that differ (every one when not sampled).
    pub diffs: Vec<Diff>,
    /// `is_authorized` calls made.
    pub requests: u64,
    /// Time spent on them.
    pub elapsed: Duration,
}

/// Asks Cedar about every pair of `blocks` on both sides; with `sample`,
/// only about that many pairs drawn at random (seeded), the same pair
/// possibly twice.
pub fn run(
    catalog: &Catalog,
    before: &Store,
    after: &Store,
    blocks: &[Block],
    sample: Option<u64>,
) -> Result<Outcome, String> {
    let authorizer = Authorizer::new();
    let mut diffs = Vec::new();
    let mut requests = 0u64;
    let start = Instant::now();
    let mut pair = |p: u32, r: u32| -> Result<(), String> {
        let b = access(&authorizer, catalog, before, p, r)?;
        let a = access(&authorizer, catalog, after, p, r)?;
        requests += 2 * catalog.asks_per_pair();
        if a != b {
            diffs.push(Diff {
                person: p,
                resource: r,
                before: b,
                after: a,
            });
        }
        Ok(())
    };
    match sample {
        None => {
            for block in blocks {
                for &r in &block.resources {
                    for &p in &block.people {
                        pair(p, r)?;
                    }
                }
            }
        }
        Some(n) => {
            let total: u64 = blocks.iter().map(Block::pairs).sum();
            let mut rng = Rng::new(0x00ce_da55);
            for _ in 0..n.min(total) {
                let mut k = rng.next_u64() % total;
                for block in blocks {
                    if k < block.pairs() {
                        let width = block.resources.len() as u64;
                        let (i, j) = ((k / width) as usize, (k % width) as usize);
                        if let (Some(&p), Some(&r)) = (block.people.get(i), block.resources.get(j))
                        {
                            pair(p, r)?;
                        }
                        break;
                    }
                    k -= block.pairs();
                }
            }
        }
    }
    Ok(Outcome {
        diffs,
        requests,
        elapsed: start.elapsed(),
    })
}

/// One person's access to one resource, read back from one request per
/// level and permission, each given its policy slice (`slices.rs`): `owner` if allowed, else the highest allowed
/// level, with every allowed permission. `names` is asked of the
/// resource's `Names` entity (`entities.rs`).
fn access(
    authorizer: &Authorizer,
    catalog: &Catalog,
    store: &Store,
    p: u32,
    r: u32,
) -> Result<Access, String> {
    let (Some(person), Some(resource), Some(names)) = (
        catalog.person_uids.get(p as usize),
        catalog.resource_uids.get(r as usize),
        catalog.names_uids.get(r as usize),
    ) else {
        return Err(format!("no person {p} or resource {r} in the catalog"));
    };
    let mut level = Level::None;
    let mut permissions = Permissions::EMPTY;
    for (ask, action) in &catalog.asks {
        let target = match ask {
            Ask::Level(Level::Names) => names,
            _ => resource,
        };
        let request = Request::new(
            person.clone(),
            action.clone(),
            target.clone(),
            Context::empty(),
            None,
        )
        .map_err(|e| format!("request: {e}"))?;
        let policies = store.slices.slice(&store.entities, target)?;
        let response = authorizer.is_authorized(&request, &policies, &store.entities);
        if let Some(error) = response.diagnostics().errors().next() {
            return Err(format!(
                "Cedar could not evaluate {} on {} for {}: {error}",
                ask.action_id(),
                catalog.resources[r as usize],
                catalog.people[p as usize]
            ));
        }
        if response.decision() == Decision::Allow {
            match *ask {
                Ask::Level(l) => level = level.max(l),
                Ask::Permission(x) => permissions.insert(x),
            }
        }
    }
    Ok(Access::with(level, permissions))
}
