//! Repeats one preview on a generated world, for a profiler:
//! `cargo build --profile bench --example profile_preview`, then
//! `perf record target/release/examples/profile_preview share L irregular`.
//! Actions: `share` (the project with a group of half the people),
//! `member` (a person added to a group shared on the project),
//! `project` or `run` (a transfer request to a newcomer), one of the
//! benchmarks' changes by its name (`transfer_project`, ...: the very
//! change criterion times), or `load` (the world loaded from its JSON
//! text, `Engine::from_json`); worlds: tidy or irregular, S, M, L or XL.
use custody_policy::generate::{Size, benchmark_actions, ids, irregular, sized};
use custody_policy::{AccessText, Action, Engine, Profile};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let which = args.first().map_or("share", String::as_str);
    let size = args.get(1).and_then(|s| Size::parse(s)).unwrap_or(Size::L);
    let world = match args.get(2).map(String::as_str) {
        Some("irregular") => irregular(size, Profile::Basespace, 1),
        _ => sized(size, Profile::Basespace, 1),
    };
    // For `member`: a person added to the first group shared on the project.
    let group = world
        .grants
        .iter()
        .find(|g| g.resource == ids::PROJECT && g.principal.starts_with('g'))
        .map(|g| g.principal.clone())
        .unwrap_or_else(|| ids::BIG_GROUP.into());
    let rounds: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    if which == "load" {
        let Ok(text) = serde_json::to_string(&world) else {
            return;
        };
        let t = std::time::Instant::now();
        let loaded = (0..rounds)
            .filter(|_| Engine::from_json(&text).is_ok())
            .count();
        println!(
            "{loaded} loads of {} bytes; {:?} per load",
            text.len(),
            t.elapsed() / rounds.max(1)
        );
        // The same load in its parts, medians: reading the text into a
        // world, indexing it, and dropping the engine (which a load in a
        // loop pays too).
        let (mut parse, mut index, mut drop) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = std::time::Instant::now();
            let Ok(world) = serde_json::from_str::<custody_policy::World>(&text) else {
                return;
            };
            parse.push(t.elapsed());
            let t = std::time::Instant::now();
            let Ok(engine) = Engine::new(world) else {
                return;
            };
            index.push(t.elapsed());
            let t = std::time::Instant::now();
            std::mem::drop(engine);
            drop.push(t.elapsed());
        }
        let median = |v: &mut Vec<std::time::Duration>| {
            v.sort();
            v.get(v.len() / 2).copied().unwrap_or_default()
        };
        println!(
            "parse {:?}, index {:?}, drop {:?} (medians)",
            median(&mut parse),
            median(&mut index),
            median(&mut drop)
        );
        return;
    }
    let t = std::time::Instant::now();
    let Ok(engine) = Engine::new(world) else {
        eprintln!("the generated world is invalid");
        return;
    };
    println!("indexed in {:?}", t.elapsed());
    let benchmark = benchmark_actions(engine.world())
        .into_iter()
        .find(|(name, _)| *name == which);
    let action = match (benchmark, which) {
        (Some((_, action)), _) => action,
        (None, "member") => Action::AddMember {
            actor: ids::OWNER.into(),
            group,
            principal: "u1997".into(),
        },
        (None, "share") => Action::Share {
            actor: ids::OWNER.into(),
            resource: ids::PROJECT.into(),
            principal: ids::BIG_GROUP.into(),
            access: AccessText::Level("read".into()),
        },
        (None, other) => Action::RequestTransfer {
            actor: ids::OWNER.into(),
            resource: if other == "run" {
                ids::RUN
            } else {
                ids::PROJECT
            }
            .into(),
            to: ids::RECIPIENT_EMAIL.into(),
            message: None,
        },
    };
    // Medians, since the machines are shared: the preview, then its
    // summaries and its digest (what the share dialog works out per edit).
    let (mut previews, mut blocks, mut digests) = (Vec::new(), Vec::new(), Vec::new());
    let (mut pairs, mut summaries) = (0, 0);
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let Ok(p) = engine.preview(&action) else {
            eprintln!("the action is refused");
            return;
        };
        previews.push(t.elapsed());
        let t = std::time::Instant::now();
        summaries = p.blocks().len();
        blocks.push(t.elapsed());
        let t = std::time::Instant::now();
        let digest = p.digest();
        digests.push(t.elapsed());
        std::hint::black_box(digest);
        pairs = p.len();
    }
    let median = |mut times: Vec<std::time::Duration>| {
        times.sort_unstable();
        times.get(times.len() / 2).copied().unwrap_or_default()
    };
    println!(
        "{pairs} pairs, {summaries} summaries; median {:?} per preview, {:?} for its summaries, {:?} for its digest",
        median(previews),
        median(blocks),
        median(digests)
    );
}
