//! A Custody world as a Cedar entity store.
//!
//! Cedar decides `principal in X` and `resource in X` through the entity
//! hierarchy, transitively, and that is the only transitive question it can
//! ask: its policies have no quantifiers and no recursion. So the two
//! chains of the access model become hierarchies:
//!
//! - **People and groups.** A `Person` (user or service account) has the
//!   groups that list it directly as parents, and a `Group` the groups that
//!   list it; `principal in Group::"g"` then holds through any nesting. A
//!   user with the `data_owner` role in the `direct` profile also has the
//!   parent `Role::"data_owner"`.
//! - **Cascade edges.** A `Resource` has as parents its containers (its
//!   projects; a file's run or dataset) *whose owner also owns it*: rule 3
//!   cascades only along such links, and a chain needs every link, which is
//!   exactly what a transitive hierarchy of filtered edges gives. The owner
//!   test has to sit here: a policy cannot say "some container in this set
//!   has the same owner". Every project also has the parent
//!   `Catalog::"projects"`, so that "every project and what cascades from
//!   it" (rule 5) is `resource in Catalog::"projects"`. Each resource has an
//!   `owner` attribute (rule 1).
//! - **Names on runs.** Rule 4 gives `names` on a biosample to whoever can
//!   read a run listing it, whoever owns the biosample. Reading a run is a
//!   derived fact, and a policy cannot ask the authorizer about another
//!   resource, so the names of biosample `B` are a separate entity,
//!   `Names::"B"`, whose parents are the runs listing `B` (with no owner
//!   filter). A grant that reads a run, or a container cascading to it,
//!   then reaches `Names::"B"` through the same `resource in ?resource`
//!   test that gives the run itself `read`. Owning a run reads it too; that
//!   is the `run_owners` attribute of `Names::"B"`. A `names` request is
//!   always asked of `Names::"X"`, never of `Resource::"X"`, so the extra
//!   edges never lend a run's readers `read` on its biosamples.

use cedar_policy::{Entities, Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};
use custody_policy::{PrincipalKind, Profile, ResourceKind, Role, World};
use rustc_hash::FxHashMap;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The entity types of the encoding.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Person,
    Group,
    Resource,
    Names,
    Role,
    Catalog,
    Action,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Person => "Person",
            Kind::Group => "Group",
            Kind::Resource => "Resource",
            Kind::Names => "Names",
            Kind::Role => "Role",
            Kind::Catalog => "Catalog",
            Kind::Action => "Action",
        }
    }
}

/// The uid `Kind::"id"`.
#[expect(
    clippy::expect_used,
    reason = "the type names are constants of this program, never input"
)]
pub fn uid(kind: Kind, id: &str) -> EntityUid {
    let type_name = EntityTypeName::from_str(kind.name())
        .expect("the encoding's entity type names are valid Cedar identifiers");
    EntityUid::from_type_name_and_id(type_name, EntityId::new(id))
}

/// The parent of every project.
pub fn all_projects() -> EntityUid {
    uid(Kind::Catalog, "projects")
}

/// The parent of every data owner (`direct` profile).
pub fn data_owners() -> EntityUid {
    uid(Kind::Role, "data_owner")
}

/// The principal uid of a Custody principal id: `Group::"g"` for a group,
/// `Person::"p"` otherwise (ids are unique across principals).
pub fn principal_uid(world_kinds: &FxHashMap<&str, PrincipalKind>, id: &str) -> EntityUid {
    match world_kinds.get(id) {
        Some(PrincipalKind::Group) => uid(Kind::Group, id),
        _ => uid(Kind::Person, id),
    }
}

/// Every entity of `world`, with the transitive closure computed.
pub fn build(world: &World) -> Result<Entities, String> {
    let kinds: FxHashMap<&str, PrincipalKind> = world
        .principals
        .iter()
        .map(|p| (p.id.as_str(), p.kind))
        .collect();
    let owner_of: FxHashMap<&str, &str> = world
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r.owner.as_str()))
        .collect();

    // Who lists each principal directly.
    let mut listed_in: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for g in world
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
    {
        for m in &g.members {
            listed_in.entry(m.as_str()).or_default().push(g.id.as_str());
        }
    }
    // Runs listing each biosample, and their owners.
    let mut runs_of: FxHashMap<&str, Vec<(&str, &str)>> = FxHashMap::default();
    for r in world
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Run)
    {
        for b in &r.biosamples {
            runs_of
                .entry(b.as_str())
                .or_default()
                .push((r.id.as_str(), r.owner.as_str()));
        }
    }

    let mut out = Vec::with_capacity(world.principals.len() + world.resources.len() * 2);
    for p in &world.principals {
        let mut parents: HashSet<EntityUid> = listed_in
            .get(p.id.as_str())
            .into_iter()
            .flatten()
            .map(|g| uid(Kind::Group, g))
            .collect();
        let reads_every_project = world.profile == Profile::Direct
            && p.kind == PrincipalKind::User
            && p.roles.contains(&Role::DataOwner);
        if reads_every_project {
            parents.insert(data_owners());
        }
        let kind = match p.kind {
            PrincipalKind::Group => Kind::Group,
            _ => Kind::Person,
        };
        out.push(Entity::new_no_attrs(uid(kind, &p.id), parents));
    }
    for r in &world.resources {
        let containers = r.projects.iter().chain(&r.parent);
        let mut parents: HashSet<EntityUid> = containers
            .filter(|c| owner_of.get(c.as_str()) == Some(&r.owner.as_str()))
            .map(|c| uid(Kind::Resource, c))
            .collect();
        if r.kind == ResourceKind::Project {
            parents.insert(all_projects());
        }
        let owner = RestrictedExpression::new_entity_uid(principal_uid(&kinds, &r.owner));
        let attrs = HashMap::from([("owner".to_string(), owner)]);
        let entity = Entity::new(uid(Kind::Resource, &r.id), attrs, parents)
            .map_err(|e| format!("resource `{}`: {e}", r.id))?;
        out.push(entity);
        if let Some(runs) = runs_of.get(r.id.as_str()) {
            let parents: HashSet<EntityUid> = runs
                .iter()
                .map(|(run, _)| uid(Kind::Resource, run))
                .collect();
            let owners = RestrictedExpression::new_set(
                runs.iter()
                    .map(|(_, o)| RestrictedExpression::new_entity_uid(principal_uid(&kinds, o))),
            );
            let attrs = HashMap::from([("run_owners".to_string(), owners)]);
            let entity = Entity::new(uid(Kind::Names, &r.id), attrs, parents)
                .map_err(|e| format!("names of `{}`: {e}", r.id))?;
            out.push(entity);
        }
    }
    Entities::from_entities(out, None).map_err(|e| format!("entity store: {e}"))
}
