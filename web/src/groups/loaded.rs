//! A group's context from the server, indexed once for the members dialog.
//!
//! `GET /api/groups/{id}/context` hands over the slice of the world that
//! decides what a change to the group's members does: everything the
//! group's grants reach, the people who reach it otherwise, and the
//! memberships of the principals the dialog adds. Indexing it into a
//! custody-policy `Engine` happens once per load; every edit then
//! previews on that engine with no network round trip, exactly as the
//! share dialog does with a resource's context (`crate::loaded`).

use crate::preview::EngineRef;
use crate::words::Names;
use custody_policy::{Engine, PrincipalKind, World};
use std::rc::Rc;

/// A group context ready to preview on.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLoaded {
    pub engine: EngineRef,
    pub names: Rc<Names>,
    /// The slice's version, sent back with an action.
    pub version: String,
    /// Whether the person administers the group (else they may only
    /// leave it, if they are a direct member).
    pub can_manage: bool,
    /// The signed-in person, every action's actor.
    pub actor: String,
    /// The group the context is about.
    pub group: String,
}

impl GroupLoaded {
    /// Indexes a context; a world the policy rejects is said in words.
    pub fn new(
        group: String,
        actor: String,
        world: World,
        version: String,
        can_manage: bool,
    ) -> Result<GroupLoaded, String> {
        let names = Rc::new(Names::of(&world));
        let engine = Engine::new(world).map_err(|e| {
            format!(
                "The group's data could not be read ({}: {}).",
                e.code, e.message
            )
        })?;
        Ok(GroupLoaded {
            engine: EngineRef(Rc::new(engine)),
            names,
            version,
            can_manage,
            actor,
            group,
        })
    }

    /// Indexes the server's answer.
    pub fn from_context(context: custody_api::GroupContext) -> Result<GroupLoaded, String> {
        GroupLoaded::new(
            context.group,
            context.actor,
            context.world,
            context.version,
            context.can_manage,
        )
    }

    pub fn world(&self) -> &World {
        self.engine.0.world()
    }

    fn principal(&self, id: &str) -> Option<&custody_policy::Principal> {
        self.world().principals.iter().find(|p| p.id == id)
    }

    /// The group's direct members, in the world's order.
    pub fn members(&self) -> Vec<String> {
        self.principal(&self.group)
            .map(|g| g.members.clone())
            .unwrap_or_default()
    }

    /// The group's admins, in the world's order.
    pub fn admins(&self) -> Vec<String> {
        self.principal(&self.group)
            .map(|g| g.admins.clone())
            .unwrap_or_default()
    }

    /// Whether `principal` is a direct member (the only kind that can be
    /// removed, or leave).
    pub fn is_member(&self, principal: &str) -> bool {
        self.members().iter().any(|m| m == principal)
    }

    /// How many direct members a group has (for "lab-b (group, 2 members)").
    pub fn member_count(&self, group: &str) -> Option<usize> {
        self.principal(group)
            .filter(|p| p.kind == PrincipalKind::Group)
            .map(|p| p.members.len())
    }

    /// The group's name, or its id.
    pub fn group_name(&self) -> String {
        self.names.person(&self.group)
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small organisation with workgroups, for the reducer tests: Alice
    //! administers genomics (Carol and the nested wetlab-core), whose read
    //! share on Tumor WGS reaches its people; Carol also reads it directly
    //! through wetlab, so she keeps it if she leaves genomics.
    use super::*;

    pub const WORLD: &str = r#"{"profile":"basespace","principals":[
        {"id":"alice","kind":"user","name":"Alice Moreau","email":"alice@lab.example"},
        {"id":"bob","kind":"user","name":"Bob Okafor","email":"bob@core.example"},
        {"id":"carol","kind":"user","name":"Carol Diaz","email":"carol@lab.example"},
        {"id":"dan","kind":"user","name":"Dan Reyes","email":"dan@lab.example"},
        {"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"},
        {"id":"frank","kind":"user","name":"Frank Osei","email":"frank@lab.example"},
        {"id":"pipeline","kind":"service_account","name":"Nightly pipeline"},
        {"id":"wetlab-core","kind":"group","name":"wetlab-core","members":["dan","frank"]},
        {"id":"genomics","kind":"group","name":"genomics","members":["carol","wetlab-core"],"admins":["alice"]},
        {"id":"wetlab","kind":"group","name":"wetlab","members":["carol","genomics"]}],
      "resources":[
        {"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"},
        {"id":"P2","kind":"project","owner":"alice","name":"Normals"},
        {"id":"R1","kind":"run","owner":"alice","projects":["P1"],"biosamples":["B1"],"name":"Run one"},
        {"id":"B1","kind":"biosample","owner":"alice","projects":["P1"],"name":"Sample one"},
        {"id":"F1","kind":"file","owner":"alice","parent":"R1","format":"fastq"}],
      "grants":[{"resource":"P1","principal":"genomics","access":"read"},
                {"resource":"P2","principal":"wetlab","access":"read"},
                {"resource":"P1","principal":"carol","access":"read"}]}"#;

    pub fn world() -> World {
        serde_json::from_str(WORLD).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn loaded(actor: &str) -> GroupLoaded {
        loaded_on(actor, world(), "v1")
    }

    pub fn loaded_on(actor: &str, world: World, version: &str) -> GroupLoaded {
        GroupLoaded::new(
            "genomics".to_string(),
            actor.to_string(),
            world,
            version.to_string(),
            actor == "alice",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }
}
