//! A validated world with every id interned to a number and every edge
//! indexed both ways, so that rules never search lists of strings.
//!
//! Building the index is where a world is judged: dangling ids, ids of the
//! wrong kind, group cycles, group owners, duplicates and inconsistent
//! transfers are all rejected here with `invalid_world` and a message naming
//! what is wrong. Everything downstream may then rely on the structure.

use crate::access::Level;
use crate::digest::Lanes;
use crate::error::{ErrorCode, PolicyError, fail};
use crate::model::{PrincipalKind, Profile, ResourceKind, Role, TransferStatus, World};
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// A principal's number: its position in `World::principals`. One number past
/// the end stands for a recipient known only by email (see `view.rs`).
pub(crate) type Pid = u32;
/// A resource's number: its position in `World::resources`.
pub(crate) type Rid = u32;

pub(crate) struct PrincipalInfo {
    pub kind: PrincipalKind,
    /// A user holding the `data_owner` role in the `direct` profile.
    pub reads_every_project: bool,
    /// Groups that contain this principal, directly or through nesting (sorted).
    pub groups: Vec<Pid>,
    /// For a group, the people in it, directly or through nesting (sorted);
    /// for a person, the person alone.
    pub people: Vec<Pid>,
    /// For a group, its direct members (sorted).
    pub members: Vec<Pid>,
    /// The groups listing this principal as a direct member (sorted).
    pub direct_groups: Vec<Pid>,
    /// For a group, the people who manage its members (sorted).
    pub admins: Vec<Pid>,
    /// The resources on which this principal holds a grant (sorted).
    pub granted: Vec<Rid>,
}

/// The resources as the index reads them, in columns from the start: a
/// record per resource with lists of its own was an allocation (and a
/// free) for nearly every resource of a large world. The lists that run
/// the other way (a container's contents, the runs listing a biosample)
/// are counted out from these in `Resources::new`.
pub(crate) struct ResourceInfo {
    pub kinds: Vec<ResourceKind>,
    pub owners: Vec<Pid>,
    /// Projects each is associated with, then its parent for a file.
    containers: Lists<Rid>,
    /// For a run, its biosamples.
    biosamples: Lists<Rid>,
    /// Grants on each, sorted by principal.
    pub grants: Vec<Vec<(Pid, crate::access::Access)>>,
    pub is_fastq: Vec<bool>,
    /// The transfer pending on each, if any.
    pub pending: Vec<Option<u32>>,
}

/// One resource's facts, read from the columns of `Resources`.
#[derive(Clone, Copy)]
pub(crate) struct Res<'a> {
    pub kind: ResourceKind,
    pub owner: Pid,
    pub containers: &'a [Rid],
    /// Its contents, those that follow it (`Resources::follows`) last.
    pub contents: &'a [Rid],
    pub sequenced: &'a [Rid],
    pub grants: &'a [(Pid, crate::access::Access)],
    pub is_fastq: bool,
    pub pending: Option<u32>,
}

/// Lists of every resource end to end, with where each one starts.
struct Lists<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Lists<T> {
    fn with_capacity(n: usize) -> Lists<T> {
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0);
        Lists {
            starts,
            items: Vec::new(),
        }
    }

    fn push(&mut self, list: &[T]) {
        self.items.extend_from_slice(list);
        self.close();
    }

    /// Ends the list whose items were added to `items` since the last.
    fn close(&mut self) {
        self.starts.push(self.items.len() as u32);
    }

    #[inline(always)]
    fn get(&self, i: usize) -> &[T] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The resources in columns. A preview walks tens of thousands of them in
/// order, reading a few facts of each: kept side by side (rather than one
/// record with four lists of its own each), those reads stream through
/// memory instead of jumping to a separate allocation per list.
pub(crate) struct Resources {
    kinds: Vec<ResourceKind>,
    owners: Vec<Pid>,
    is_fastq: Vec<bool>,
    /// Whether each resource follows its one container (`follows`).
    follows: Vec<bool>,
    pending: Vec<Option<u32>>,
    containers: Lists<Rid>,
    /// Each resource's contents, those that do not follow it first (as
    /// many as `walked`), then its followers, each part in number order.
    contents: Lists<Rid>,
    walked: Vec<u32>,
    /// The followers of each container with any, counted by kind (in
    /// container order).
    followers: Vec<(Rid, FollowerCounts)>,
    sequenced: Lists<Rid>,
    grants: Lists<(Pid, crate::access::Access)>,
}

