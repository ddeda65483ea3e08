//! Property tests over random small worlds and actions.
//!
//! The oracle for "preview equals apply" is deliberately a different path
//! through the crate: it applies the action, indexes both worlds afresh and
//! asks `effective_access` for every person and resource, one pair at a
//! time, with no delta and no classes. The preview must list exactly the
//! pairs that differ.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use custody_policy::generate::{Rng, small};
use custody_policy::json::preview_json;
use custody_policy::{
    Access, AccessText, Action, Engine, PreviewResult, PrincipalKind, Profile, ResourceKind, World,
    apply,
};
use proptest::prelude::*;

mod oracle;
use oracle::{access_table, oracle_diff};

const CASES: u32 = 1000;

fn profile(direct: bool) -> Profile {
    if direct {
        Profile::Direct
    } else {
        Profile::Basespace
    }
}

fn preview_rows(
    engine: &Engine,
    action: &Action,
) -> Result<Vec<(String, String, Access, Access)>, String> {
    let preview = engine.preview(action).map_err(|e| e.code.to_string())?;
    Ok(preview
        .changes()
        .into_iter()
        .map(|c| (c.principal, c.resource, c.before, c.after))
        .collect())
}

fn ids(world: &World) -> (Vec<String>, Vec<String>) {
    (
        world.principals.iter().map(|p| p.id.clone()).collect(),
        world.resources.iter().map(|r| r.id.clone()).collect(),
    )
}

fn pick(rng: &mut Rng, items: &[String]) -> String {
    if rng.chance(5) {
        return "nobody".to_string();
    }
    rng.pick(items).cloned().unwrap_or_default()
}

fn random_access(rng: &mut Rng, world: &World) -> AccessText {
    let valid = rng.chance(85);
    let level = if valid {
        ["read", "write"][rng.below(2)]
    } else {
        ["owner", "names", "admin"][rng.below(3)]
    }
    .to_string();
    if world.profile == Profile::Basespace && valid || rng.chance(50) {
        return AccessText::Level(level);
    }
    let mut names = vec!["share", "delete", "manage_resources", "delete_resources"];
    if !valid {
        names.push("fly");
    }
    let permissions = names
        .iter()
        .filter(|_| rng.chance(40))
        .map(|s| s.to_string())
        .collect();
    AccessText::Full { level, permissions }
}

/// A resource: mostly one `want` accepts, sometimes any, rarely unknown.
fn pick_resource(
    rng: &mut Rng,
    world: &World,
    want: impl Fn(&custody_policy::Resource) -> bool,
) -> String {
    let fitting: Vec<String> = world
        .resources
        .iter()
        .filter(|r| want(r))
        .map(|r| r.id.clone())
        .collect();
    if !fitting.is_empty() && rng.chance(85) {
        return rng.pick(&fitting).cloned().unwrap_or_default();
    }
    pick(rng, &ids(world).1)
}

fn shareable(world: &World, r: &custody_policy::Resource) -> bool {
    match world.profile {
        Profile::Basespace => matches!(r.kind, ResourceKind::Project | ResourceKind::Run),
        Profile::Direct => r.kind == ResourceKind::Project,
    }
}

/// 0 share, 1 unshare, 2 leave, 3 set_owner (rarely outside `direct`).
fn dialog_kind(rng: &mut Rng, world: &World) -> usize {
    match world.profile {
        Profile::Direct => rng.below(4),
        Profile::Basespace if rng.chance(5) => 3,
        Profile::Basespace => rng.below(3),
    }
}

