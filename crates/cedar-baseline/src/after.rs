//! The world after a change, the state the Cedar "after" sweep is asked of.

use custody_policy::{
    Action, Engine, Principal, PrincipalKind, TransferStatus, World, normalize_email,
};

/// The world that Custody's preview of `action` compares against.
///
/// For every action but one that is `Engine::applied`. The exception is
/// `request_transfer`: applying it only records the invitation, and its
/// preview shows what acceptance will change (the specification's one
/// planned exception, `plan.rs`). So the invitation is recorded and then
/// accepted by the recipient. A recipient with no account yet is added as a
/// user whose id is the email address, which is how the preview names them;
/// the "before" store has no such entity, so Cedar gives them nothing there.
pub fn after_world(engine: &Engine, action: &Action) -> Result<World, String> {
    let applied = engine.applied(action).map_err(|e| e.to_string())?;
    let Action::RequestTransfer { resource, to, .. } = action else {
        return Ok(applied);
    };
    let mut world = applied;
    let transfer = world
        .transfers
        .iter()
        .find(|t| &t.resource == resource && t.status == TransferStatus::Pending)
        .map(|t| t.id.clone())
        .ok_or_else(|| format!("no pending transfer of `{resource}` after the request"))?;
    let email = normalize_email(to);
    let account = world
        .principals
        .iter()
        .find(|p| {
            p.email
                .as_deref()
                .is_some_and(|e| normalize_email(e) == email)
        })
        .map(|p| p.id.clone());
    let recipient = match account {
        Some(id) => id,
        None => {
            let id = to.trim().to_string();
            world.principals.push(Principal {
                id: id.clone(),
                kind: PrincipalKind::User,
                email: Some(id.clone()),
                name: None,
                members: Vec::new(),
                admins: Vec::new(),
                roles: Vec::new(),
            });
            id
        }
    };
    let accept = Action::AcceptTransfer {
        actor: recipient,
        transfer,
    };
    Engine::new(world)
        .and_then(|e| e.applied(&accept))
        .map_err(|e| format!("accepting the requested transfer: {e}"))
}