impl Resources {
    fn new(info: ResourceInfo) -> Resources {
        let n = info.kinds.len();
        let contents = reverse(n, |i| info.containers.get(i));
        let runs_listing = reverse(n, |i| match info.kinds.get(i) {
            Some(ResourceKind::Run) => info.biosamples.get(i),
            _ => &[],
        });
        let follows: Vec<bool> = (0..n)
            .map(|r| {
                let container = match info.containers.get(r) {
                    [c] => info.owners.get(*c as usize),
                    _ => None,
                };
                container == info.owners.get(r)
                    && container.is_some()
                    && info.grants.get(r).is_none_or(Vec::is_empty)
                    && contents.get(r).is_empty()
                    && !matches!(
                        info.kinds.get(r),
                        Some(ResourceKind::Run | ResourceKind::Biosample)
                    )
            })
            .collect();
        let mut out = Resources {
            kinds: Vec::new(),
            owners: Vec::new(),
            is_fastq: Vec::new(),
            follows: Vec::new(),
            pending: Vec::new(),
            containers: info.containers,
            contents: Lists::with_capacity(n),
            walked: Vec::with_capacity(n),
            followers: Vec::new(),
            sequenced: Lists::with_capacity(n),
            grants: Lists::with_capacity(n),
        };
        out.contents.items.reserve(contents.items.len());
        for r in 0..n {
            let all = contents.get(r);
            out.contents
                .items
                .extend(all.iter().filter(|&&x| !follows[x as usize]));
            let walked = out.contents.items.len() - out.contents.starts[r] as usize;
            out.walked.push(walked as u32);
            let mut counts = [0; ResourceKind::ALL.len()];
            for &x in all.iter().filter(|&&x| follows[x as usize]) {
                out.contents.items.push(x);
                if let Some(&kind) = info.kinds.get(x as usize) {
                    counts[kind as usize] += 1;
                }
            }
            out.contents.close();
            if counts.iter().any(|&k| k > 0) {
                out.followers.push((r as Rid, counts));
            }
            out.sequenced.push(match info.kinds.get(r) {
                Some(ResourceKind::Run) => info.biosamples.get(r),
                _ => runs_listing.get(r),
            });
            out.grants
                .push(info.grants.get(r).map_or(&[], Vec::as_slice));
        }
        out.kinds = info.kinds;
        out.owners = info.owners;
        out.is_fastq = info.is_fastq;
        out.pending = info.pending;
        out.follows = follows;
        out
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// The kind of a resource alone (the cheapest read).
    #[inline(always)]
    pub fn kind(&self, r: Rid) -> ResourceKind {
        self.kinds
            .get(r as usize)
            .copied()
            .unwrap_or(ResourceKind::Project)
    }

    #[inline(always)]
    pub fn owner(&self, r: Rid) -> Pid {
        self.owners.get(r as usize).copied().unwrap_or(Pid::MAX)
    }

    #[inline(always)]
    pub fn grants(&self, r: Rid) -> &[(Pid, crate::access::Access)] {
        self.grants.get(r as usize)
    }

    /// Whether a resource follows its container: it is in exactly one
    /// container, with the same owner, holds no grants, contains nothing,
    /// and is neither a run nor a biosample (whose names other resources
    /// read). Everything such a resource's access depends on is its
    /// container's, so while a change leaves the owners of both and its
    /// grants alone, its access is its container's through the cascade:
    /// a preview settles a container's followers (most of a project's
    /// files, libraries, pools, ...) in one step instead of one by one.
    #[inline(always)]
    pub fn follows(&self, r: Rid) -> bool {
        self.follows.get(r as usize).copied().unwrap_or(false)
    }

    /// The one container of a follower (its first container otherwise).
    #[inline(always)]
    pub fn first_container(&self, r: Rid) -> Option<Rid> {
        self.containers.get(r as usize).first().copied()
    }

    /// A resource's contents that do not follow it, then its followers.
    pub fn split_contents(&self, r: Rid) -> (&[Rid], &[Rid]) {
        let all = self.contents.get(r as usize);
        let walked = self
            .walked
            .get(r as usize)
            .map_or(all.len(), |&k| k as usize);
        all.split_at(walked.min(all.len()))
    }

    /// A container's followers counted by kind, if it has any.
    pub fn follower_counts(&self, c: Rid) -> Option<&FollowerCounts> {
        self.followers
            .get(self.follower_slot(c)?)
            .map(|(_, counts)| counts)
    }

    /// A container's position in `followers`, if it has any.
    fn follower_slot(&self, c: Rid) -> Option<usize> {
        self.followers.binary_search_by_key(&c, |(x, _)| *x).ok()
    }

    #[inline(always)]
    pub fn get(&self, r: Rid) -> Res<'_> {
        let i = r as usize;
        Res {
            kind: self.kind(r),
            owner: self.owner(r),
            containers: self.containers.get(i),
            contents: self.contents.get(i),
            sequenced: self.sequenced.get(i),
            grants: self.grants.get(i),
            is_fastq: self.is_fastq.get(i).copied().unwrap_or(false),
            pending: self.pending.get(i).copied().flatten(),
        }
    }
}

