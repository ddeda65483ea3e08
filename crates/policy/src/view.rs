//! A world as an action would leave it, without copying the world: the
//! index plus a `Delta` of owners and grants that the action changes.
//!
//! Previews compare two views of one index (before: no delta; after: the
//! action's delta), and a batch checks each of its actions against the view
//! that the earlier ones produced. Only `apply` ever writes a new world.

use crate::access::Access;
use crate::index::{Index, Pid, Rid};
use crate::model::{Profile, TransferStatus};
use rustc_hash::FxHashMap;

/// A change to a transfer record that `apply` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TransferEdit {
    /// A new pending invitation.
    Create {
        resource: Rid,
        from: Pid,
        to: String,
        message: Option<String>,
    },
    /// A pending transfer becomes accepted, declined or canceled.
    Close {
        transfer: u32,
        status: TransferStatus,
    },
}

/// What an action changes, as overrides on top of an index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Delta {
    pub owners: FxHashMap<Rid, Pid>,
    /// The full, sorted grant list of every resource whose grants change.
    pub grants: FxHashMap<Rid, Vec<(Pid, Access)>>,
    /// The email of a recipient with no account, who appears in the preview
    /// as the principal `Index::newcomer()`.
    pub newcomer: Option<String>,
    pub transfer: Option<TransferEdit>,
    /// True when the owner and grant changes show what will happen later
    /// (a transfer request shows its acceptance) and `apply` must not write
    /// them now.
    pub hypothetical: bool,
}

/// The index seen through a delta.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub index: &'a Index,
    pub delta: Option<&'a Delta>,
}

impl<'a> View<'a> {
    pub fn before(index: &'a Index) -> View<'a> {
        View { index, delta: None }
    }

    pub fn after(index: &'a Index, delta: &'a Delta) -> View<'a> {
        View {
            index,
            delta: Some(delta),
        }
    }

    pub fn profile(&self) -> Profile {
        self.index.profile()
    }

    pub fn owner(&self, r: Rid) -> Pid {
        self.delta
            .and_then(|d| d.owners.get(&r).copied())
            .unwrap_or_else(|| self.index.res(r).owner)
    }

    pub fn grants(&self, r: Rid) -> &'a [(Pid, Access)] {
        match self.delta.and_then(|d| d.grants.get(&r)) {
            Some(list) => list,
            None => &self.index.res(r).grants,
        }
    }

    /// The grant that `p` itself (not a group of theirs) holds on `r`.
    pub fn own_grant(&self, r: Rid, p: Pid) -> Option<Access> {
        self.grants(r)
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, a)| *a)
    }

    /// The groups containing a person (none for a newcomer).
    pub fn groups(&self, p: Pid) -> &'a [Pid] {
        self.index
            .principals
            .get(p as usize)
            .map_or(&[], |info| info.groups.as_slice())
    }

    pub fn reads_every_project(&self, p: Pid) -> bool {
        self.index
            .principals
            .get(p as usize)
            .is_some_and(|info| info.reads_every_project)
    }
}

impl Delta {
    /// Sets (or with `None` removes) `p`'s own grant on `r`, on top of what
    /// this delta already changed.
    pub fn set_grant(&mut self, index: &Index, r: Rid, p: Pid, access: Option<Access>) {
        let list = self
            .grants
            .entry(r)
            .or_insert_with(|| index.res(r).grants.clone());
        match (list.binary_search_by_key(&p, |(q, _)| *q), access) {
            (Ok(i), Some(a)) => list[i].1 = a,
            (Ok(i), None) => {
                list.remove(i);
            }
            (Err(i), Some(a)) => list.insert(i, (p, a)),
            (Err(_), None) => {}
        }
    }

    pub fn set_owner(&mut self, r: Rid, p: Pid) {
        self.owners.insert(r, p);
    }

    /// Resources whose owner or grants this delta changes.
    pub fn touched(&self) -> impl Iterator<Item = Rid> + '_ {
        self.owners.keys().chain(self.grants.keys()).copied()
    }
}
