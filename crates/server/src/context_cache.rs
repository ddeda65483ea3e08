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
//! Only slices of at least `min_bytes` of JSON are kept (small ones are
//! quick to read again), within `max_bytes` in all, least recently used
//! first out. Any write to the world empties it in effect: the cache
//! serves dialogs reopened between changes, not a stream of changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use custody_policy::{Profile, normalize_email};
use serde_json::value::RawValue;
use sqlx::AnyConnection;

use crate::slice::{self, Scope};

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
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<String, Entry>,
    bytes: usize,
    /// Counts uses, to find the least recently used entry.
    clock: u64,
}

impl Entries {
    /// Drops the entry for `key`, if any, and its bytes from the count.
    fn remove(&mut self, key: &str) {
        if let Some(e) = self.by_key.remove(key) {
            self.bytes -= e.world.json.get().len();
        }
    }
}

struct Entry {
    generation: i64,
    world: Arc<WrittenWorld>,
    used: u64,
}

impl ContextCache {
    pub fn new(limits: CacheLimits) -> ContextCache {
        ContextCache {
            limits,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// The slice kept for `key` at exactly `generation`. Generations only
    /// grow: an entry older than `generation` can never be served again
    /// and is dropped; a newer one (kept by a reader whose snapshot began
    /// later) stays for the readers to come.
    fn get(&self, key: &str, generation: i64) -> Option<Arc<WrittenWorld>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = &mut *entries;
        entries.clock += 1;
        let entry = entries.by_key.get_mut(key)?;
        if entry.generation == generation {
            entry.used = entries.clock;
            return Some(entry.world.clone());
        }
        if entry.generation < generation {
            entries.remove(key);
        }
        None
    }

    /// Keeps `world` for `key` at `generation` if its size is within the
    /// limits, making room by dropping the least recently used entries.
    fn put(&self, key: String, generation: i64, world: Arc<WrittenWorld>) {
        let size = world.json.get().len();
        if size < self.limits.min_bytes || size > self.limits.max_bytes {
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
                world,
                used,
            },
        );
    }

    /// The slice for `scope`, written: the kept one when the world is at
    /// the generation it was read at, else read now (and kept if large).
    /// `conn` must be in the transaction whose snapshot the caller reads.
    pub async fn slice(
        &self,
        conn: &mut AnyConnection,
        profile: Profile,
        scope: &Scope,
    ) -> Result<Arc<WrittenWorld>, crate::error::AppError> {
        let generation = generation(conn).await?;
        let key = key_of(scope);
        if let Some(world) = self.get(&key, generation) {
            return Ok(world);
        }
        let world = slice::load(conn, profile, scope).await?;
        let written =
            Arc::new(WrittenWorld::new(&world).map_err(crate::error::AppError::internal)?);
        self.put(key, generation, written.clone());
        Ok(written)
    }
}

/// The world's generation in `conn`'s snapshot.
pub async fn generation(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    let (n,) = sqlx::query_as::<_, (i64,)>("SELECT n FROM world_generation WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(n)
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

    fn written(bytes: usize) -> Arc<WrittenWorld> {
        let text = format!("\"{}\"", "x".repeat(bytes - 2));
        Arc::new(WrittenWorld {
            json: RawValue::from_string(text).expect("a JSON string"),
            version: String::new(),
        })
    }

    fn cache(min_bytes: usize, max_bytes: usize) -> ContextCache {
        ContextCache::new(CacheLimits {
            min_bytes,
            max_bytes,
        })
    }

    #[test]
    fn serves_a_slice_only_at_its_generation() {
        let c = cache(0, 1000);
        c.put("a".into(), 7, written(100));
        assert!(c.get("a", 7).is_some());
        assert!(c.get("a", 6).is_none(), "an older snapshot misses");
        assert!(c.get("a", 7).is_some(), "and leaves the entry be");
        c.put("a".into(), 6, written(100));
        assert!(
            c.get("a", 7).is_some(),
            "an older snapshot's slice does not replace a newer one"
        );
        assert!(c.get("a", 8).is_none(), "a newer generation misses");
        assert!(
            c.get("a", 7).is_none(),
            "and the stale entry is gone for good"
        );
        assert_eq!(c.entries.lock().expect("unpoisoned").bytes, 0);
    }

    #[test]
    fn keeps_only_slices_within_the_limits() {
        let c = cache(50, 200);
        c.put("small".into(), 1, written(49));
        c.put("huge".into(), 1, written(201));
        c.put("fits".into(), 1, written(200));
        assert!(c.get("small", 1).is_none());
        assert!(c.get("huge", 1).is_none());
        assert!(c.get("fits", 1).is_some());
    }

    #[test]
    fn drops_the_least_recently_used_first() {
        let c = cache(0, 300);
        c.put("a".into(), 1, written(100));
        c.put("b".into(), 1, written(100));
        c.put("c".into(), 1, written(100));
        assert!(c.get("a", 1).is_some(), "a is now the most recent");
        c.put("d".into(), 1, written(100));
        assert!(c.get("b", 1).is_none(), "b was the least recently used");
        for key in ["a", "c", "d"] {
            assert!(c.get(key, 1).is_some(), "{key} is kept");
        }
        assert_eq!(c.entries.lock().expect("unpoisoned").bytes, 300);
        c.put("a".into(), 2, written(150));
        assert_eq!(
            c.entries.lock().expect("unpoisoned").bytes,
            250,
            "a replaced (100 out, 150 in) and the oldest (c) dropped to fit"
        );
        assert!(c.get("c", 1).is_none());
        assert!(c.get("a", 2).is_some() && c.get("d", 1).is_some());
    }

    #[test]
    fn keys_name_the_scope_whatever_the_order() {
        let scope = |principals: &[&str], emails: &[&str]| Scope {
            resources: vec!["P1".into()],
            principals: principals.iter().map(|s| s.to_string()).collect(),
            emails: emails.iter().map(|s| s.to_string()).collect(),
            down: true,
            ..Scope::default()
        };
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