/// How many followers of each kind a container has.
pub(crate) type FollowerCounts = [u32; ResourceKind::ALL.len()];

/// See `Resources::follows`.
/// For each of `n` resources, the resources whose `lists` name it, in
/// number order: the lists turned the other way, counted out in two
/// passes rather than grown one push at a time.
fn reverse<'a>(n: usize, lists: impl Fn(usize) -> &'a [Rid]) -> Lists<Rid> {
    let mut starts = vec![0u32; n + 1];
    for i in 0..n {
        for &x in lists(i) {
            if let Some(count) = starts.get_mut(x as usize + 1) {
                *count += 1;
            }
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut items = vec![0; starts[n] as usize];
    for i in 0..n {
        for &x in lists(i) {
            if let Some(at) = next.get_mut(x as usize)
                && let Some(slot) = items.get_mut(*at as usize)
            {
                *slot = i as Rid;
                *at += 1;
            }
        }
    }
    Lists { starts, items }
}

pub(crate) struct TransferInfo {
    pub resource: Rid,
    pub from: Pid,
    pub status: TransferStatus,
}

/// The interned world. Owns the `World` it was built from, so that ids are
/// read from there rather than copied.
pub struct Index {
    world: World,
    pub(crate) principals: Vec<PrincipalInfo>,
    pub(crate) resources: Resources,
    pub(crate) transfers: Vec<TransferInfo>,
    principal_ids: IdTable,
    resource_ids: IdTable,
    transfer_ids: FxHashMap<String, u32>,
    /// Lowercased email to person.
    emails: FxHashMap<String, Pid>,
    /// People, in id order (the order of every preview).
    pub(crate) people_sorted: Vec<Pid>,
    /// Each principal's place in `people_sorted` (`NOT_A_PERSON` for a
    /// group): a preview orders its people by these numbers rather than
    /// by comparing their ids' text again.
    people_rank: Vec<u32>,
    /// Resources in id order, sorted on first need: only pages of changes
    /// list resources by id, and sorting tens of thousands of ids is a
    /// third of the time to load a world.
    resources_sorted: std::sync::OnceLock<Vec<Rid>>,
    /// Each resource's hash for digests, on first need: a dialog takes a
    /// digest on every edit, and hashing a large project's ids each time
    /// costs more than the preview.
    resource_hashes: std::sync::OnceLock<Vec<Lanes>>,
    /// The sum of those hashes over each container's followers, in the
    /// order of `Resources::followers`: a digest adds a container's
    /// followers at once, as the preview settles them.
    follower_hashes: std::sync::OnceLock<Vec<Lanes>>,
    /// Holders of the data-owner role (sorted by number).
    pub(crate) data_owners: Vec<Pid>,
    /// The recipient known only by email, as the people of a grantee.
    pub(crate) newcomer_alone: [Pid; 1],
}

/// Lowercases and trims an email: emails compare case-insensitively.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

fn invalid<T>(message: String) -> Result<T, PolicyError> {
    fail(ErrorCode::InvalidWorld, message)
}

fn to_u32(n: usize) -> Result<u32, PolicyError> {
    u32::try_from(n).or_else(|_| invalid("the world is too large".to_string()))
}

impl Index {
    /// Validates and indexes a world.
    pub fn new(world: World) -> Result<Index, PolicyError> {
        // Sized up front: growing a table of 70,000 ids rehashes it a
        // dozen times, a sixth of loading a large world.
        let mut principal_table = IdTable::with_capacity(world.principals.len());
        let mut resource_table = IdTable::with_capacity(world.resources.len());
        for (i, p) in world.principals.iter().enumerate() {
            if p.id.is_empty() {
                return invalid(format!("principal number {} has an empty id", i + 1));
            }
            if !principal_table.insert(to_u32(i)?, &p.id, |n| Numbered::Principals.id(&world, n)) {
                return invalid(format!("the id `{}` is used twice", p.id));
            }
        }
        let principal_ids = Ids::of(&principal_table, &world, Numbered::Principals);
        for (i, r) in world.resources.iter().enumerate() {
            if r.id.is_empty() {
                return invalid(format!("resource number {} has an empty id", i + 1));
            }
            if principal_ids.get(&r.id).is_some()
                || !resource_table.insert(to_u32(i)?, &r.id, |n| Numbered::Resources.id(&world, n))
            {
                return invalid(format!("the id `{}` is used twice", r.id));
            }
        }
        let resource_ids = Ids::of(&resource_table, &world, Numbered::Resources);

        let mut principals = index_principals(&world, &principal_ids)?;
        let mut emails = FxHashMap::default();
        for (i, p) in world.principals.iter().enumerate() {
            if let (Some(email), true) = (&p.email, p.kind.is_person())
                && emails.insert(normalize_email(email), to_u32(i)?).is_some()
            {
                return invalid(format!("the email `{email}` belongs to two accounts"));
            }
        }

        let mut resources = index_resources(&world, &principal_ids, &resource_ids, &principals)?;
        index_grants(
            &world,
            &principal_ids,
            &resource_ids,
            &mut resources,
            &mut principals,
        )?;
        let (transfers, transfer_ids) = index_transfers(
            &world,
            &principal_ids,
            &resource_ids,
            &principals,
            &mut resources,
        )?;

        let mut people_sorted: Vec<Pid> = (0..to_u32(world.principals.len())?)
            .filter(|&p| principals[p as usize].kind.is_person())
            .collect();
        crate::order::by_text(&mut people_sorted, &|p| {
            world
                .principals
                .get(p as usize)
                .map_or("", |x| x.id.as_str())
        });
        let mut people_rank = vec![NOT_A_PERSON; principals.len()];
        for (rank, &p) in people_sorted.iter().enumerate() {
            if let Some(slot) = people_rank.get_mut(p as usize) {
                *slot = to_u32(rank)?;
            }
        }
        let data_owners = (0..to_u32(principals.len())?)
            .filter(|&p| principals[p as usize].reads_every_project)
            .collect();
        let newcomer_alone = [to_u32(principals.len())?];
        Ok(Index {
            data_owners,
            newcomer_alone,
            world,
            principals,
            resources: Resources::new(resources),
            transfers,
            principal_ids: principal_table,
            resource_ids: resource_table,
            transfer_ids,
            emails,
            people_sorted,
            people_rank,
            resources_sorted: std::sync::OnceLock::new(),
            resource_hashes: std::sync::OnceLock::new(),
            follower_hashes: std::sync::OnceLock::new(),
        })
    }

    /// Each resource's hash for digests (`Lanes::resource` of its id).
    pub(crate) fn resource_hash(&self, r: Rid) -> Lanes {
        let hashes = self.resource_hashes.get_or_init(|| {
            (0..self.resources.len() as Rid)
                .map(|r| Lanes::resource(self.resource_id(r)))
                .collect()
        });
        hashes.get(r as usize).copied().unwrap_or_default()
    }

    /// The sum of the hashes of a container's followers (nothing for a
    /// container without any).
    pub(crate) fn followers_hash(&self, c: Rid) -> Lanes {
        let sums = self.follower_hashes.get_or_init(|| {
            self.resources
                .followers
                .iter()
                .map(|&(c, _)| {
                    let mut sum = Lanes::default();
                    for &f in self.resources.split_contents(c).1 {
                        sum.add(self.resource_hash(f));
                    }
                    sum
                })
                .collect()
        });
        self.resources
            .follower_slot(c)
            .and_then(|i| sums.get(i).copied())
            .unwrap_or_default()
    }

    /// Resources in id order.
    pub(crate) fn resources_sorted(&self) -> &[Rid] {
        self.resources_sorted.get_or_init(|| {
            let mut sorted: Vec<Rid> = (0..self.resources.len() as Rid).collect();
            crate::order::by_text(&mut sorted, &|r| self.resource_id(r));
            sorted
        })
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn into_world(self) -> World {
        self.world
    }

    pub fn profile(&self) -> Profile {
        self.world.profile
    }

    pub(crate) fn principal(&self, id: &str) -> Option<Pid> {
        Ids::of(&self.principal_ids, &self.world, Numbered::Principals).get(id)
    }

    pub(crate) fn resource(&self, id: &str) -> Option<Rid> {
        Ids::of(&self.resource_ids, &self.world, Numbered::Resources).get(id)
    }

    pub(crate) fn transfer(&self, id: &str) -> Option<u32> {
        self.transfer_ids.get(id).copied()
    }

    pub(crate) fn person_by_email(&self, email: &str) -> Option<Pid> {
        self.emails.get(&normalize_email(email)).copied()
    }

    pub(crate) fn principal_id(&self, p: Pid) -> &str {
        self.world
            .principals
            .get(p as usize)
            .map_or("", |p| p.id.as_str())
    }

    pub(crate) fn resource_id(&self, r: Rid) -> &str {
        &self.world.resources[r as usize].id
    }

    #[inline(always)]
    pub(crate) fn res(&self, r: Rid) -> Res<'_> {
        self.resources.get(r)
    }

    pub(crate) fn email_of(&self, p: Pid) -> Option<&str> {
        self.world
            .principals
            .get(p as usize)
            .and_then(|p| p.email.as_deref())
    }

    pub(crate) fn transfer_record(&self, t: u32) -> &crate::model::Transfer {
        &self.world.transfers[t as usize]
    }

    /// The number one past the last principal: the id of a recipient known
    /// only by email.
    /// A person's place in id order, if `p` is a person.
    pub(crate) fn person_rank(&self, p: Pid) -> Option<u32> {
        self.people_rank
            .get(p as usize)
            .copied()
            .filter(|&rank| rank != NOT_A_PERSON)
    }

    /// Where `id` would go among the people in id order, and whether a
    /// person has exactly that id.
    pub(crate) fn person_place(&self, id: &str) -> (u32, bool) {
        let place = self
            .people_sorted
            .partition_point(|&p| self.principal_id(p) < id);
        let taken = self
            .people_sorted
            .get(place)
            .is_some_and(|&p| self.principal_id(p) == id);
        (place as u32, taken)
    }

    pub(crate) fn newcomer(&self) -> Pid {
        self.principals.len() as Pid
    }
}

/// `Index::people_rank` of a principal who is not a person.
const NOT_A_PERSON: u32 = u32::MAX;

/// Ids to numbers, holding the numbers only: an id is read back from the
/// world, so the tens of thousands of ids of a large world are not copied
/// into a map (a fifth of loading one).
pub(crate) struct IdTable(HashTable<u32>);

fn hash_id(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl IdTable {
    fn with_capacity(n: usize) -> IdTable {
        IdTable(HashTable::with_capacity(n))
    }

    /// Numbers `id` with `n`; false when the id has a number already.
    fn insert<'w>(&mut self, n: u32, id: &str, id_of: impl Fn(u32) -> &'w str) -> bool {
        match self
            .0
            .entry(hash_id(id), |&m| id_of(m) == id, |&m| hash_id(id_of(m)))
        {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(n);
                true
            }
        }
    }
}

/// What an `IdTable` numbers.
#[derive(Clone, Copy)]
enum Numbered {
    Principals,
    Resources,
}

impl Numbered {
    fn id(self, world: &World, n: u32) -> &str {
        let n = n as usize;
        match self {
            Numbered::Principals => world.principals.get(n).map_or("", |p| &p.id),
            Numbered::Resources => world.resources.get(n).map_or("", |r| &r.id),
        }
    }
}

/// An `IdTable` with the world whose ids it numbers.
#[derive(Clone, Copy)]
struct Ids<'w> {
    table: &'w IdTable,
    world: &'w World,
    of: Numbered,
}

