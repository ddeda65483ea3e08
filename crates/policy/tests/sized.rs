//! The generated deployments: valid, and the benchmark actions behave as a
//! person would expect on them. On the S size the block preview is checked
//! pair by pair against applying the action and asking every person's
//! access afresh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

mod oracle;
use oracle::oracle_diff;

use custody_policy::generate::{Size, ids, sized};
use custody_policy::{AccessText, Action, Engine, PrincipalKind, Profile, Warning, apply};

fn share_with_big_group() -> Action {
    Action::Share {
        actor: ids::OWNER.into(),
        resource: ids::PROJECT.into(),
        principal: ids::BIG_GROUP.into(),
        access: AccessText::Level("read".into()),
    }
}

fn transfer(resource: &str) -> Action {
    transfer_to(resource, ids::RECIPIENT_EMAIL)
}

fn transfer_to(resource: &str, email: &str) -> Action {
    Action::RequestTransfer {
        actor: ids::OWNER.into(),
        resource: resource.into(),
        to: email.into(),
        message: None,
    }
}

#[test]
fn sized_worlds_are_valid_and_deterministic() {
    for size in [Size::S, Size::M] {
        for profile in [Profile::Basespace, Profile::Direct] {
            let w = sized(size, profile, 1);
            Engine::new(w.clone()).unwrap();
            assert_eq!(w, sized(size, profile, 1));
        }
    }
    let l = sized(Size::L, Profile::Basespace, 1);
    assert_eq!(
        l.principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Group)
            .count(),
        50
    );
    assert_eq!(l.principals.len() - 50, 2_000);
    assert_eq!(
        l.resources
            .iter()
            .filter(|r| r.projects.contains(&ids::PROJECT.to_string()))
            .count(),
        20_000
    );
    assert_eq!(
        l.resources.iter().filter(|r| r.parent.is_some()).count(),
        50_000
    );
    Engine::new(l).unwrap();
}

#[test]
fn block_preview_matches_apply_on_the_small_deployment() {
    for profile in [Profile::Basespace, Profile::Direct] {
        let world = sized(Size::S, profile, 3);
        let engine = Engine::new(world.clone()).unwrap();
        let mut actions = vec![share_with_big_group()];
        let mut world = world;
        let mut engine = engine;
        match profile {
            Profile::Basespace => {
                // Invite a known person, then preview their acceptance.
                let invited =
                    apply(&world, &transfer_to(ids::PROJECT, "u0003@lab.example")).unwrap();
                let t = invited.transfers.last().unwrap().id.clone();
                world = invited;
                engine = Engine::new(world.clone()).unwrap();
                actions.push(Action::AcceptTransfer {
                    actor: "u0003".into(),
                    transfer: t,
                });
            }
            Profile::Direct => actions.push(Action::SetOwner {
                actor: ids::OWNER.into(),
                resource: ids::PROJECT.into(),
                principal: ids::COLLABORATOR.into(),
                leave: false,
            }),
        }
        for action in actions {
            let preview = engine.preview(&action).unwrap();
            let rows: Vec<_> = preview
                .changes()
                .into_iter()
                .map(|c| (c.principal, c.resource, c.before, c.after))
                .collect();
            assert!(!rows.is_empty());
            assert_eq!(
                rows,
                oracle_diff(&world, &apply(&world, &action).unwrap()),
                "{action:?}"
            );
        }
    }
}

#[test]
fn sharing_the_large_project_with_a_group_is_a_few_blocks() {
    let engine = Engine::new(sized(Size::M, Profile::Basespace, 1)).unwrap();
    let preview = engine.preview(&share_with_big_group()).unwrap();
    let blocks = preview.blocks();
    assert!(preview.len() > 100_000, "{}", preview.len());
    // Blocks follow the structure (owners, grants, shared biosamples), not
    // the number of pairs.
    assert!(
        blocks.len() * 1000 < preview.len() as usize,
        "{} blocks",
        blocks.len()
    );
    assert_eq!(
        blocks
            .iter()
            .map(|b| b.people.len() as u64 * b.resources)
            .sum::<u64>(),
        preview.len()
    );
    // A page from the middle is in order and of the asked size.
    let page = preview.changes_page(preview.len() / 2, 50);
    assert_eq!(page.len(), 50);
    assert!(
        page.windows(2)
            .all(|w| (&w[0].principal, &w[0].resource) < (&w[1].principal, &w[1].resource))
    );
    assert!(preview.warnings().is_empty());
}

#[test]
fn transferring_the_large_project_warns_and_reaches_its_readers() {
    let engine = Engine::new(sized(Size::M, Profile::Basespace, 1)).unwrap();
    let preview = engine.preview(&transfer(ids::PROJECT)).unwrap();
    for w in [
        Warning::Irreversible,
        Warning::PendingUntilAccepted,
        Warning::ActorLosesAccess,
    ] {
        assert!(preview.warnings().contains(&w), "{w:?}");
    }
    assert!(preview.len() > 10_000);
    let run = engine.preview(&transfer(ids::RUN)).unwrap();
    assert!(run.warnings().contains(&Warning::FastqExcluded));
    assert!(!run.is_empty());
}

#[test]
fn a_flat_preview_too_large_to_list_is_refused_with_a_pointer_to_pages() {
    let world = sized(Size::M, Profile::Basespace, 1);
    let answer: serde_json::Value = serde_json::from_str(&custody_policy::json::preview_json(
        &serde_json::to_string(&world).unwrap(),
        &serde_json::to_string(&share_with_big_group()).unwrap(),
    ))
    .unwrap();
    assert_eq!(answer["error"], "preview_too_large");
    assert!(answer["message"].as_str().unwrap().contains("pages"));
    // The same change in pages and summaries.
    let engine = Engine::new(world).unwrap();
    let summary = custody_policy::api::summary(&engine, &share_with_big_group());
    assert!(
        matches!(summary, custody_policy::api::SummaryResult::Answer { total, .. } if total > 1_000_000)
    );
}
