//! An access context from the server, indexed once for the dialogs.
//!
//! `GET /api/resources/{id}/context` hands over the slice of the world that
//! decides every preview on one resource, with a version. Indexing it into
//! a custody-policy `Engine` happens once per load; every edit then
//! previews on that engine with no network round trip.

use crate::preview::EngineRef;
use crate::words::Names;
use custody_api::AccessContext;
use custody_policy::{Access, Engine, PrincipalKind, Profile, ResourceKind, TransferStatus, World};
use std::rc::Rc;

/// A context ready to preview on.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub engine: EngineRef,
    pub names: Rc<Names>,
    /// The slice's version, sent back with an action.
    pub version: String,
    /// Whether the person may share (else "View collaborators").
    pub can_share: bool,
    /// The signed-in person, every action's actor.
    pub actor: String,
    /// The resource the context is about.
    pub resource: String,
}

impl Loaded {
    /// Indexes a context; a world the policy rejects is said in words.
    pub fn new(context: AccessContext) -> Result<Loaded, String> {
        let names = Rc::new(Names::of(&context.world));
        let engine = Engine::new(context.world).map_err(|e| {
            format!(
                "The sharing data could not be read ({}: {}).",
                e.code, e.message
            )
        })?;
        Ok(Loaded {
            engine: EngineRef(Rc::new(engine)),
            names,
            version: context.version,
            can_share: context.can_share,
            actor: context.actor,
            resource: context.resource,
        })
    }

    pub fn world(&self) -> &World {
        self.engine.0.world()
    }

    pub fn profile(&self) -> Profile {
        self.world().profile
    }

    /// The resource's owner.
    pub fn owner(&self) -> Option<&str> {
        self.world()
            .resources
            .iter()
            .find(|r| r.id == self.resource)
            .map(|r| r.owner.as_str())
    }

    pub fn kind(&self) -> Option<ResourceKind> {
        self.names.kind_of_resource(&self.resource)
    }

    pub fn actor_is_owner(&self) -> bool {
        self.owner() == Some(self.actor.as_str())
    }

    /// The grants on the resource itself: (principal, access), in the
    /// world's order.
    pub fn grants(&self) -> Vec<(String, Access)> {
        self.world()
            .grants
            .iter()
            .filter(|g| g.resource == self.resource)
            .map(|g| (g.principal.clone(), g.access))
            .collect()
    }

    /// How many direct members a group has.
    pub fn members(&self, group: &str) -> Option<usize> {
        self.world()
            .principals
            .iter()
            .find(|p| p.id == group && p.kind == PrincipalKind::Group)
            .map(|p| p.members.len())
    }

    /// The pending transfer of the resource: (id, recipient email).
    pub fn pending_transfer(&self) -> Option<(String, String)> {
        self.world()
            .transfers
            .iter()
            .find(|t| t.resource == self.resource && t.status == TransferStatus::Pending)
            .map(|t| (t.id.clone(), t.to.clone()))
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small world and its context, shared by the reducer tests.
    use super::*;

    pub fn context(actor: &str, profile: &str) -> AccessContext {
        let world: World = serde_json::from_str(&format!(
            r#"{{"profile":"{profile}","principals":[
                {{"id":"alice","kind":"user","name":"Alice Moreau","email":"alice@lab.example"}},
                {{"id":"bob","kind":"user","name":"Bob Okafor","email":"bob@core.example"}},
                {{"id":"carol","kind":"user","name":"Carol Diaz","email":"carol@lab.example"}},
                {{"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"}},
                {{"id":"genomics","kind":"group","name":"genomics","members":["carol","erin"]}}],
              "resources":[
                {{"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"}},
                {{"id":"R1","kind":"run","owner":"alice","projects":["P1"],"biosamples":["B1"],"name":"Run one"}},
                {{"id":"B1","kind":"biosample","owner":"alice","projects":["P1"],"name":"Sample one"}},
                {{"id":"F1","kind":"file","owner":"alice","parent":"R1","format":"fastq"}}],
              "grants":[{{"resource":"P1","principal":"carol","access":"read"}},
                        {{"resource":"P1","principal":"bob","access":"write"}}]}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        AccessContext {
            resource: "P1".to_string(),
            actor: actor.to_string(),
            can_share: actor == "alice",
            version: "v1".to_string(),
            world,
        }
    }

    pub fn loaded(actor: &str, profile: &str) -> Loaded {
        Loaded::new(context(actor, profile)).unwrap_or_else(|e| panic!("{e}"))
    }
}