impl<'w> Ids<'w> {
    fn of(table: &'w IdTable, world: &'w World, of: Numbered) -> Ids<'w> {
        Ids { table, world, of }
    }

    fn get(&self, id: &str) -> Option<u32> {
        self.table
            .0
            .find(hash_id(id), |&n| self.of.id(self.world, n) == id)
            .copied()
    }
}

/// Lookups of ids that repeat from one resource to the next (most of a
/// project's resources have its owner, a run's files often follow each
/// other): the last answer is tried before the table.
struct Recent<'w> {
    ids: Ids<'w>,
    last: Option<(&'w str, u32)>,
}

impl<'w> Recent<'w> {
    fn of(ids: Ids<'w>) -> Recent<'w> {
        Recent { ids, last: None }
    }

    fn get(&mut self, id: &'w str) -> Option<u32> {
        if let Some((last, n)) = self.last
            && last == id
        {
            return Some(n);
        }
        let n = self.ids.get(id)?;
        self.last = Some((id, n));
        Some(n)
    }
}

fn index_principals(world: &World, ids: &Ids<'_>) -> Result<Vec<PrincipalInfo>, PolicyError> {
    let n = world.principals.len();
    // Member edges, checked for dangling ids first.
    let mut members: Vec<Vec<Pid>> = vec![Vec::new(); n];
    for (i, p) in world.principals.iter().enumerate() {
        if !p.members.is_empty() && p.kind != PrincipalKind::Group {
            return invalid(format!("`{}` has members but is not a group", p.id));
        }
        for m in &p.members {
            let Some(mi) = ids.get(m) else {
                return invalid(format!(
                    "group `{}` lists `{m}`, which is not a principal",
                    p.id
                ));
            };
            members[i].push(mi);
        }
        crate::order::numbers(&mut members[i]);
        members[i].dedup();
    }
    check_no_group_cycle(world, &members)?;

    let mut admins: Vec<Vec<Pid>> = vec![Vec::new(); n];
    for (i, p) in world.principals.iter().enumerate() {
        if !p.admins.is_empty() && p.kind != PrincipalKind::Group {
            return invalid(format!("`{}` has admins but is not a group", p.id));
        }
        for a in &p.admins {
            match ids.get(a) {
                Some(ai) if world.principals[ai as usize].kind.is_person() => admins[i].push(ai),
                Some(_) => {
                    return invalid(format!(
                        "group `{}` lists `{a}` as an admin, which is a group",
                        p.id
                    ));
                }
                None => {
                    return invalid(format!(
                        "group `{}` lists `{a}` as an admin, which is not a principal",
                        p.id
                    ));
                }
            }
        }
        crate::order::numbers(&mut admins[i]);
        admins[i].dedup();
    }

    // Every principal's enclosing groups: walk member edges upward.
    let mut parents: Vec<Vec<Pid>> = vec![Vec::new(); n];
    for (g, ms) in members.iter().enumerate() {
        for &m in ms {
            parents[m as usize].push(g as Pid);
        }
    }
    let mut infos = Vec::with_capacity(n);
    for (i, p) in world.principals.iter().enumerate() {
        let mut groups = Vec::new();
        let mut stack: Vec<Pid> = parents[i].clone();
        while let Some(g) = stack.pop() {
            if !groups.contains(&g) {
                groups.push(g);
                stack.extend(parents[g as usize].iter().copied());
            }
        }
        crate::order::numbers(&mut groups);
        infos.push(PrincipalInfo {
            kind: p.kind,
            reads_every_project: world.profile == Profile::Direct
                && p.kind == PrincipalKind::User
                && p.roles.contains(&Role::DataOwner),
            groups,
            people: Vec::new(),
            members: std::mem::take(&mut members[i]),
            direct_groups: parents[i].clone(),
            admins: std::mem::take(&mut admins[i]),
            granted: Vec::new(),
        });
    }
    // People of each group, from the enclosing-group lists of each person.
    for i in 0..n {
        if infos[i].kind.is_person() {
            infos[i].people.push(i as Pid);
            for gi in 0..infos[i].groups.len() {
                let g = infos[i].groups[gi] as usize;
                infos[g].people.push(i as Pid);
            }
        }
    }
    Ok(infos)
}

/// Finds a cycle among group memberships and names its groups in order.
fn check_no_group_cycle(world: &World, members: &[Vec<Pid>]) -> Result<(), PolicyError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; members.len()];
    for start in 0..members.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search; `path` holds the open groups.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&child) = members[node].get(*next) {
                *next += 1;
                let child = child as usize;
                match mark[child] {
                    Mark::New => {
                        mark[child] = Mark::Open;
                        path.push((child, 0));
                    }
                    Mark::Open => {
                        let from = path.iter().position(|(n, _)| *n == child).unwrap_or(0);
                        let names: Vec<String> = path[from..]
                            .iter()
                            .chain(std::iter::once(&(child, 0)))
                            .map(|(n, _)| format!("`{}`", world.principals[*n].id))
                            .collect();
                        return invalid(format!("groups form a cycle: {}", names.join(" > ")));
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                path.pop();
            }
        }
    }
    Ok(())
}

