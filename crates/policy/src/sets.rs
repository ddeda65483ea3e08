//! Grant sets: what each grantee holds on a resource, for everyone at once.
//!
//! A person's access to a resource is the combination of what every
//! grantee containing them holds there: the owner (as owner), each grant's
//! principal, each grantee of a container whose access cascades, each
//! reader of a run that lists the biosample (as names), and the data-owner
//! role (`Grantee::ROLE`, on projects in `direct`). So a resource's access
//! for everyone is one map, grantee to access, and a person's access is
//! that map read through the grantees that contain them (`diff`'s `level`).
//!
//! The maps are interned: most resources of a project share their
//! container's map, and every operation (join, cascade, names, reduce) is
//! memoised by set id, so a preview does work per distinct map rather than
//! per resource. The rules themselves (`eval::cascade`, `eval::names_seen`)
//! are the ones the per-person evaluation uses.

use crate::access::{Access, Level};
use crate::eval::names_seen;
use crate::index::Pid;
use crate::model::Profile;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

pub(crate) type SetId = u32;

/// The set with no grantee.
pub(crate) const EMPTY: SetId = 0;

const UNKNOWN: SetId = SetId::MAX;

/// Grantee to access, sorted by grantee, each grantee once.
type Items = Box<[(Pid, Access)]>;

pub(crate) struct Sets {
    profile: Profile,
    items: Vec<Items>,
    /// Each set's id with its items' hash, found by that hash: the items
    /// are kept once, in `items`, and hashed once (a large organisation's
    /// sets hold hundreds of grantees, which a table growing would
    /// otherwise hash again).
    ids: HashTable<(u64, SetId)>,
    joins: FxHashMap<(SetId, SetId), SetId>,
    cascades: Vec<SetId>,
    names: Vec<SetId>,
}

impl Sets {
    pub fn new(profile: Profile) -> Sets {
        let mut sets = Sets {
            profile,
            items: Vec::new(),
            ids: HashTable::new(),
            joins: FxHashMap::default(),
            cascades: Vec::new(),
            names: Vec::new(),
        };
        sets.intern(Vec::new());
        sets
    }

    pub fn get(&self, s: SetId) -> &[(Pid, Access)] {
        self.items.get(s as usize).map_or(&[], |items| items)
    }

    /// What grantee `q` holds in `s`.
    pub fn at(&self, s: SetId, q: Pid) -> Access {
        let items = self.get(s);
        match items.binary_search_by_key(&q, |(p, _)| *p) {
            Ok(i) => items[i].1,
            Err(_) => Access::NONE,
        }
    }

    /// The set of these items, combining a grantee listed twice.
    pub fn of(&mut self, mut items: Vec<(Pid, Access)>) -> SetId {
        items.retain(|(_, a)| a.level > Level::None);
        crate::order::by_number(&mut items);
        let mut merged: Vec<(Pid, Access)> = Vec::with_capacity(items.len());
        for (p, a) in items {
            match merged.last_mut() {
                Some((q, b)) if *q == p => *b = b.combine(a),
                _ => merged.push((p, a)),
            }
        }
        self.intern(merged)
    }

    fn intern(&mut self, items: Vec<(Pid, Access)>) -> SetId {
        let hash = FxBuildHasher.hash_one(items.as_slice());
        let all = &self.items;
        let id = match self.ids.entry(
            hash,
            |&(h, id)| h == hash && *all[id as usize] == *items,
            |&(h, _)| h,
        ) {
            Entry::Occupied(known) => return known.get().1,
            Entry::Vacant(slot) => slot.insert((hash, all.len() as SetId)).get().1,
        };
        self.items.push(items.into_boxed_slice());
        self.cascades.push(UNKNOWN);
        self.names.push(UNKNOWN);
        id
    }

    /// Both sets together: each grantee holds what it holds in either.
    pub fn join(&mut self, a: SetId, b: SetId) -> SetId {
        if a == b || b == EMPTY {
            return a;
        }
        if a == EMPTY {
            return b;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&s) = self.joins.get(&key) {
            return s;
        }
        // Sized up front: a join of two large sets would otherwise grow
        // its list several times over.
        let (x, y) = (self.get(a), self.get(b));
        let mut out: Vec<(Pid, Access)> = Vec::with_capacity(x.len() + y.len());
        out.extend(side_by_side(x, y).map(|(q, u, v)| (q, u.combine(v))));
        let s = self.intern(out);
        self.joins.insert(key, s);
        s
    }

    /// What each grantee of a container holds on what it contains (where
    /// the owners agree). Ownership is kept: the owner of the container
    /// owns the contained resource too.
    pub fn cascade(&mut self, s: SetId) -> SetId {
        let profile = self.profile;
        self.memo(
            s,
            |sets| sets.cascades[s as usize],
            |_, a| crate::diff::cascaded(profile, a),
            |sets, id| sets.cascades[s as usize] = id,
        )
    }

    /// The names a run's grantees see on the biosamples it lists.
    pub fn names(&mut self, s: SetId) -> SetId {
        self.memo(
            s,
            |sets| sets.names[s as usize],
            |_, a| names_seen(a),
            |sets, id| sets.names[s as usize] = id,
        )
    }

    fn memo(
        &mut self,
        s: SetId,
        cached: impl Fn(&Sets) -> SetId,
        map: impl Fn(&Sets, Access) -> Access,
        store: impl FnOnce(&mut Sets, SetId),
    ) -> SetId {
        let known = cached(self);
        if known != UNKNOWN {
            return known;
        }
        let from = self.get(s);
        let mut items: Vec<(Pid, Access)> = Vec::with_capacity(from.len());
        items.extend(
            from.iter()
                .map(|&(q, a)| (q, map(self, a)))
                .filter(|(_, a)| a.level > Level::None),
        );
        let id = self.intern(items);
        store(self, id);
        id
    }
}

/// Two sets' items grantee by grantee, in order: each grantee of either
/// with what it holds in each (`Access::NONE` where absent).
pub(crate) fn side_by_side<'s>(
    x: &'s [(Pid, Access)],
    y: &'s [(Pid, Access)],
) -> impl Iterator<Item = (Pid, Access, Access)> + 's {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || match (x.get(i), y.get(j)) {
        (Some(&(p, u)), Some(&(q, v))) if p == q => {
            i += 1;
            j += 1;
            Some((p, u, v))
        }
        (Some(&(p, u)), Some(&(q, _))) if p < q => {
            i += 1;
            Some((p, u, Access::NONE))
        }
        (Some(&(p, u)), None) => {
            i += 1;
            Some((p, u, Access::NONE))
        }
        (_, Some(&(q, v))) => {
            j += 1;
            Some((q, Access::NONE, v))
        }
        (None, None) => None,
    })
}
