//! What the figures were measured on: the date, the processor, its cores,
//! the memory, and the versions of the tools that ran the code.

use std::process::Command;

/// Output of a command's first line, or `unknown`.
fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.lines().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// A field of `/proc/cpuinfo` or `/proc/meminfo`.
fn proc_field(file: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// The lines of the report's "Machine" section.
pub fn describe() -> Vec<(String, String)> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = proc_field("/proc/meminfo", "MemTotal")
        .and_then(|v| {
            v.split_whitespace()
                .next()
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or_else(
            || "unknown".to_string(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    vec![
        (
            "date".into(),
            first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        ),
        (
            "processor".into(),
            proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        ),
        ("cores available".into(), cores.to_string()),
        ("memory".into(), memory),
        (
            "load average at the end".into(),
            std::fs::read_to_string("/proc/loadavg").map_or_else(
                |_| "unknown".into(),
                |t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
            ),
        ),
        ("rustc".into(), first_line("rustc", &["-V"])),
        ("node".into(), first_line("node", &["--version"])),
        ("chromium".into(), first_line(&chromium, &["--version"])),
    ]
}
