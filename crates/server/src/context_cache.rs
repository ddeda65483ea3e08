//! Large access contexts kept between reads.
//!
//! A large project's context is tens of thousands of resources: reading its
//! slice, assembling it and writing it as JSON takes hundreds of
//! milliseconds, and the share dialog asks for it every time it opens. The
//! answer is the same as long as nothing the policy reads has changed, and
//! the database says when that is: every such change moves the world's
//! generation on, by trigger, in the writing transaction
//! (`migrations/*/0004_world_generation.sql`). A reader that sees the
//! generation a slice was read at, in its own snapshot, sees the same
//! slice; so a cached slice is served only on that exact generation, and
//! every server instance can keep its own cache without ever serving an
//! answer the database would not give.
//!
//! On a busy platform the generation moves all the time, mostly through
//! changes far from any one project. So each change also logs the ids it
//! touched (`migrations/*/0005_world_changes.sql`), and a slice keeps the
//! ids it depends on (`slice::dependencies`): a slice read at an older
//! generation is served still when no id logged since is one of them, and
//! moved on to the current generation. A change to rows within the slice
//! that leaves its region's edges where they were (`s:` keys mark the
//! changes that can move them, `0006_region_changes.sql`) patches it from
//! those rows (`slice::patch`). Any other change within it, or one too
//! long ago for the log (`LOGGED_GENERATIONS`), reads it again. The
//! writer of a confirmation reads through the same checks and keeps
//! nothing (`world_for_writer`).
//!
//! The principals a scope names (the people a dialog is adding, a
//! transfer's recipient) never change which resources, grants and
//! transfers a resource context holds: only its principals. So a scope
//! with nothing kept of its own is patched from a slice kept for another
//! scope of the same region (its *sibling*): the share dialog that adds a
//! person to a large project, and the confirmation that follows, no longer
//! read the whole region again. At most two slices of one region are kept.
//!
//! Only slices of at least `min_bytes` of JSON are kept (small ones are
//! quick to read again), within `max_bytes` in all (their dependencies
//! counted too), least recently used first out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use custody_policy::{Profile, normalize_email};
use serde_json::value::RawValue;
use sqlx::AnyConnection;

use crate::slice::{self, IdSet, Scope};

/// The world's changes are logged for this many generations back: a slice
/// kept from longer ago is read again. (SQLite moves the generation once
/// per row written, so an action moves it a few times; a bulk import, once
/// per row imported.)
pub const LOGGED_GENERATIONS: i64 = 100_000;

/// More ids changed than this since a slice was kept: it is read again
/// rather than checked.
const MOST_CHANGES_CHECKED: i64 = 10_000;

/// A slice written as JSON once, with its version (the hash of that text).
#[derive(Debug)]
pub struct WrittenWorld {
    pub json: Box<RawValue>,
    pub version: String,
}

impl WrittenWorld {
    pub fn new(world: &custody_policy::World) -> Result<WrittenWorld, serde_json::Error> {
        let json = serde_json::value::to_raw_value(world)?;
        let version = slice::version_of_json(json.get().as_bytes());
        Ok(WrittenWorld { json, version })
    }
}

/// What the cache holds for one scope: the written slice and the ids whose
/// change would change it.
struct Kept {
    world: Arc<WrittenWorld>,
    dependencies: IdSet,
}

impl Kept {
    /// The bytes it takes, near enough: its JSON and its ids' hashes
    /// (8 bytes each in a table kept at most seven eighths full, with a
    /// byte of control each).
    fn size(&self) -> usize {
        self.world.json.get().len() + self.dependencies.len() * 16
    }
}

/// What the cache has for a scope at a generation.
enum Found {
    /// The slice, kept at that generation.
    Current(Arc<WrittenWorld>),
    /// A slice kept at an older generation: current if none of the ids
    /// changed since is among its dependencies.
    Older(i64, Arc<Kept>),
    Nothing,
}

