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
    /// Group memberships the delta changes.
    pub membership: Membership,
    /// True when the owner and grant changes show what will happen later
    /// (a transfer request shows its acceptance) and `apply` must not write
    /// them now.
    pub hypothetical: bool,
}

const UNCHANGED: Pid = Pid::MAX;

/// Memberships as a delta leaves them: the direct members of each group
/// whose members change, and what follows from them, kept so that a view
/// answers as cheaply as the index does.
#[derive(Debug, Clone, Default)]
pub(crate) struct Membership {
    /// Direct members after, of each group whose members change (sorted).
    pub members: FxHashMap<Pid, Vec<Pid>>,
    /// Enclosing groups after, of each principal whose groups change.
    groups: FxHashMap<Pid, Vec<Pid>>,
    /// People after, of each group whose people change.
    people: FxHashMap<Pid, Vec<Pid>>,
    /// People whose groups change (sorted): the only people whose access
    /// can change without their grantees' grants changing.
    pub movers: Vec<Pid>,
    /// Resources granted to a group whose people change (sorted): where
    /// the movers' access may change.
    pub reached: Vec<Rid>,
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
        match self.delta.and_then(|d| d.owners.get(r as usize)) {
            Some(&p) if p != UNCHANGED => p,
            _ => self.index.resources.owner(r),
        }
    }

    pub fn grants(&self, r: Rid) -> &'a [(Pid, Access)] {
        match self.delta.and_then(|d| d.grant_list(r)) {
            Some(list) => list,
            None => self.index.resources.grants(r),
        }
    }

    /// The grant that `p` itself (not a group of theirs) holds on `r`.
    pub fn own_grant(&self, r: Rid, p: Pid) -> Option<Access> {
        self.grants(r)
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, a)| *a)
    }

    /// The groups containing a principal, directly or through nesting
    /// (none for a newcomer).
    pub fn groups(&self, p: Pid) -> &'a [Pid] {
        match self.delta.and_then(|d| d.membership.groups.get(&p)) {
            Some(groups) => groups,
            None => self
                .index
                .principals
                .get(p as usize)
                .map_or(&[], |info| info.groups.as_slice()),
        }
    }

    /// The people in a grantee: a group's, directly or through nesting; a
    /// person alone.
    pub fn people(&self, q: Pid) -> &'a [Pid] {
        match self.delta.and_then(|d| d.membership.people.get(&q)) {
            Some(people) => people,
            None => self
                .index
                .principals
                .get(q as usize)
                .map_or(&[], |info| info.people.as_slice()),
        }
    }

    /// A group's direct members.
    pub fn members(&self, g: Pid) -> &'a [Pid] {
        match self.delta.and_then(|d| d.membership.members.get(&g)) {
            Some(members) => members,
            None => self
                .index
                .principals
                .get(g as usize)
                .map_or(&[], |info| info.members.as_slice()),
        }
    }

    /// The groups listing a principal as a direct member.
    fn direct_groups(&self, p: Pid) -> Vec<Pid> {
        let mut groups: Vec<Pid> = self
            .index
            .principals
            .get(p as usize)
            .map_or(Vec::new(), |info| info.direct_groups.clone());
        if let Some(d) = self.delta {
            for (&g, members) in &d.membership.members {
                let listed = members.binary_search(&p).is_ok();
                match groups.binary_search(&g) {
                    Ok(i) if !listed => {
                        groups.remove(i);
                    }
                    Err(i) if listed => groups.insert(i, g),
                    _ => {}
                }
            }
        }
        groups
    }

    /// The groups containing `p`, directly or through nesting (sorted).
    fn enclosing(&self, p: Pid) -> Vec<Pid> {
        let mut out: Vec<Pid> = Vec::new();
        let mut stack = self.direct_groups(p);
        while let Some(g) = stack.pop() {
            if let Err(i) = out.binary_search(&g) {
                out.insert(i, g);
                stack.extend(self.direct_groups(g));
            }
        }
        out
    }

    /// `p` and every principal inside it, directly or through nesting.
    pub fn inside(&self, p: Pid) -> Vec<Pid> {
        let mut out = vec![p];
        let mut i = 0;
        while let Some(&q) = out.get(i) {
            for &m in self.members(q) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
            i += 1;
        }
        out
    }

    pub fn reads_every_project(&self, p: Pid) -> bool {
        self.index
            .principals
            .get(p as usize)
            .is_some_and(|info| info.reads_every_project)
    }
}

impl Delta {
    /// Adds `member` to (or removes it from) the direct members of `group`,
    /// on top of what this delta already changed, and works out whose
    /// groups and which groups' people change with it.
    pub fn change_member(&mut self, index: &Index, group: Pid, member: Pid, add: bool) {
        let mut list = View::after(index, self).members(group).to_vec();
        match (list.binary_search(&member), add) {
            (Err(i), true) => list.insert(i, member),
            (Ok(i), false) => {
                list.remove(i);
            }
            _ => return,
        }
        self.membership.members.insert(group, list);
        for q in View::after(index, self).inside(member) {
            let view = View::after(index, self);
            let (old, new) = (view.groups(q).to_vec(), view.enclosing(q));
            if old == new {
                continue;
            }
            if index
                .principals
                .get(q as usize)
                .is_some_and(|i| i.kind.is_person())
            {
                for &g in old.iter().filter(|g| new.binary_search(g).is_err()) {
                    self.set_person_in(index, g, q, false);
                }
                for &g in new.iter().filter(|g| old.binary_search(g).is_err()) {
                    self.set_person_in(index, g, q, true);
                }
                if let Err(i) = self.membership.movers.binary_search(&q) {
                    self.membership.movers.insert(i, q);
                }
            }
            self.membership.groups.insert(q, new);
        }
    }

    /// Adds a person to (or removes them from) a group's people, and marks
    /// the resources granted to the group as reached.
    fn set_person_in(&mut self, index: &Index, g: Pid, p: Pid, present: bool) {
        let mut people = View::after(index, self).people(g).to_vec();
        match (people.binary_search(&p), present) {
            (Err(i), true) => people.insert(i, p),
            (Ok(i), false) => {
                people.remove(i);
            }
            _ => {}
        }
        self.membership.people.insert(g, people);
        if let Some(info) = index.principals.get(g as usize) {
            let reached = &mut self.membership.reached;
            reached.extend_from_slice(&info.granted);
            crate::order::numbers(reached);
            reached.dedup();
        }
    }

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
            self.lists.push((r, index.res(r).grants.to_vec()));
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
