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
use custody_policy::generate::{Size, benchmark_actions, ids, irregular, sized};
use custody_policy::{Engine, Profile, World};
use std::hint::black_box;
use std::time::Duration;

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
    let quick = quick();
    let (samples, millis) = match size {
        _ if quick => (10, 200),
        Size::S | Size::M => (30, 3_000),
        Size::L => (20, 4_000),
        Size::XL => (10, 8_000),
    };
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .measurement_time(Duration::from_millis(millis));
    if quick {
        group.warm_up_time(Duration::from_millis(100));
    }
    for (action_name, action) in benchmark_actions(&world) {
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
    if let Some((_, share)) = benchmark_actions(&world).into_iter().next() {
        group.bench_function("share_first_page_of_100", |b| {
            b.iter(|| black_box(engine.preview(&share).map(|p| p.changes_page(0, 100).len())))
        });
        group.bench_function("share_digest", |b| {
            b.iter(|| black_box(engine.preview(&share).map(|p| p.digest())))
        });
        // What the server does after checking a confirmed share: the world
        // with the change written in.
        group.bench_function("apply_share", |b| {
            b.iter(|| black_box(engine.applied(&share).map(|w| w.grants.len())))
        });
    }
    group.bench_function("who_has_access_project", |b| {
        b.iter(|| black_box(engine.who_has_access(ids::PROJECT).map(|h| h.len())))
    });
    // A load is the parse and the index, as the targets count it: each
    // engine loaded is dropped once its time is taken, before the next
    // load (which then reuses the memory, as a page loading a new world
    // does), and dropping one is timed apart (`drop_engine`).
    group.bench_function("load_engine_new", |b| {
        b.iter_batched(
            || world.clone(),
            Engine::new,
            criterion::BatchSize::PerIteration,
        )
    });
    group.bench_function("load_from_json_text", |b| {
        b.iter_batched(
            || (),
            |()| Engine::from_json(black_box(&text)),
            criterion::BatchSize::PerIteration,
        )
    });
    group.bench_function("drop_engine", |b| {
        b.iter_batched(
            || Engine::from_json(&text),
            std::mem::drop,
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// `CUSTODY_BENCH_QUICK` (the smoke run of `cargo xtask bench --smoke`): S
/// worlds only, with the fewest samples criterion takes, so the run proves
/// each benchmark still works without timing anything worth reading.
fn quick() -> bool {
    std::env::var_os("CUSTODY_BENCH_QUICK").is_some()
}

fn bench(c: &mut Criterion) {
    let sizes: &[Size] = if quick() { &[Size::S] } else { &Size::ALL };
    for &size in sizes {
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