/// One action of a dialog, mostly on resources the actor owns or has a
/// grant on.
fn dialog_action_of(kind: usize, rng: &mut Rng, world: &World, actor: &str) -> Action {
    let principals = ids(world).0;
    let owns = |r: &custody_policy::Resource| r.owner == actor;
    let to_actor = actor.to_string();
    let actor = actor.to_string();
    match kind {
        0 => Action::Share {
            resource: pick_resource(rng, world, |r| owns(r) && shareable(world, r)),
            principal: pick(rng, &principals),
            access: random_access(rng, world),
            actor,
        },
        1 => {
            let mine: Vec<&custody_policy::Grant> = world
                .grants
                .iter()
                .filter(|g| {
                    world
                        .resources
                        .iter()
                        .any(|r| r.id == g.resource && owns(r))
                })
                .collect();
            match rng.pick(&mine) {
                Some(g) if rng.chance(80) => Action::Unshare {
                    actor,
                    resource: g.resource.clone(),
                    principal: g.principal.clone(),
                },
                _ => Action::Unshare {
                    resource: pick_resource(rng, world, |r| shareable(world, r)),
                    principal: pick(rng, &principals),
                    actor,
                },
            }
        }
        2 => {
            let held: Vec<String> = world
                .grants
                .iter()
                .filter(|g| g.principal == to_actor)
                .map(|g| g.resource.clone())
                .collect();
            let resource = match rng.pick(&held) {
                Some(r) if rng.chance(80) => r.clone(),
                _ => pick(rng, &ids(world).1),
            };
            Action::Leave { actor, resource }
        }
        _ => Action::SetOwner {
            resource: pick_resource(rng, world, |r| owns(r) && r.kind == ResourceKind::Project),
            principal: pick(rng, &principals),
            leave: rng.chance(50),
            actor,
        },
    }
}

/// Any action, with an actor who is often entitled to take it.
fn random_action(rng: &mut Rng, world: &World) -> Action {
    let principals = ids(world).0;
    let owners: Vec<String> = world.resources.iter().map(|r| r.owner.clone()).collect();
    let grantees: Vec<String> = world
        .grants
        .iter()
        .filter(|g| {
            world
                .principals
                .iter()
                .any(|p| p.id == g.principal && p.kind != PrincipalKind::Group)
        })
        .map(|g| g.principal.clone())
        .collect();
    let emails: Vec<String> = world
        .principals
        .iter()
        .filter_map(|p| p.email.clone())
        .collect();
    let transfer = world.transfers.first();
    let recipient = transfer.and_then(|t| {
        world
            .principals
            .iter()
            .find(|p| {
                p.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&t.to))
            })
            .map(|p| p.id.clone())
    });
    let mostly = |rng: &mut Rng, likely: Option<String>| match likely {
        Some(id) if rng.chance(80) => id,
        _ => pick(rng, &principals),
    };
    let transfers_here =
        world.profile == Profile::Basespace && (transfer.is_some() || rng.chance(10));
    let choice = if transfers_here {
        rng.below(10)
    } else {
        [0, 1, 2, 8, 9][rng.below(5)]
    };
    match choice {
        0..=2 => {
            let kind = dialog_kind(rng, world);
            let likely = if kind == 2 {
                rng.pick(&grantees).cloned()
            } else {
                rng.pick(&owners).cloned()
            };
            let actor = mostly(rng, likely);
            dialog_action_of(kind, rng, world, &actor)
        }
        3 => {
            let resource = pick_resource(rng, world, |r| {
                matches!(r.kind, ResourceKind::Project | ResourceKind::Run)
            });
            let owner = world
                .resources
                .iter()
                .find(|r| r.id == resource)
                .map(|r| r.owner.clone());
            Action::RequestTransfer {
                actor: mostly(rng, owner),
                resource,
                to: match rng.below(6) {
                    0 => "newcomer@else.example".to_string(),
                    1 => "not an email".to_string(),
                    _ => rng
                        .pick(&emails)
                        .cloned()
                        .unwrap_or_default()
                        .to_uppercase(),
                },
                message: rng.chance(50).then(|| "Your data is ready".to_string()),
            }
        }
        4 | 5 => Action::AcceptTransfer {
            actor: mostly(rng, recipient),
            transfer: if rng.chance(95) {
                "T1".into()
            } else {
                "T9".into()
            },
        },
        6 => Action::DeclineTransfer {
            actor: mostly(rng, recipient),
            transfer: "T1".into(),
        },
        7 => Action::CancelTransfer {
            actor: mostly(rng, transfer.map(|t| t.from.clone())),
            transfer: "T1".into(),
        },
        _ => {
            let likely = rng.pick(&owners).cloned();
            let actor = mostly(rng, likely);
            batch(rng, world, &actor)
        }
    }
}

