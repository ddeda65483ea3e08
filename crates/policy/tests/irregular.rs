//! The block preview on irregular organisations (groups of people drawn at
//! random and nested, grants on projects and runs, resources in several
//! projects or owned by someone else), checked pair by pair against
//! applying the action and asking every person's access afresh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

mod oracle;
use oracle::oracle_diff;

use custody_policy::generate::{Size, ids, irregular, owner_share as share};
use custody_policy::{Action, Engine, Profile, ResourceKind, World, apply, digest};

/// The project's existing grants and its first runs, for unshares and
/// dialog edits.
fn project_grantees(world: &World) -> Vec<String> {
    world
        .grants
        .iter()
        .filter(|g| g.resource == ids::PROJECT)
        .map(|g| g.principal.clone())
        .collect()
}

fn runs(world: &World) -> Vec<String> {
    world
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Run && r.owner == ids::OWNER)
        .map(|r| r.id.clone())
        .collect()
}

/// What a share dialog saves: new shares, changed and removed ones.
fn dialog_batch(world: &World) -> Action {
    let grantees = project_grantees(world);
    let mut actions = vec![
        share(ids::PROJECT, ids::BIG_GROUP, "read"),
        share(ids::PROJECT, "u0005", "write"),
    ];
    for g in grantees.iter().take(3) {
        actions.push(Action::Unshare {
            actor: ids::OWNER.into(),
            resource: ids::PROJECT.into(),
            principal: g.clone(),
        });
    }
    if world.profile == Profile::Basespace {
        for run in runs(world).iter().take(2) {
            actions.push(share(run, "g01", "write"));
        }
    }
    Action::Batch {
        actor: ids::OWNER.into(),
        actions,
    }
}

/// A group's direct members.
fn members<'w>(world: &'w World, group: &str) -> &'w [String] {
    world
        .principals
        .iter()
        .find(|p| p.id == group)
        .map_or(&[], |p| p.members.as_slice())
}

fn member_change(actor: &str, group: &str, principal: &str, add: bool) -> Action {
    let (actor, group, principal) = (actor.into(), group.into(), principal.into());
    if add {
        Action::AddMember {
            actor,
            group,
            principal,
        }
    } else {
        Action::RemoveMember {
            actor,
            group,
            principal,
        }
    }
}

/// Membership changes by the organisation's owner, who runs every group,
/// in groups shared on the project: a person added, a dialog's save (a
/// share, a person added to two groups, a member removed), a nested group
/// removed, and a member leaving.
fn membership_cases(world: &World) -> Vec<Action> {
    let groups: Vec<String> = project_grantees(world)
        .into_iter()
        .filter(|g| g.starts_with('g'))
        .collect();
    let mut out = Vec::new();
    let Some(group) = groups.first() else {
        return out;
    };
    let outsider = world
        .principals
        .iter()
        .rev()
        .filter(|p| p.kind.is_person() && p.id != ids::OWNER)
        .map(|p| p.id.as_str())
        .find(|id| !members(world, group).iter().any(|m| m == id));
    let member = members(world, group).iter().find(|m| m.starts_with('u'));
    if let Some(person) = outsider {
        out.push(member_change(ids::OWNER, group, person, true));
        let other = groups.get(1).unwrap_or(group);
        let mut save = vec![
            share(ids::PROJECT, other, "write"),
            member_change(ids::OWNER, group, person, true),
        ];
        if let Some(leaving) = member {
            save.push(member_change(ids::OWNER, group, leaving, false));
        }
        out.push(Action::Batch {
            actor: ids::OWNER.into(),
            actions: save,
        });
    }
    let nested = groups.iter().find_map(|g| {
        let sub = members(world, g).iter().find(|m| m.starts_with('g'))?;
        Some((g, sub))
    });
    if let Some((g, sub)) = nested {
        out.push(member_change(ids::OWNER, g, sub, false));
    }
    if let Some(person) = member {
        out.push(member_change(person, group, person, false));
    }
    out
}

