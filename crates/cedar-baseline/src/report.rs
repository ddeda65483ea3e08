//! One measurement: a JSON line for the report and a line for people.

use serde_json::json;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

pub struct Measurement<'a> {
    /// `cedar_full`, `cedar_reachable` or `custody_native`.
    pub suite: &'static str,
    pub world: &'static str,
    pub size: &'static str,
    pub case: &'a str,
    /// One whole diff, extrapolated to every request when sampled.
    pub ms: f64,
    /// Of `ms`, the per-change work before the first request: the world
    /// after the change, its entity store and policies, and for the
    /// reachable sweep the pairs to ask about.
    pub prep_ms: Option<f64>,
    /// `is_authorized` calls the whole sweep needs (before and after).
    pub requests: u64,
    pub timed_requests: u64,
    pub extrapolated: bool,
    pub mismatches: Option<u64>,
}

impl Measurement<'_> {
    /// Appends the JSON line to `out` and prints the human line.
    pub fn write(&self, out: &Path) -> Result<(), String> {
        let mut line = json!({
            "suite": self.suite,
            "world": self.world,
            "size": self.size,
            "case": self.case,
            "ms": self.ms,
            "requests": self.requests,
            "timed_requests": self.timed_requests,
            "extrapolated": self.extrapolated,
            "mismatches": self.mismatches,
        });
        if let (Some(prep), Some(map)) = (self.prep_ms, line.as_object_mut()) {
            map.insert("prep_ms".into(), json!(prep));
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .map_err(|e| format!("{}: {e}", out.display()))?;
        writeln!(file, "{line}").map_err(|e| format!("{}: {e}", out.display()))?;
        let checked = match self.mismatches {
            Some(n) => format!("{n} mismatches"),
            None => "not checked".to_string(),
        };
        let sampled = if self.extrapolated {
            format!(
                " (extrapolated from {} of {} requests)",
                self.timed_requests, self.requests
            )
        } else if self.requests > 0 {
            format!(" ({} requests)", self.requests)
        } else {
            String::new()
        };
        println!(
            "{:<16} {:<16} {:<2} {:<36} {:>14.3} ms{sampled}, {checked}",
            self.suite, self.world, self.size, self.case, self.ms
        );
        Ok(())
    }
}