fn index_resources(
    world: &World,
    principal_ids: &Ids<'_>,
    resource_ids: &Ids<'_>,
    principals: &[PrincipalInfo],
) -> Result<ResourceInfo, PolicyError> {
    // The number and kind of a resource id: a project's or a parent's,
    // tried first against the last one asked for.
    let (mut projects, mut parents) = (Recent::of(*resource_ids), Recent::of(*resource_ids));
    let kind = |r: u32| (r, world.resources[r as usize].kind);
    let mut owners = Recent::of(*principal_ids);
    let n = world.resources.len();
    let mut info = ResourceInfo {
        kinds: Vec::with_capacity(n),
        owners: Vec::with_capacity(n),
        containers: Lists::with_capacity(n),
        biosamples: Lists::with_capacity(n),
        grants: Vec::new(),
        is_fastq: Vec::with_capacity(n),
        pending: vec![None; n],
    };
    info.grants.resize_with(n, Vec::new);
    // Each resource's lists are gathered here, then copied to the columns.
    let (mut containers, mut sequenced) = (Vec::new(), Vec::new());
    for r in &world.resources {
        let Some(owner) = owners.get(&r.owner) else {
            return invalid(format!(
                "`{}` is owned by `{}`, which is not a principal",
                r.id, r.owner
            ));
        };
        if !principals[owner as usize].kind.is_person() {
            return invalid(format!(
                "`{}` is owned by the group `{}`; a group never owns",
                r.id, r.owner
            ));
        }
        containers.clear();
        if !r.projects.is_empty() && matches!(r.kind, ResourceKind::Project | ResourceKind::File) {
            return invalid(format!(
                "the {} `{}` cannot be associated with projects",
                r.kind, r.id
            ));
        }
        for p in &r.projects {
            match projects.get(p).map(kind) {
                Some((r, ResourceKind::Project)) => containers.push(r),
                Some((_, kind)) => {
                    return invalid(format!(
                        "`{}` lists `{p}` as a project, but it is a {kind}",
                        r.id
                    ));
                }
                None => {
                    return invalid(format!(
                        "`{}` lists the project `{p}`, which does not exist",
                        r.id
                    ));
                }
            }
        }
        crate::order::numbers(&mut containers);
        containers.dedup();
        match (&r.parent, r.kind) {
            (Some(parent), ResourceKind::File) => match parents.get(parent).map(kind) {
                Some((r, kind)) if kind.holds_files() => containers.push(r),
                Some((_, kind)) => {
                    return invalid(format!(
                        "the file `{}` has the {kind} `{parent}` as parent; a parent is a run or a dataset",
                        r.id
                    ));
                }
                None => {
                    return invalid(format!(
                        "the file `{}` has the parent `{parent}`, which does not exist",
                        r.id
                    ));
                }
            },
            (None, ResourceKind::File) => {
                return invalid(format!("the file `{}` has no parent", r.id));
            }
            (Some(_), kind) => {
                return invalid(format!("the {kind} `{}` has a parent; only files do", r.id));
            }
            (None, _) => {}
        }
        if r.format.is_some() && r.kind != ResourceKind::File {
            return invalid(format!(
                "the {} `{}` has a format; only files do",
                r.kind, r.id
            ));
        }
        sequenced.clear();
        if !r.biosamples.is_empty() && r.kind != ResourceKind::Run {
            return invalid(format!(
                "the {} `{}` lists biosamples; only runs do",
                r.kind, r.id
            ));
        }
        for b in &r.biosamples {
            match resource_ids.get(b).map(kind) {
                Some((r, ResourceKind::Biosample)) => sequenced.push(r),
                Some((_, kind)) => {
                    return invalid(format!(
                        "the run `{}` lists `{b}` as a biosample, but it is a {kind}",
                        r.id
                    ));
                }
                None => {
                    return invalid(format!(
                        "the run `{}` lists the biosample `{b}`, which does not exist",
                        r.id
                    ));
                }
            }
        }
        crate::order::numbers(&mut sequenced);
        sequenced.dedup();
        info.kinds.push(r.kind);
        info.owners.push(owner);
        info.containers.push(&containers);
        info.biosamples.push(&sequenced);
        info.is_fastq.push(r.is_fastq());
    }
    Ok(info)
}

