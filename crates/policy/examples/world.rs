//! Prints a generated deployment as JSON, for benchmarks outside Rust:
//! `cargo run --release --example world -- L basespace 1 irregular > world-L.json`
//! (size S, M, L or XL; profile basespace or direct; a seed; tidy or
//! irregular).
use custody_policy::Profile;
use custody_policy::generate::{Size, irregular, sized};

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
    match serde_json::to_string(&world) {
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