fn batch(rng: &mut Rng, world: &World, actor: &str) -> Action {
    let owns_nothing = world.resources.iter().all(|r| r.owner != actor);
    let actions = (0..1 + rng.below(3))
        .map(|_| {
            // A dialog's owner mostly shares; leaving is for the others.
            let mut kind = dialog_kind(rng, world);
            if kind == 2 && !owns_nothing && rng.chance(80) {
                kind = 0;
            }
            dialog_action_of(kind, rng, world, actor)
        })
        .collect();
    Action::Batch {
        actor: actor.to_string(),
        actions,
    }
}

fn same_error(
    a: &Result<impl Sized, custody_policy::PolicyError>,
    b: &Result<impl Sized, custody_policy::PolicyError>,
) -> bool {
    match (a, b) {
        (Err(x), Err(y)) => x.code == y.code,
        (Ok(_), Ok(_)) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    /// diff(W, apply(W, A)) == preview(W, A); for a transfer request, no
    /// access changes yet and the preview equals that of the acceptance.
    #[test]
    fn preview_equals_apply(seed in any::<u64>(), action_seed in any::<u64>(), direct in any::<bool>()) {
        let world = small(seed, profile(direct));
        let engine = Engine::new(world.clone()).expect("generated worlds are valid");
        let action = random_action(&mut Rng::new(action_seed), &world);
        let previewed = preview_rows(&engine, &action);
        let applied = apply(&world, &action);
        prop_assert_eq!(previewed.is_ok(), applied.is_ok(), "{:?} vs {:?}", previewed, applied.as_ref().err());
        let (Ok(rows), Ok(after)) = (previewed, applied) else { return Ok(()) };
        if let Action::RequestTransfer { to, .. } = &action {
            prop_assert!(oracle_diff(&world, &after).is_empty());
            let recipient = after.principals.iter().find(|p| {
                p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(to))
            });
            let transfer = after.transfers.last().expect("a transfer was recorded");
            if let Some(recipient) = recipient {
                let accept = Action::AcceptTransfer { actor: recipient.id.clone(), transfer: transfer.id.clone() };
                let accepted = preview_rows(&Engine::new(after.clone()).expect("valid"), &accept);
                prop_assert_eq!(Ok(rows), accepted);
            }
        } else {
            prop_assert_eq!(rows, oracle_diff(&world, &after));
        }
    }

    /// The digest of a preview is the digest of its flat list of changes,
    /// and stays the same when the world grows by data the change does not
    /// reach (the server previews on a different slice than the browser).
    #[test]
    fn digest_is_the_digest_of_the_changes(seed in any::<u64>(), action_seed in any::<u64>(), direct in any::<bool>()) {
        let world = small(seed, profile(direct));
        let engine = Engine::new(world.clone()).expect("generated worlds are valid");
        let action = random_action(&mut Rng::new(action_seed), &world);
        let Ok(preview) = engine.preview(&action) else { return Ok(()) };
        let digest = preview.digest();
        let reference = custody_policy::digest::of_changes(
            &preview.changes(),
            preview.warnings(),
            preview.recipient().as_ref(),
        );
        prop_assert_eq!(&digest, &reference);

        let mut larger = world.clone();
        larger.principals.push(custody_policy::Principal {
            id: "zz-outsider".into(),
            kind: PrincipalKind::User,
            email: Some("outsider@elsewhere.example".into()),
            name: None,
            members: Vec::new(),
            admins: Vec::new(),
            roles: Vec::new(),
        });
        larger.resources.push(custody_policy::Resource {
            id: "zz-project".into(),
            kind: custody_policy::ResourceKind::Project,
            owner: "zz-outsider".into(),
            name: None,
            projects: Vec::new(),
            biosamples: Vec::new(),
            parent: None,
            format: None,
        });
        let larger = Engine::new(larger).expect("still valid");
        let again = larger.preview(&action).expect("allowed as before");
        prop_assert_eq!(digest, again.digest());
    }

    /// Every resource keeps exactly one owner, never a group, and applied
    /// worlds stay valid.
    #[test]
    fn one_owner_never_a_group(seed in any::<u64>(), action_seed in any::<u64>(), direct in any::<bool>()) {
        let world = small(seed, profile(direct));
        let action = random_action(&mut Rng::new(action_seed), &world);
        if let Ok(after) = apply(&world, &action) {
            prop_assert!(Engine::new(after.clone()).is_ok());
            prop_assert_eq!(after.resources.len(), world.resources.len());
            for r in &after.resources {
                let owner = after.principals.iter().find(|p| p.id == r.owner);
                prop_assert!(owner.is_some_and(|p| p.kind != PrincipalKind::Group));
            }
        }
    }

    /// Sharing again what is already shared changes no one's access.
    #[test]
    fn resharing_changes_nothing(seed in any::<u64>(), direct in any::<bool>()) {
        let world = small(seed, profile(direct));
        let engine = Engine::new(world.clone()).expect("valid");
        for g in &world.grants {
            let Some(r) = world.resources.iter().find(|r| r.id == g.resource) else { continue };
            let action = Action::Share {
                actor: r.owner.clone(),
                resource: g.resource.clone(),
                principal: g.principal.clone(),
                access: g.access.into(),
            };
            if let Ok(rows) = preview_rows(&engine, &action) {
                prop_assert!(rows.is_empty(), "{:?}", rows);
                let after = apply(&world, &action).expect("previewed, so applies");
                prop_assert!(oracle_diff(&world, &after).is_empty());
            }
        }
    }

    /// A batch equals its actions applied in order: same world access, same
    /// net preview, and the same first error.
    #[test]
    fn batch_equals_actions_in_order(seed in any::<u64>(), action_seed in any::<u64>(), direct in any::<bool>()) {
        let world = small(seed, profile(direct));
        let mut rng = Rng::new(action_seed);
        let actor = world.resources.first().map(|r| r.owner.clone()).unwrap_or_default();
        let Action::Batch { actions, .. } = batch(&mut rng, &world, &actor) else { unreachable!() };
        let whole = Action::Batch { actor: actor.clone(), actions: actions.clone() };

        let mut sequential: Result<World, custody_policy::PolicyError> = Ok(world.clone());
        for a in &actions {
            sequential = sequential.and_then(|w| apply(&w, a));
        }
        let batched = apply(&world, &whole);
        prop_assert!(same_error(&batched, &sequential), "{:?} vs {:?}", batched.as_ref().err(), sequential.as_ref().err());
        if let (Ok(batched), Ok(sequential)) = (batched, sequential) {
            prop_assert_eq!(access_table(&batched), access_table(&sequential));
            let rows = preview_rows(&Engine::new(world.clone()).expect("valid"), &whole);
            prop_assert_eq!(rows, Ok(oracle_diff(&world, &sequential)));
        }
    }

    /// No action, however malformed, panics; the answer is always a result
    /// in the specification's form.
    #[test]
    fn no_input_panics(seed in any::<u64>(), action_seed in any::<u64>(), direct in any::<bool>(), cut in any::<usize>(), junk in "\\PC{0,12}") {
        let world = small(seed, profile(direct));
        let action = random_action(&mut Rng::new(action_seed), &world);
        let world_json = serde_json::to_string(&world).expect("serialises");
        let action_json = serde_json::to_string(&action).expect("serialises");
        // Well-formed, truncated, and spliced with junk.
        let at = cut % (action_json.len() + 1);
        let spliced = format!("{}{}{}", action_json.get(..at).unwrap_or(""), junk, action_json.get(at..).unwrap_or(""));
        let wat = cut % (world_json.len() + 1);
        let broken_world = format!("{}{}", world_json.get(..wat).unwrap_or(""), junk);
        for (w, a) in [(&world_json, &action_json), (&world_json, &spliced), (&broken_world, &action_json)] {
            let answer = preview_json(w, a);
            prop_assert!(serde_json::from_str::<PreviewResult>(&answer).is_ok(), "{}", answer);
        }
        // The paged and block views hold up at any offset.
        if let Ok(engine) = Engine::new(world)
            && let Ok(preview) = engine.preview(&action) {
                let len = preview.len();
                prop_assert_eq!(preview.changes().len() as u64, len);
                let offset = (cut as u64) % (len + 2);
                let page = preview.changes_page(offset, 3);
                prop_assert_eq!(page.len() as u64, len.saturating_sub(offset).min(3));
                let blocks = preview.blocks();
                let total: u64 = blocks.iter().map(|b| b.people.len() as u64 * b.resources).sum();
                prop_assert_eq!(total, len);
                prop_assert!(preview.block_resources(blocks.len(), 0, 5).is_empty());
            }
    }
}

