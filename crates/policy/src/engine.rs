//! The entry points: an `Engine` that indexes a world once and answers many
//! questions about it, and one-shot functions for callers with one question.

use crate::action::Action;
use crate::apply::commit;
use crate::error::{ErrorCode, PolicyError, fail};
use crate::index::{Index, Pid, Rid};
use crate::model::World;
use crate::plan::plan;
use crate::preview::{Preview, PreviewResult};
use crate::who::{self, Holder};

/// A world, validated and indexed once. Previews borrow the engine; `apply`
/// replaces its world.
pub struct Engine {
    index: Index,
}

impl Engine {
    /// Validates and indexes a world (`invalid_world` when it breaks a rule).
    pub fn new(world: World) -> Result<Engine, PolicyError> {
        Ok(Engine {
            index: Index::new(world)?,
        })
    }

    /// Reads a world from JSON text and indexes it: the path for worlds
    /// that arrive as text (from the server, from a file), with no
    /// intermediate objects. `invalid_world` says where the text is wrong.
    pub fn from_json(json: &str) -> Result<Engine, PolicyError> {
        Engine::new(crate::json::parse_world(json)?)
    }

    pub fn world(&self) -> &World {
        self.index.world()
    }

    pub fn into_world(self) -> World {
        self.index.into_world()
    }

    /// What `action` would change, or why it is rejected. Nothing changes.
    pub fn preview(&self, action: &Action) -> Result<Preview<'_>, PolicyError> {
        Ok(Preview::new(&self.index, plan(&self.index, action)?))
    }

    /// Performs `action`. On an error the engine is unchanged.
    pub fn apply(&mut self, action: &Action) -> Result<(), PolicyError> {
        let plan = plan(&self.index, action)?;
        self.index = Index::new(commit(&self.index, &plan))?;
        Ok(())
    }

    /// The world after `action`, leaving the engine as it is.
    pub fn applied(&self, action: &Action) -> Result<World, PolicyError> {
        Ok(commit(&self.index, &plan(&self.index, action)?))
    }

    /// Everyone with any access to a resource, in id order, with reasons.
    pub fn who_has_access(&self, resource: &str) -> Result<Vec<Holder>, PolicyError> {
        Ok(who::who_has_access(&self.index, self.resource(resource)?))
    }

    /// One person's access to one resource, with reasons.
    pub fn effective_access(&self, person: &str, resource: &str) -> Result<Holder, PolicyError> {
        let p = self.principal(person)?;
        let r = self.resource(resource)?;
        who::effective_access(&self.index, p, r)
    }

    fn principal(&self, id: &str) -> Result<Pid, PolicyError> {
        self.index.principal(id).map_or_else(
            || {
                fail(
                    ErrorCode::UnknownPrincipal,
                    format!("there is no principal `{id}`"),
                )
            },
            Ok,
        )
    }

    fn resource(&self, id: &str) -> Result<Rid, PolicyError> {
        self.index.resource(id).map_or_else(
            || {
                fail(
                    ErrorCode::UnknownResource,
                    format!("there is no resource `{id}`"),
                )
            },
            Ok,
        )
    }
}

/// The preview of `action` on `world`, in the specification's flat form
/// (up to `api::MAX_FLAT_CHANGES` changes).
pub fn preview(world: &World, action: &Action) -> PreviewResult {
    match Engine::new(world.clone()) {
        Ok(engine) => crate::api::preview(&engine, action),
        Err(e) => e.into(),
    }
}

/// The world after `action`.
pub fn apply(world: &World, action: &Action) -> Result<World, PolicyError> {
    Engine::new(world.clone())?.applied(action)
}

/// Checks a world, saying what is wrong with it.
pub fn validate_world(world: &World) -> Result<(), PolicyError> {
    Index::new(world.clone()).map(drop)
}

/// Everyone with any access to `resource`, with reasons.
pub fn who_has_access(world: &World, resource: &str) -> Result<Vec<Holder>, PolicyError> {
    Engine::new(world.clone())?.who_has_access(resource)
}

/// One person's access to one resource, with reasons.
pub fn effective_access(
    world: &World,
    person: &str,
    resource: &str,
) -> Result<Holder, PolicyError> {
    Engine::new(world.clone())?.effective_access(person, resource)
}
