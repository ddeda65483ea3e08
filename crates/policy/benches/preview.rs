//! `preview` on the large generated deployment (L: one project with 20,000
//! associated resources, 50,000 files, 2,000 people, 50 nested groups), with
//! the world indexed once, as the engine is used by the server and the
//! browser. Also times indexing the world and the one-shot path.
//!
//! Run with `cargo bench -p custody-policy`; criterion prints the median.

use criterion::{Criterion, criterion_group, criterion_main};
use custody_policy::generate::{Size, ids, sized};
use custody_policy::{AccessText, Action, Engine, Profile};
use std::hint::black_box;
use std::time::Duration;

fn actions() -> Vec<(&'static str, Action)> {
    let transfer = |resource: &str| Action::RequestTransfer {
        actor: ids::OWNER.into(),
        resource: resource.into(),
        to: ids::RECIPIENT_EMAIL.into(),
        message: None,
    };
    vec![
        (
            "share_project_with_group_of_1000",
            Action::Share {
                actor: ids::OWNER.into(),
                resource: ids::PROJECT.into(),
                principal: ids::BIG_GROUP.into(),
                access: AccessText::Level("read".into()),
            },
        ),
        ("transfer_project", transfer(ids::PROJECT)),
        ("transfer_run", transfer(ids::RUN)),
    ]
}

fn bench(c: &mut Criterion) {
    let world = sized(Size::L, Profile::Basespace, 1);
    let engine = match Engine::new(world.clone()) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("the generated world is invalid: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("preview_L");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    for (name, action) in actions() {
        match engine.preview(&action) {
            Ok(p) => println!(
                "{name}: {} changed pairs in {} summaries, warnings {:?}",
                p.len(),
                p.blocks().len(),
                p.warnings()
            ),
            Err(e) => {
                eprintln!("{name} is rejected: {e}");
                continue;
            }
        }
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.preview(black_box(&action)).map(|p| p.len())))
        });
    }
    if let Some((_, share)) = actions().into_iter().next() {
        group.bench_function(
            "share_project_with_group_of_1000_with_block_summaries",
            |b| b.iter(|| black_box(engine.preview(&share).map(|p| p.blocks().len()))),
        );
        group.bench_function("share_project_with_group_of_1000_first_page_of_100", |b| {
            b.iter(|| black_box(engine.preview(&share).map(|p| p.changes_page(0, 100).len())))
        });
    }
    group.finish();

    let mut setup = c.benchmark_group("index_L");
    setup
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    setup.bench_function("engine_new", |b| {
        b.iter(|| black_box(Engine::new(world.clone()).is_ok()))
    });
    setup.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
