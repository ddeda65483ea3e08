//! Previews and loads on generated organisations: tidy (`generate::sized`)
//! and irregular (`generate::irregular`: overlapping groups, grants on
//! projects and runs, resources shared with other projects or owned by
//! someone else), at sizes S, M, L and XL. Each preview includes its
//! summaries, as the share dialog shows them; the world is indexed once, as
//! the server and the browser do.
//!
//! Run with `cargo bench -p custody-policy` (all), or filter, e.g.
//! `cargo bench -p custody-policy -- irregular_L`. Criterion prints the
//! median of each; the targets are in the README.

use criterion::{Criterion, criterion_group, criterion_main};
use custody_policy::generate::{Size, ids, irregular, sized};
use custody_policy::{AccessText, Action, Engine, Profile, World};
use std::hint::black_box;
use std::time::Duration;

fn share(resource: &str, principal: &str, access: &str) -> Action {
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
        share(ids::PROJECT, ids::BIG_GROUP, "read"),
        share(ids::PROJECT, "u0005", "write"),
    ];
    actions.extend(granted.iter().take(3).map(|p| unshare(p)));
    actions.extend(
        granted
            .iter()
            .skip(3)
            .take(2)
            .map(|p| share(ids::PROJECT, p, "write")),
    );
    let runs = world
        .resources
        .iter()
        .filter(|r| r.kind == custody_policy::ResourceKind::Run && r.owner == ids::OWNER);
    if world.profile == Profile::Basespace {
        actions.extend(runs.take(3).map(|r| share(&r.id, "g01", "read")));
    }
    Action::Batch {
        actor: ids::OWNER.into(),
        actions,
    }
}

fn actions(world: &World) -> Vec<(&'static str, Action)> {
    let mut out = vec![
        (
            "share_project_with_half_the_people",
            share(ids::PROJECT, ids::BIG_GROUP, "read"),
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

fn bench_world(c: &mut Criterion, name: &str, world: World, size: Size) {
    let text = match serde_json::to_string(&world) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{name}: cannot write the world: {e}");
            return;
        }
    };
    let engine = match Engine::new(world.clone()) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{name}: the generated world is invalid: {e}");
            return;
        }
    };
    let (samples, seconds) = match size {
        Size::S | Size::M => (30, 3),
        Size::L => (20, 4),
        Size::XL => (10, 8),
    };
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .measurement_time(Duration::from_secs(seconds));
    for (action_name, action) in actions(&world) {
        match engine.preview(&action) {
            Ok(p) => println!(
                "{name}/{action_name}: {} changed pairs in {} summaries, warnings {:?}",
                p.len(),
                p.blocks().len(),
                p.warnings()
            ),
            Err(e) => {
                eprintln!("{name}/{action_name} is rejected: {e}");
                continue;
            }
        }
        group.bench_function(action_name, |b| {
            b.iter(|| black_box(engine.preview(black_box(&action)).map(|p| p.blocks().len())))
        });
    }
    if let Some((_, share)) = actions(&world).into_iter().next() {
        group.bench_function("share_first_page_of_100", |b| {
            b.iter(|| black_box(engine.preview(&share).map(|p| p.changes_page(0, 100).len())))
        });
        group.bench_function("share_digest", |b| {
            b.iter(|| black_box(engine.preview(&share).map(|p| p.digest())))
        });
    }
    group.bench_function("load_engine_new", |b| {
        b.iter(|| black_box(Engine::new(world.clone()).is_ok()))
    });
    group.bench_function("load_from_json_text", |b| {
        b.iter(|| black_box(Engine::from_json(black_box(&text)).is_ok()))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    for size in Size::ALL {
        bench_world(
            c,
            &format!("tidy_{}", size.name()),
            sized(size, Profile::Basespace, 1),
            size,
        );
        bench_world(
            c,
            &format!("irregular_{}", size.name()),
            irregular(size, Profile::Basespace, 1),
            size,
        );
        bench_world(
            c,
            &format!("irregular_direct_{}", size.name()),
            irregular(size, Profile::Direct, 1),
            size,
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
