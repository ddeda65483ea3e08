//! The benchmarks' changes, defined once for every runner.

use super::ids;
use crate::{AccessText, Action, Profile, ResourceKind, World};

/// A share by the generated worlds' owner (`ids::OWNER`).
pub fn owner_share(resource: &str, principal: &str, access: &str) -> Action {
    Action::Share {
        actor: ids::OWNER.into(),
        resource: resource.into(),
        principal: principal.into(),
        access: AccessText::Level(access.into()),
    }
}

fn unshare(principal: &str) -> Action {
    Action::Unshare {
        actor: ids::OWNER.into(),
        resource: ids::PROJECT.into(),
        principal: principal.into(),
    }
}

fn transfer(resource: &str, world: &World) -> Action {
    // Someone of the second half of the people (a reader of the project in
    // the tidy worlds).
    let people = world
        .principals
        .iter()
        .filter(|p| p.email.is_some())
        .count();
    let recipient = world
        .principals
        .iter()
        .filter_map(|p| p.email.clone())
        .nth(people.saturating_sub(2))
        .unwrap_or_else(|| ids::RECIPIENT_EMAIL.into());
    Action::RequestTransfer {
        actor: ids::OWNER.into(),
        resource: resource.into(),
        to: recipient,
        message: None,
    }
}

/// Ten edits of the share dialog, saved at once: two new shares, three
/// shares removed, two changed, and (in `basespace`) three runs shared.
fn dialog_batch(world: &World) -> Action {
    let granted: Vec<&str> = world
        .grants
        .iter()
        .filter(|g| g.resource == ids::PROJECT && g.principal != ids::BIG_GROUP)
        .map(|g| g.principal.as_str())
        .collect();
    let mut actions = vec![
        owner_share(ids::PROJECT, ids::BIG_GROUP, "read"),
        owner_share(ids::PROJECT, "u0005", "write"),
    ];
    actions.extend(granted.iter().take(3).map(|p| unshare(p)));
    actions.extend(
        granted
            .iter()
            .skip(3)
            .take(2)
            .map(|p| owner_share(ids::PROJECT, p, "write")),
    );
    let runs = world
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Run && r.owner == ids::OWNER);
    if world.profile == Profile::Basespace {
        actions.extend(runs.take(3).map(|r| owner_share(&r.id, "g01", "read")));
    }
    Action::Batch {
        actor: ids::OWNER.into(),
        actions,
    }
}

/// The changes every benchmark times on a generated world (criterion, the
/// Cedar baseline, the package in Node and in Chromium), named as the
/// reports name them: the project shared with the big group, a 10-edit
/// share-dialog batch, and per profile the project and run transfers
/// (`basespace`) or `set_owner` (`direct`).
pub fn benchmark_actions(world: &World) -> Vec<(&'static str, Action)> {
    let mut out = vec![
        (
            "share_project_with_half_the_people",
            owner_share(ids::PROJECT, ids::BIG_GROUP, "read"),
        ),
        ("dialog_batch_of_10_edits", dialog_batch(world)),
    ];
    match world.profile {
        Profile::Basespace => {
            out.push(("transfer_project", transfer(ids::PROJECT, world)));
            out.push(("transfer_run", transfer(ids::RUN, world)));
        }
        Profile::Direct => out.push((
            "set_owner",
            Action::SetOwner {
                actor: ids::OWNER.into(),
                resource: ids::PROJECT.into(),
                principal: "u0003".into(),
                leave: false,
            },
        )),
    }
    out
}