/// The random worlds are not trivial: they exercise what the properties
/// are about (checked once, over the same seeds proptest would use).
#[test]
fn generated_worlds_cover_the_model() {
    let mut kinds = std::collections::BTreeSet::new();
    let (mut nested, mut pending, mut owned_by_other, mut shared_biosample) = (0, 0, 0, 0);
    for seed in 0..500 {
        let w = small(seed, profile(seed % 2 == 0));
        kinds.extend(w.resources.iter().map(|r| r.kind));
        nested += usize::from(
            w.principals
                .iter()
                .any(|p| p.members.iter().any(|m| m.starts_with('g'))),
        );
        pending += usize::from(
            w.transfers
                .iter()
                .any(|t| t.status == custody_policy::TransferStatus::Pending),
        );
        owned_by_other += usize::from(w.resources.iter().any(|r| r.owner != "p0"));
        shared_biosample += usize::from(w.resources.iter().any(|r| r.biosamples.len() > 1));
    }
    assert_eq!(kinds.len(), ResourceKind::ALL.len());
    assert!(nested > 20 && pending > 20 && owned_by_other > 100 && shared_biosample > 20);
}

/// The random actions are not vacuous: many succeed and change access, and
/// every kind of action succeeds sometimes.
#[test]
fn random_actions_often_change_access() {
    let (mut changed, mut rejected) = (0, 0);
    let mut succeeded = std::collections::BTreeSet::new();
    let mut codes = std::collections::BTreeMap::new();
    for seed in 0..1000u64 {
        let world = small(seed, profile(seed % 3 == 0));
        let engine = Engine::new(world.clone()).expect("valid");
        let action = random_action(&mut Rng::new(seed.wrapping_mul(7919)), &world);
        match engine.preview(&action) {
            Ok(p) => {
                changed += usize::from(!p.is_empty());
                succeeded.insert(action.action_type().as_str());
            }
            Err(e) => {
                rejected += 1;
                *codes
                    .entry((action.action_type().as_str(), e.code.as_str()))
                    .or_insert(0) += 1;
            }
        }
    }
    println!(
        "changed {changed}, rejected {rejected}, succeeded kinds {succeeded:?}, errors {codes:?}"
    );
    assert!(
        changed > 180,
        "only {changed} of 1000 random actions changed access"
    );
    assert!(
        rejected > 150,
        "only {rejected} of 1000 random actions were rejected"
    );
    assert_eq!(succeeded.len(), 9, "{succeeded:?}");
}
