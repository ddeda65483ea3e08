//! Policy slicing: each request is given only the policies that could
//! match it.
//!
//! Cedar evaluates every policy of the set it is given, so with one linked
//! policy per grant a request costs time in proportion to all the grants of
//! the world (a project transfer adds one per associated resource). A
//! careful deployment slices the set per request, as Cedar's documentation
//! advises. The slice here is exact: a grant's policy tests
//! `resource in ?resource` (or `==`), which can only hold when `?resource`
//! is the requested entity or one of its ancestors in the entity store, so
//! a request's slice is the static policies plus the grants on those
//! entities. Slices are cached by that set of grants (most resources share
//! one: the contents of a project), and built on first need; building them
//! for the store after a change is part of the timed work.

use crate::entities::{Kind, principal_uid, uid};
use cedar_policy::{Entities, EntityUid, PolicyId, PolicySet, SlotId};
use custody_policy::{Level, Permission, PrincipalKind, World};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One template to link for a grant, with its slot values.
type Link = (&'static str, EntityUid, EntityUid);

/// The policies of one side of a change, sliced per requested entity.
pub struct Slices {
    /// The static policies and the templates, with no grant linked.
    templates: PolicySet,
    /// For each grant, the templates it links.
    links: Vec<Vec<Link>>,
    /// The grants (by number) on each resource.
    grants_on: FxHashMap<EntityUid, Vec<u32>>,
    /// Slices by the grants they hold.
    cache: RefCell<FxHashMap<Vec<u32>, Rc<PolicySet>>>,
    /// The slice of each requested entity, once worked out.
    of: RefCell<FxHashMap<EntityUid, Rc<PolicySet>>>,
}

impl Slices {
    /// The grants of `world` over `templates` (`policies::templates`): each
    /// grant links `grant_read`, `grant_write` for a `write` grant, and one
    /// permission template per permission it carries.
    pub fn new(templates: &PolicySet, world: &World) -> Slices {
        let kinds: FxHashMap<&str, PrincipalKind> = world
            .principals
            .iter()
            .map(|p| (p.id.as_str(), p.kind))
            .collect();
        let mut links = Vec::with_capacity(world.grants.len());
        let mut grants_on: FxHashMap<EntityUid, Vec<u32>> = FxHashMap::default();
        for (n, g) in world.grants.iter().enumerate() {
            let mut names = vec!["grant_read"];
            if g.access.level == Level::Write {
                names.push("grant_write");
            }
            names.extend(g.access.permissions.iter().map(|p| match p {
                Permission::Share => "grant_share",
                Permission::Delete => "grant_delete",
                Permission::ManageResources => "grant_manage_resources",
                Permission::DeleteResources => "grant_delete_resources",
            }));
            let principal = principal_uid(&kinds, &g.principal);
            let resource = uid(Kind::Resource, &g.resource);
            links.push(
                names
                    .into_iter()
                    .map(|t| (t, principal.clone(), resource.clone()))
                    .collect(),
            );
            grants_on.entry(resource).or_default().push(n as u32);
        }
        Slices {
            templates: templates.clone(),
            links,
            grants_on,
            cache: RefCell::default(),
            of: RefCell::default(),
        }
    }

    /// The policies that could match a request on `target`.
    pub fn slice(&self, entities: &Entities, target: &EntityUid) -> Result<Rc<PolicySet>, String> {
        if let Some(set) = self.of.borrow().get(target) {
            return Ok(Rc::clone(set));
        }
        let mut key: Vec<u32> = std::iter::once(target)
            .chain(entities.ancestors(target).into_iter().flatten())
            .filter_map(|e| self.grants_on.get(e))
            .flatten()
            .copied()
            .collect();
        key.sort_unstable();
        let cached = self.cache.borrow().get(&key).cloned();
        let set = match cached {
            Some(set) => set,
            None => {
                let set = Rc::new(self.link(&key)?);
                self.cache.borrow_mut().insert(key, Rc::clone(&set));
                set
            }
        };
        self.of.borrow_mut().insert(target.clone(), Rc::clone(&set));
        Ok(set)
    }

    /// The templates with the given grants linked.
    fn link(&self, grants: &[u32]) -> Result<PolicySet, String> {
        let mut set = self.templates.clone();
        for &n in grants {
            for (i, (template, principal, resource)) in
                self.links.get(n as usize).into_iter().flatten().enumerate()
            {
                let slots = HashMap::from([
                    (SlotId::principal(), principal.clone()),
                    (SlotId::resource(), resource.clone()),
                ]);
                set.link(
                    PolicyId::new(template),
                    PolicyId::new(format!("grant{n}/{i}")),
                    slots,
                )
                .map_err(|e| format!("linking {template} for grant {n}: {e}"))?;
            }
        }
        Ok(set)
    }
}