fn index_grants(
    world: &World,
    principal_ids: &Ids<'_>,
    resource_ids: &Ids<'_>,
    resources: &mut ResourceInfo,
    principals: &mut [PrincipalInfo],
) -> Result<(), PolicyError> {
    for g in &world.grants {
        let Some(r) = resource_ids.get(&g.resource) else {
            return invalid(format!(
                "a grant names the resource `{}`, which does not exist",
                g.resource
            ));
        };
        let Some(p) = principal_ids.get(&g.principal) else {
            return invalid(format!(
                "a grant on `{}` names `{}`, which is not a principal",
                g.resource, g.principal
            ));
        };
        if !matches!(g.access.level, Level::Read | Level::Write) {
            return invalid(format!(
                "the grant on `{}` to `{}` has level `{}`; a grant is read or write",
                g.resource, g.principal, g.access.level
            ));
        }
        if world.profile != Profile::Direct && !g.access.permissions.is_empty() {
            return invalid(format!(
                "the grant on `{}` to `{}` has permissions, which only the direct profile has",
                g.resource, g.principal
            ));
        }
        let Some(grants) = resources.grants.get_mut(r as usize) else {
            continue;
        };
        if grants.iter().any(|(q, _)| *q == p) {
            return invalid(format!(
                "`{}` has two grants on `{}`",
                g.principal, g.resource
            ));
        }
        grants.push((p, g.access));
        principals[p as usize].granted.push(r);
    }
    for info in principals.iter_mut() {
        crate::order::numbers(&mut info.granted);
    }
    for grants in &mut resources.grants {
        crate::order::by_number(grants);
    }
    Ok(())
}