/// The most slices kept for one region (scopes that differ only in the
/// principals and emails they name): one serves the others' first reads,
/// and a dialog that adds people one by one would otherwise fill the cache
/// with copies of one large project.
const MOST_KEPT_PER_REGION: usize = 2;

/// Which slices are kept, and how much in all.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    /// Slices whose JSON is shorter are read each time.
    pub min_bytes: usize,
    /// The most JSON kept in all (a slice longer than this is not kept).
    pub max_bytes: usize,
}

impl Default for CacheLimits {
    /// Slices of 256 KiB and more (about 3,000 resources; a project that
    /// size takes some 30 ms to read), 64 MiB in all (a dozen projects
    /// of 70,000 resources).
    fn default() -> Self {
        CacheLimits {
            min_bytes: 256 * 1024,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The kept slices, by scope.
pub struct ContextCache {
    limits: CacheLimits,
    entries: Mutex<Entries>,
    counts: Counts,
}

/// How each look-up was answered: served as kept, patched, or to be read
/// whole (for tests and logs).
#[derive(Default)]
struct Counts {
    served: AtomicU64,
    patched: AtomicU64,
    from_sibling: AtomicU64,
    read: AtomicU64,
}

/// How the cache's look-ups were answered so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheCounts {
    /// Served as kept (current, or checked and moved on).
    pub served: u64,
    /// Patched from the slice kept for the same scope.
    pub patched: u64,
    /// Patched from a slice kept for another scope of the same region.
    pub from_sibling: u64,
    /// Read whole from the database.
    pub read: u64,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<String, Entry>,
    /// The bytes of the kept slices (`Kept::size`).
    bytes: usize,
    /// Counts uses, to find the least recently used entry.
    clock: u64,
}

impl Entries {
    /// Drops the entry for `key`, if any, and its bytes from the count.
    fn remove(&mut self, key: &str) {
        if let Some(e) = self.by_key.remove(key) {
            self.bytes -= e.size;
        }
    }
}

struct Entry {
    generation: i64,
    kept: Arc<Kept>,
    size: usize,
    used: u64,
    /// The region's key (`region_of`), for a scope that can be patched.
    region: Option<String>,
}

impl ContextCache {
    pub fn new(limits: CacheLimits) -> ContextCache {
        ContextCache {
            limits,
            entries: Mutex::new(Entries::default()),
            counts: Counts::default(),
        }
    }

    /// What is kept for `key`, seen from a snapshot at `generation`. An
    /// entry kept at a newer generation (by a reader whose snapshot began
    /// later) is not for this reader, and stays for the readers to come.
    fn get(&self, key: &str, generation: i64) -> Found {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = &mut *entries;
        entries.clock += 1;
        let Some(entry) = entries.by_key.get_mut(key) else {
            return Found::Nothing;
        };
        if entry.generation == generation {
            entry.used = entries.clock;
            return Found::Current(entry.kept.world.clone());
        }
        if entry.generation < generation {
            if entry.generation < generation - LOGGED_GENERATIONS {
                entries.remove(key);
                return Found::Nothing;
            }
            return Found::Older(entry.generation, entry.kept.clone());
        }
        Found::Nothing
    }

    /// True when a slice is kept for `key`, or for a sibling in `region`,
    /// at any generation.
    fn holds(&self, key: &str, region: Option<&str>) -> bool {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.by_key.contains_key(key)
            || region.is_some_and(|region| {
                entries
                    .by_key
                    .values()
                    .any(|e| e.region.as_deref() == Some(region))
            })
    }

    /// A slice kept for another scope (not `key`) of `region`, seen from
    /// a snapshot at `generation`: the newest one kept at or before it,
    /// so the fewest changes are checked. (The cache holds dozens of
    /// slices at most: a scan is cheaper than an index to keep.)
    fn sibling(&self, key: &str, region: &str, generation: i64) -> Option<(i64, Arc<Kept>)> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = &mut *entries;
        entries.clock += 1;
        let entry = entries
            .by_key
            .iter_mut()
            .filter(|(k, e)| {
                k.as_str() != key
                    && e.region.as_deref() == Some(region)
                    && e.generation <= generation
                    && e.generation >= generation - LOGGED_GENERATIONS
            })
            .max_by_key(|(_, e)| (e.generation, e.used))
            .map(|(_, e)| e)?;
        entry.used = entries.clock;
        Some((entry.generation, entry.kept.clone()))
    }

    /// Moves the entry for `key` kept at `from` on to `to`: nothing that it
    /// depends on changed in between. (Another reader may have replaced it
    /// meanwhile; that entry is left as it is.)
    fn move_on(&self, key: &str, from: i64, to: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = &mut *entries;
        entries.clock += 1;
        if let Some(entry) = entries.by_key.get_mut(key)
            && entry.generation == from
        {
            entry.generation = to;
            entry.used = entries.clock;
        }
    }

    /// Keeps `world` for `key` (of `region`, if it can be patched) at
    /// `generation` if its size is within the limits, making room by
    /// dropping the least recently used entries, and keeping at most
    /// `MOST_KEPT_PER_REGION` of its region.
    fn put(&self, key: String, region: Option<String>, generation: i64, kept: Kept) {
        if kept.world.json.get().len() < self.limits.min_bytes {
            return;
        }
        let size = kept.size();
        if size > self.limits.max_bytes {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = &mut *entries;
        entries.clock += 1;
        if entries
            .by_key
            .get(&key)
            .is_some_and(|e| e.generation > generation)
        {
            return;
        }
        entries.remove(&key);
        if let Some(region) = &region {
            let mut others: Vec<(u64, String)> = entries
                .by_key
                .iter()
                .filter(|(_, e)| e.region.as_ref() == Some(region))
                .map(|(k, e)| (e.used, k.clone()))
                .collect();
            others.sort_unstable_by(|a, b| b.cmp(a));
            for (_, other) in others.iter().skip(MOST_KEPT_PER_REGION - 1) {
                entries.remove(other);
            }
        }
        while entries.bytes + size > self.limits.max_bytes {
            let Some(oldest) = entries
                .by_key
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.remove(&oldest);
        }
        entries.bytes += size;
        let used = entries.clock;
        entries.by_key.insert(
            key,
            Entry {
                generation,
                kept: Arc::new(kept),
                size,
                used,
                region,
            },
        );
    }

    /// The slice for `scope`, written: the kept one when the world is at
    /// the generation it was read at, or a later one with none of its
    /// dependencies changed; patched when only rows it holds changed, or
    /// from a sibling's slice; else read now (and kept if large). `conn`
    /// must be in the transaction whose snapshot the caller reads.
    pub async fn slice(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
    ) -> Result<Arc<WrittenWorld>, crate::error::AppError> {
        let generation = generation(conn).await?;
        let key = key_of(scope);
        match self.answer(conn, profile, scope, &key, generation).await? {
            Answer::Kept { world, moved_from } => {
                if let Some(from) = moved_from {
                    self.move_on(&key, from, generation);
                }
                Ok(world)
            }
            Answer::Patched(world) => self.keep(key, generation, profile, scope, world, "patched"),
            Answer::Missing => {
                let started = std::time::Instant::now();
                let world = slice::load(conn, profile, scope).await?;
                tracing::debug!(resources = world.resources.len(), loaded = ?started.elapsed(), "slice read");
                self.keep(key, generation, profile, scope, world, "read")
            }
        }
    }

    /// The slice for `scope` as the writer of a confirmation sees it, in
    /// its own transaction: from a kept slice as [`ContextCache::slice`]
    /// would serve it, else read. Nothing is kept or moved on: the
    /// writer's snapshot holds its own changes, not yet committed, which
    /// no reader may be served (its generation may never exist, or exist
    /// later with other rows).
    pub async fn world_for_writer(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
    ) -> Result<custody_policy::World, crate::error::AppError> {
        let key = key_of(scope);
        if !self.holds(&key, region_of(scope).as_deref()) {
            return Ok(slice::load(conn, profile, scope).await?);
        }
        let generation = generation(conn).await?;
        match self.answer(conn, profile, scope, &key, generation).await? {
            Answer::Kept { world, .. } => {
                serde_json::from_str(world.json.get()).map_err(crate::error::AppError::internal)
            }
            Answer::Patched(world) => Ok(world),
            Answer::Missing => Ok(slice::load(conn, profile, scope).await?),
        }
    }

    /// What the kept slices give for `scope` at `generation`, keeping
    /// nothing.
    async fn answer(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
        key: &str,
        generation: i64,
    ) -> Result<Answer, crate::error::AppError> {
        let mut answer = match self.get(key, generation) {
            Found::Current(world) => Answer::Kept {
                world,
                moved_from: None,
            },
            Found::Older(kept_at, kept) => match changed_since(conn, kept_at).await? {
                None => Answer::Missing,
                Some(changed) => match reach(&changed, &kept.dependencies) {
                    Reach::Nothing => Answer::Kept {
                        world: kept.world.clone(),
                        moved_from: Some(kept_at),
                    },
                    Reach::Rows if slice::patchable(scope) => self
                        .patched(conn, profile, scope, &kept, &changed)
                        .await?
                        .map_or(Answer::Missing, Answer::Patched),
                    Reach::Rows | Reach::Region => Answer::Missing,
                },
            },
            Found::Nothing => Answer::Missing,
        };
        let mut counted = match answer {
            Answer::Kept { .. } => &self.counts.served,
            Answer::Patched(_) => &self.counts.patched,
            Answer::Missing => &self.counts.read,
        };
        if matches!(answer, Answer::Missing)
            && let Some(world) = self
                .patched_from_sibling(conn, profile, scope, key, generation)
                .await?
        {
            answer = Answer::Patched(world);
            counted = &self.counts.from_sibling;
        }
        counted.fetch_add(1, Ordering::Relaxed);
        Ok(answer)
    }

    /// The slice for `scope` patched from a sibling's (a slice kept for
    /// another scope of its region): the same resources, grants and
    /// transfers, with the principals `scope` names. Patching reads every
    /// principal again, so it holds even when none of the sibling's
    /// dependencies changed. None when no sibling is kept, or the changes
    /// since it was kept may have moved the region's edges.
    async fn patched_from_sibling(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
        key: &str,
        generation: i64,
    ) -> Result<Option<custody_policy::World>, crate::error::AppError> {
        let Some(region) = region_of(scope) else {
            return Ok(None);
        };
        let Some((kept_at, kept)) = self.sibling(key, &region, generation) else {
            return Ok(None);
        };
        let changed = if kept_at == generation {
            Vec::new()
        } else {
            match changed_since(conn, kept_at).await? {
                Some(changed) => changed,
                None => return Ok(None),
            }
        };
        if matches!(reach(&changed, &kept.dependencies), Reach::Region) {
            return Ok(None);
        }
        self.patched(conn, profile, scope, &kept, &changed).await
    }

    /// The kept slice patched from the rows the changes touched
    /// (`slice::patch`); None when it must be read whole.
    async fn patched(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
        kept: &Kept,
        changed: &[String],
    ) -> Result<Option<custody_policy::World>, crate::error::AppError> {
        let started = std::time::Instant::now();
        let world: custody_policy::World = serde_json::from_str(kept.world.json.get())
            .map_err(crate::error::AppError::internal)?;
        let parsed = started.elapsed();
        let patched = slice::patch(conn, profile, scope, world, changed).await?;
        tracing::debug!(?parsed, patched = ?started.elapsed(), "kept slice patched");
        Ok(patched)
    }

    /// `world`, read or patched at `generation` for `scope`, written, and
    /// kept if large.
    fn keep(
        &self,
        key: String,
        generation: i64,
        profile: Profile,
        scope: &Scope,
        world: custody_policy::World,
        how: &'static str,
    ) -> Result<Arc<WrittenWorld>, crate::error::AppError> {
        let started = std::time::Instant::now();
        let written =
            Arc::new(WrittenWorld::new(&world).map_err(crate::error::AppError::internal)?);
        let wrote = started.elapsed();
        if written.json.get().len() >= self.limits.min_bytes {
            let dependencies = slice::dependencies(profile, scope, &world);
            self.put(
                key,
                region_of(scope),
                generation,
                Kept {
                    world: written.clone(),
                    dependencies,
                },
            );
        }
        tracing::debug!(how, resources = world.resources.len(), ?wrote, total = ?started.elapsed(), "slice written and kept");
        Ok(written)
    }

    /// How the look-ups were answered so far.
    pub fn counts(&self) -> CacheCounts {
        let read = |n: &AtomicU64| n.load(Ordering::Relaxed);
        CacheCounts {
            served: read(&self.counts.served),
            patched: read(&self.counts.patched),
            from_sibling: read(&self.counts.from_sibling),
            read: read(&self.counts.read),
        }
    }
}

/// What the kept slices give for a scope.
enum Answer {
    /// A kept slice, current; `moved_from` the generation it was kept at
    /// when that is older (nothing it depends on changed since).
    Kept {
        world: Arc<WrittenWorld>,
        moved_from: Option<i64>,
    },
    /// A kept slice patched to the current generation.
    Patched(custody_policy::World),
    /// Nothing kept can serve: the slice must be read.
    Missing,
}

/// What the changes since a slice was kept did to it.
enum Reach {
    /// None of its dependencies changed: it is current.
    Nothing,
    /// Rows it holds or names changed, not the edges of its region.
    Rows,
    /// A change that may move the edges of its region (`s:<id>` logged
    /// for one of its dependencies, `0006_region_changes.sql`).
    Region,
}

/// Sorts `changed` (the keys logged since a slice was kept) against the
/// slice's dependencies.
fn reach(changed: &[String], dependencies: &IdSet) -> Reach {
    let region = changed
        .iter()
        .filter_map(|key| key.strip_prefix("s:"))
        .any(|id| dependencies.contains(id));
    if region {
        Reach::Region
    } else if changed.iter().any(|key| dependencies.contains(key)) {
        Reach::Rows
    } else {
        Reach::Nothing
    }
}

/// The ids changed after generation `after`, as far as `conn`'s snapshot
/// sees (`0005_world_changes.sql`); None when there are too many to check.
/// `*` (a table emptied) stands for every id: no slice is then kept.
async fn changed_since(
    conn: &mut AnyConnection,
    after: i64,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    let changed: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT key FROM world_changes WHERE generation > $1 LIMIT $2")
            .bind(after)
            .bind(MOST_CHANGES_CHECKED + 1)
            .fetch_all(conn)
            .await?;
    if changed.len() as i64 > MOST_CHANGES_CHECKED || changed.iter().any(|(id,)| id == "*") {
        return Ok(None);
    }
    Ok(Some(changed.into_iter().map(|(id,)| id).collect()))
}

/// Drops the log of changes older than `LOGGED_GENERATIONS`: writers call
/// it in their transaction, after their own changes. It runs at most once
/// a second in each process (a statement per confirmation was a tenth of
/// one client's confirmation time); the log only needs to reach back far
/// enough, never to be short.
pub async fn prune_changes(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    static LAST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(i64::MIN);
    let now = crate::db::now_ms();
    let last = LAST.load(std::sync::atomic::Ordering::Relaxed);
    if now.saturating_sub(last) < 1000 {
        return Ok(());
    }
    LAST.store(now, std::sync::atomic::Ordering::Relaxed);
    sqlx::query(
        "DELETE FROM world_changes
         WHERE generation <= (SELECT n FROM world_generation WHERE id = 1) - $1",
    )
    .bind(LOGGED_GENERATIONS)
    .execute(conn)
    .await?;
    Ok(())
}

/// The world's generation in `conn`'s snapshot.
pub async fn generation(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    let (n,) = sqlx::query_as::<_, (i64,)>("SELECT n FROM world_generation WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// The key of `scope`'s region: the key of the same scope naming no
/// principals and no emails, which change only the slice's principals. None
/// for a scope that cannot be patched (`slice::patchable`), whose named
/// principals can move its region.
fn region_of(scope: &Scope) -> Option<String> {
    slice::patchable(scope).then(|| {
        key_of(&Scope {
            principals: Vec::new(),
            emails: Vec::new(),
            ..scope.clone()
        })
    })
}

/// A key that names the slice `scope` reads: its lists in a canonical
/// order (emails normalized, as the slice reads them), written as JSON
/// so that no two scopes share one.
fn key_of(scope: &Scope) -> String {
    let canonical = |items: &[String]| {
        let mut items = items.to_vec();
        items.sort();
        items.dedup();
        items
    };
    let emails: Vec<String> = scope.emails.iter().map(|e| normalize_email(e)).collect();
    serde_json::json!([
        canonical(&scope.resources),
        canonical(&scope.within),
        canonical(&scope.transfers),
        canonical(&scope.principals),
        canonical(&emails),
        canonical(&scope.groups),
        scope.down,
        scope.viewer,
    ])
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(bytes: usize) -> Kept {
        let text = format!("\"{}\"", "x".repeat(bytes - 2));
        Kept {
            world: Arc::new(WrittenWorld {
                json: RawValue::from_string(text).expect("a JSON string"),
                version: String::new(),
            }),
            dependencies: IdSet::default(),
        }
    }

    fn cache(min_bytes: usize, max_bytes: usize) -> ContextCache {
        ContextCache::new(CacheLimits {
            min_bytes,
            max_bytes,
        })
    }

    impl ContextCache {
        fn current(&self, key: &str, generation: i64) -> bool {
            matches!(self.get(key, generation), Found::Current(_))
        }

        fn bytes(&self) -> usize {
            self.entries.lock().expect("unpoisoned").bytes
        }
    }

    #[test]
    fn serves_a_slice_at_its_generation_and_checks_it_after() {
        let c = cache(0, 1000);
        c.put("a".into(), None, 7, kept(100));
        assert!(c.current("a", 7));
        assert!(
            matches!(c.get("a", 6), Found::Nothing),
            "an older snapshot misses"
        );
        assert!(c.current("a", 7), "and leaves the entry be");
        c.put("a".into(), None, 6, kept(100));
        assert!(
            c.current("a", 7),
            "an older snapshot's slice does not replace a newer one"
        );
        assert!(
            matches!(c.get("a", 8), Found::Older(7, _)),
            "a newer generation is told when the slice was kept"
        );
        c.move_on("a", 6, 9);
        assert!(!c.current("a", 9), "moved on only from where it was kept");
        c.move_on("a", 7, 9);
        assert!(c.current("a", 9), "moved on once checked");
        assert!(
            matches!(c.get("a", 10 + LOGGED_GENERATIONS), Found::Nothing),
            "kept longer ago than the log reaches"
        );
        assert_eq!(c.bytes(), 0, "and then dropped");
    }

    #[test]
    fn keeps_only_slices_within_the_limits() {
        let c = cache(50, 200);
        c.put("small".into(), None, 1, kept(49));
        c.put("huge".into(), None, 1, kept(201));
        c.put("fits".into(), None, 1, kept(200));
        assert!(!c.current("small", 1));
        assert!(!c.current("huge", 1));
        assert!(c.current("fits", 1));
        let mut many = kept(100);
        for i in 0..10 {
            many.dependencies.insert(&format!("r{i}"));
        }
        c.put("many".into(), None, 1, many);
        assert!(
            !c.current("many", 1),
            "its dependencies count towards the limit (100 + 10 ids of 16)"
        );
    }

    #[test]
    fn drops_the_least_recently_used_first() {
        let c = cache(0, 300);
        c.put("a".into(), None, 1, kept(100));
        c.put("b".into(), None, 1, kept(100));
        c.put("c".into(), None, 1, kept(100));
        assert!(c.current("a", 1), "a is now the most recent");
        c.put("d".into(), None, 1, kept(100));
        assert!(!c.current("b", 1), "b was the least recently used");
        for key in ["a", "c", "d"] {
            assert!(c.current(key, 1), "{key} is kept");
        }
        assert_eq!(c.bytes(), 300);
        c.put("a".into(), None, 2, kept(150));
        assert_eq!(
            c.bytes(),
            250,
            "a replaced (100 out, 150 in) and the oldest (c) dropped to fit"
        );
        assert!(!c.current("c", 1));
        assert!(c.current("a", 2) && c.current("d", 1));
    }

    #[test]
    fn keeps_at_most_two_slices_of_a_region() {
        let c = cache(0, 1000);
        let region = || Some("P1".to_string());
        c.put("with a".into(), region(), 1, kept(100));
        c.put("with b".into(), region(), 2, kept(100));
        c.put("elsewhere".into(), None, 2, kept(100));
        assert!(c.holds("with c", region().as_deref()), "a sibling is kept");
        assert!(!c.holds("with c", Some("P2")));
        assert!(
            matches!(c.sibling("with c", "P1", 2), Some((2, _))),
            "the newest sibling at or before the reader's generation"
        );
        assert!(matches!(c.sibling("with c", "P1", 1), Some((1, _))));
        assert!(
            matches!(c.sibling("with b", "P1", 2), Some((1, _))),
            "never the scope's own slice"
        );
        c.put("with c".into(), region(), 3, kept(100));
        assert!(c.current("with c", 3));
        assert!(
            c.current("with a", 1),
            "the most recently used sibling stays"
        );
        assert!(!c.current("with b", 2), "the other one made room");
        assert!(c.current("elsewhere", 2), "other regions are not touched");
        assert_eq!(c.bytes(), 300);
    }

    /// A context of project P1 naming `principals` and `emails`.
    fn scope(principals: &[&str], emails: &[&str]) -> Scope {
        Scope {
            resources: vec!["P1".into()],
            principals: principals.iter().map(|s| s.to_string()).collect(),
            emails: emails.iter().map(|s| s.to_string()).collect(),
            down: true,
            ..Scope::default()
        }
    }

    #[test]
    fn regions_leave_out_the_principals_named() {
        assert_eq!(
            region_of(&scope(&["a"], &[])),
            region_of(&scope(&["b", "c"], &["bo@lab.example"]))
        );
        assert_ne!(
            region_of(&scope(&["a"], &[])),
            region_of(&Scope {
                down: false,
                ..scope(&["a"], &[])
            })
        );
        assert_eq!(
            region_of(&Scope {
                viewer: Some("a".into()),
                ..scope(&["a"], &[])
            }),
            None,
            "a viewer's slice depends on who they are"
        );
    }

    #[test]
    fn keys_name_the_scope_whatever_the_order() {
        assert_eq!(
            key_of(&scope(&["b", "a"], &["Bo@Lab.example"])),
            key_of(&scope(&["a", "b", "a"], &["bo@lab.example"]))
        );
        assert_ne!(
            key_of(&scope(&["a"], &[])),
            key_of(&scope(&["a", "b"], &[]))
        );
        assert_ne!(
            key_of(&scope(&["a"], &[])),
            key_of(&Scope {
                down: false,
                ..scope(&["a"], &[])
            })
        );
    }
}
