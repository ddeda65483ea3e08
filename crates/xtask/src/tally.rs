//! Counts the tests a step ran, from the closing lines the runners print,
//! so that `cargo xtask test` can end on one line that says how many tests
//! ran in all: `tests: N passed, M failed`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::Result;

/// Passed and failed tests, summed over runners.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }

    /// Reads one output line: libtest's and wasm-bindgen-test's
    /// `test result: ok. 7 passed; 0 failed; ...`, and the scenario runner's
    /// `scenarios: 41 passed, 0 failed`, and node's `# pass 92` / `# fail 0`.
    pub fn read_line(&mut self, line: &str) {
        // Node's test runner (TAP): `# pass 92`, `# fail 0`.
        let tap = |word: &str| {
            line.trim()
                .strip_prefix("# ")
                .and_then(|rest| rest.strip_prefix(word))
                .and_then(|n| n.trim().parse::<u64>().ok())
        };
        if let Some(n) = tap("pass ") {
            self.passed += n;
            return;
        }
        if let Some(n) = tap("fail ") {
            self.failed += n;
            return;
        }
        let rest = line
            .trim()
            .strip_prefix("test result: ")
            .or_else(|| line.trim().strip_prefix("scenarios: "));
        let Some(rest) = rest else { return };
        let number_before = |word: &str| {
            let words: Vec<&str> = rest
                .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .collect();
            words
                .windows(2)
                .find(|pair| pair[1] == word)
                .and_then(|pair| pair[0].parse::<u64>().ok())
                .unwrap_or(0)
        };
        self.passed += number_before("passed");
        self.failed += number_before("failed");
    }
}

/// Runs a test command, echoing its output as it comes, and counts the
/// tests it reports. An error unless it exits with 0.
pub fn run_counting(command: &mut Command, shown: &str) -> Result<Tally> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let mut tally = Tally::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            tally.read_line(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    if status.success() {
        Ok(tally)
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_runners_closing_lines() {
        let mut t = Tally::default();
        t.read_line("test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.54s");
        t.read_line("scenarios: 41 passed, 2 failed");
        t.read_line(
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 filtered out; finished in 0.14s",
        );
        t.read_line("running 4 tests");
        assert_eq!(
            t,
            Tally {
                passed: 49,
                failed: 3
            }
        );
    }
}
