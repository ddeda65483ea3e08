//! Prints a generated deployment as JSON, for benchmarks outside Rust:
//! `cargo run --release --example world -- L basespace 1 > world-L.json`.
use custody_policy::Profile;
use custody_policy::generate::{Size, sized};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = match args.first().map(String::as_str) {
        Some("S") => Size::S,
        Some("M") => Size::M,
        Some("L") | None => Size::L,
        Some(other) => {
            eprintln!("unknown size `{other}`: S, M or L");
            return std::process::ExitCode::FAILURE;
        }
    };
    let profile = match args.get(1).map(String::as_str) {
        Some("direct") => Profile::Direct,
        _ => Profile::Basespace,
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    match serde_json::to_string(&sized(size, profile, seed)) {
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