/// The actions to check on a world, each with the world they apply to.
fn cases(world: &World) -> Vec<(World, Action)> {
    let mut cases = vec![
        (world.clone(), share(ids::PROJECT, ids::BIG_GROUP, "read")),
        (world.clone(), dialog_batch(world)),
    ];
    if let Some(g) = project_grantees(world).first() {
        cases.push((
            world.clone(),
            Action::Unshare {
                actor: ids::OWNER.into(),
                resource: ids::PROJECT.into(),
                principal: g.clone(),
            },
        ));
    }
    match world.profile {
        Profile::Basespace => {
            // Invite someone with an account, then preview their acceptance;
            // and a run transfer to someone without one (by email).
            for resource in [ids::PROJECT, ids::RUN] {
                let request = Action::RequestTransfer {
                    actor: ids::OWNER.into(),
                    resource: resource.into(),
                    to: "u0003@lab.example".into(),
                    message: None,
                };
                let invited = apply(world, &request).unwrap();
                let transfer = invited.transfers.last().unwrap().id.clone();
                cases.push((
                    invited,
                    Action::AcceptTransfer {
                        actor: "u0003".into(),
                        transfer,
                    },
                ));
            }
            cases.push((world.clone(), share(ids::RUN, "g01", "read")));
        }
        Profile::Direct => {
            for leave in [false, true] {
                cases.push((
                    world.clone(),
                    Action::SetOwner {
                        actor: ids::OWNER.into(),
                        resource: ids::PROJECT.into(),
                        principal: "u0003".into(),
                        leave,
                    },
                ));
            }
        }
    }
    cases.extend(
        membership_cases(world)
            .into_iter()
            .map(|action| (world.clone(), action)),
    );
    cases
}

/// Checks the cases of `which` (all when `None`); the oracle asks every
/// resource who has access, so M checks the heaviest dialog cases only.
fn check(size: Size, profile: Profile, seed: u64, which: Option<&[usize]>) {
    let world = irregular(size, profile, seed);
    let mut cases = cases(&world);
    if let Some(which) = which {
        cases = which
            .iter()
            .filter_map(|&i| cases.get(i).cloned())
            .collect();
    }
    let mut changing = 0;
    for (world, action) in &cases {
        let (world, action) = (world.clone(), action.clone());
        let engine = Engine::new(world.clone()).unwrap();
        let preview = engine
            .preview(&action)
            .unwrap_or_else(|e| panic!("{action:?} is refused: {e}"));
        let changes = preview.changes();
        let rows: Vec<_> = changes
            .iter()
            .map(|c| (c.principal.clone(), c.resource.clone(), c.before, c.after))
            .collect();
        changing += usize::from(!rows.is_empty());
        let expected = oracle_diff(&world, &apply(&world, &action).unwrap());
        assert_eq!(
            rows.len(),
            expected.len(),
            "{size:?} {profile:?} {action:?}"
        );
        assert_eq!(rows, expected, "{size:?} {profile:?} {action:?}");
        // The summaries cover every change once; the digest is that of the
        // flat list.
        let summaries = preview.blocks();
        let covered: u64 = summaries
            .iter()
            .map(|b| b.resources * b.people.len() as u64)
            .sum();
        assert_eq!(covered, preview.len());
        assert_eq!(
            preview.digest(),
            digest::of_changes(&changes, preview.warnings(), preview.recipient().as_ref())
        );
    }
    // The checks are not vacuous: nearly every case changes someone's access.
    assert!(
        changing + 1 >= cases.len(),
        "{changing} of {} cases change access",
        cases.len()
    );
}

#[test]
fn irregular_s_matches_the_oracle() {
    for seed in [1, 2, 3] {
        check(Size::S, Profile::Basespace, seed, None);
        check(Size::S, Profile::Direct, seed, None);
    }
}

#[test]
fn irregular_m_matches_the_oracle() {
    // The share with half the people and the 10-edit dialog batch; in
    // `direct`, the batch and setting a new owner.
    check(Size::M, Profile::Basespace, 1, Some(&[0, 1]));
    check(Size::M, Profile::Direct, 1, Some(&[1, 3]));
    // A person added to a group, a nested group removed from the group of
    // half the people.
    check(Size::M, Profile::Basespace, 1, Some(&[6, 8]));
}
