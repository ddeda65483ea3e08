//! Repeats one L preview (`project`, `run` transfer or `share`) for a
//! profiler: `cargo build --profile bench --example profile_preview`, then
//! `perf record target/release/examples/profile_preview share`.
use custody_policy::generate::{Size, ids, sized};
use custody_policy::{AccessText, Action, Engine, Profile};

fn main() {
    let Ok(engine) = Engine::new(sized(Size::L, Profile::Basespace, 1)) else {
        return;
    };
    let which = std::env::args().nth(1).unwrap_or_default();
    let action = match which.as_str() {
        "share" => Action::Share {
            actor: ids::OWNER.into(),
            resource: ids::PROJECT.into(),
            principal: ids::BIG_GROUP.into(),
            access: AccessText::Level("read".into()),
        },
        other => Action::RequestTransfer {
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
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..300 {
        n += engine.preview(&action).map(|p| p.len()).unwrap_or(0);
    }
    println!("{n} pairs; {:?} per preview", t.elapsed() / 300);
}