type Transfers = (Vec<TransferInfo>, FxHashMap<String, u32>);

fn index_transfers(
    world: &World,
    principal_ids: &Ids<'_>,
    resource_ids: &Ids<'_>,
    principals: &[PrincipalInfo],
    resources: &mut ResourceInfo,
) -> Result<Transfers, PolicyError> {
    let mut infos = Vec::with_capacity(world.transfers.len());
    let mut ids = FxHashMap::default();
    for (i, t) in world.transfers.iter().enumerate() {
        let i = to_u32(i)?;
        if ids.insert(t.id.clone(), i).is_some() {
            return invalid(format!("the transfer id `{}` is used twice", t.id));
        }
        let Some(r) = resource_ids.get(&t.resource) else {
            return invalid(format!(
                "the transfer `{}` names the resource `{}`, which does not exist",
                t.id, t.resource
            ));
        };
        let Some(from) = principal_ids.get(&t.from) else {
            return invalid(format!(
                "the transfer `{}` is from `{}`, which is not a principal",
                t.id, t.from
            ));
        };
        if !principals[from as usize].kind.is_person() {
            return invalid(format!(
                "the transfer `{}` is from the group `{}`",
                t.id, t.from
            ));
        }
        if t.status == TransferStatus::Pending
            && let (Some(&owner), Some(pending)) = (
                resources.owners.get(r as usize),
                resources.pending.get_mut(r as usize),
            )
        {
            if owner != from {
                return invalid(format!(
                    "the pending transfer `{}` is from `{}`, who does not own `{}`",
                    t.id, t.from, t.resource
                ));
            }
            if pending.is_some() {
                return invalid(format!("`{}` has two pending transfers", t.resource));
            }
            *pending = Some(i);
        }
        infos.push(TransferInfo {
            resource: r,
            from,
            status: t.status,
        });
    }
    Ok((infos, ids))
}
