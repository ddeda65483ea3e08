//! Prints a generated deployment as JSON, for benchmarks outside Rust:
//! `cargo run --release --example world -- L basespace 1 irregular > world-L.json`
//! (size S, M, L or XL; profile basespace or direct; a seed; tidy or
//! irregular). With a fifth argument `actions`, prints instead the changes
//! the benchmarks time on that world (`generate::benchmark_actions`), as a
//! JSON object from name to action, so every runner times the same ones.
use custody_policy::Profile;
use custody_policy::generate::{Size, benchmark_actions, irregular, sized};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size_name = args.first().map_or("L", String::as_str);
    let Some(size) = Size::parse(size_name) else {
        eprintln!("unknown size `{size_name}`: S, M, L or XL");
        return std::process::ExitCode::FAILURE;
    };
    let profile = match args.get(1).map(String::as_str) {
        Some("direct") => Profile::Direct,
        _ => Profile::Basespace,
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let world = match args.get(3).map(String::as_str) {
        Some("irregular") => irregular(size, profile, seed),
        _ => sized(size, profile, seed),
    };
    let text = if args.get(4).map(String::as_str) == Some("actions") {
        let actions: serde_json::Map<String, serde_json::Value> = benchmark_actions(&world)
            .into_iter()
            .filter_map(|(name, action)| {
                Some((name.to_string(), serde_json::to_value(action).ok()?))
            })
            .collect();
        serde_json::to_string(&actions)
    } else {
        serde_json::to_string(&world)
    };
    match text {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the world: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
