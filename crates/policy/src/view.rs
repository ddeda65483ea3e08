//! A world as an action would leave it, without copying the world: the
//! index plus a `Delta` of owners and grants that the action changes.
//!
//! Previews compare two views of one index (before: no delta; after: the
//! action's delta), and a batch checks each of its actions against the view
//! that the earlier ones produced. Only `apply` ever writes a new world.

use crate::access::Access;
use crate::index::{Index, Pid, Rid};
use crate::model::{Profile, TransferStatus};

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
///
/// Overrides are kept in arrays indexed by resource (allocated on the first
/// change), not in hash maps: a project transfer touches tens of thousands
/// of resources, and the preview reads every one of them several times.
#[derive(Debug, Clone, Default)]
pub(crate) struct Delta {
    /// Per resource, the new owner or `UNCHANGED`; empty while none changes.
    owners: Vec<Pid>,
    /// Per resource, 1 + the position in `lists` of its new grant list, or 0.
    grant_slots: Vec<u32>,
    /// The full, sorted grant list of each resource whose grants change.
    lists: Vec<(Rid, Vec<(Pid, Access)>)>,
    /// Every resource changed, once each, in the order first changed.
    touched: Vec<Rid>,
    /// The email of a recipient with no account, who appears in the preview
    /// as the principal `Index::newcomer()`.
    pub newcomer: Option<String>,
    pub transfer: Option<TransferEdit>,
    /// True when the owner and grant changes show what will happen later
    /// (a transfer request shows its acceptance) and `apply` must not write
    /// them now.
    pub hypothetical: bool,
}

const UNCHANGED: Pid = Pid::MAX;

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
        match self.delta.and_then(|d| d.owners.get(r as usize)) {
            Some(&p) if p != UNCHANGED => p,
            _ => self.index.res(r).owner,
        }
    }

    pub fn grants(&self, r: Rid) -> &'a [(Pid, Access)] {
        match self.delta.and_then(|d| d.grant_list(r)) {
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
        if self.grant_slots.is_empty() {
            self.grant_slots = vec![0; index.resources.len()];
        }
        let Some(slot) = self.grant_slots.get_mut(r as usize) else {
            return;
        };
        if *slot == 0 {
            self.lists.push((r, index.res(r).grants.clone()));
            *slot = self.lists.len() as u32;
            self.touch(r);
        }
        let Some((_, list)) = self
            .grant_slots
            .get(r as usize)
            .and_then(|&s| self.lists.get_mut(s as usize - 1))
        else {
            return;
        };
        match (list.binary_search_by_key(&p, |(q, _)| *q), access) {
            (Ok(i), Some(a)) => list[i].1 = a,
            (Ok(i), None) => {
                list.remove(i);
            }
            (Err(i), Some(a)) => list.insert(i, (p, a)),
            (Err(_), None) => {}
        }
    }

    pub fn set_owner(&mut self, index: &Index, r: Rid, p: Pid) {
        if self.owners.is_empty() {
            self.owners = vec![UNCHANGED; index.resources.len()];
        }
        if let Some(owner) = self.owners.get_mut(r as usize) {
            if *owner == UNCHANGED && self.grant_slots.get(r as usize).is_none_or(|&s| s == 0) {
                self.touched.push(r);
            }
            *owner = p;
        }
    }

    fn touch(&mut self, r: Rid) {
        if self.owners.get(r as usize).is_none_or(|&p| p == UNCHANGED) {
            self.touched.push(r);
        }
    }

    fn grant_list(&self, r: Rid) -> Option<&[(Pid, Access)]> {
        let slot = *self.grant_slots.get(r as usize)?;
        let (_, list) = self.lists.get((slot as usize).checked_sub(1)?)?;
        Some(list)
    }

    /// Resources whose owner or grants this delta changes, each once.
    pub fn touched(&self) -> &[Rid] {
        &self.touched
    }

    /// The new owner of each resource whose owner changes.
    pub fn owner_changes(&self) -> impl Iterator<Item = (Rid, Pid)> + '_ {
        self.touched
            .iter()
            .filter_map(|&r| match self.owners.get(r as usize) {
                Some(&p) if p != UNCHANGED => Some((r, p)),
                _ => None,
            })
    }

    /// The new grant list of each resource whose grants change, in the order
    /// first changed.
    pub fn grant_changes(&self) -> impl Iterator<Item = (Rid, &[(Pid, Access)])> + '_ {
        self.lists.iter().map(|(r, list)| (*r, list.as_slice()))
    }

    pub fn changes_grants_of(&self, r: Rid) -> bool {
        self.grant_slots.get(r as usize).is_some_and(|&s| s != 0)
    }
}
