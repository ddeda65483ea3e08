//! The real `custody serve` binary as a child process on 127.0.0.1: started
//! on a test database, killed (SIGKILL) or stopped, its memory sampled from
//! /proc, its log checked for panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::Http;

pub struct Spawned {
    child: Child,
    pub http: Http,
    pub log: PathBuf,
}

impl Spawned {
    /// Starts `custody serve` on `database_url` with `profile`, listening
    /// on an ephemeral port of 127.0.0.1; returns once it listens.
    pub fn start(database_url: &str, profile: &str, extra: &[&str]) -> Spawned {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let dir = std::env::temp_dir().join("custody-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join(format!(
            "serve-{}-{}.log",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_custody"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env("DATABASE_URL", database_url)
            .env("CUSTODY_PROFILE", profile)
            // CUSTODY_TEST_SERVER_LOG=custody_server=debug shows, say,
            // where the commit queue's time goes under a test's load.
            .env(
                "RUST_LOG",
                std::env::var("CUSTODY_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env_remove("CUSTODY_DIST")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("the custody binary starts");
        // It prints `custody serving on http://ADDRESS/` once it listens.
        let started = Instant::now();
        let address = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(address) = text
                .split("serving on http://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .filter(|_| text.contains("(profile"))
            {
                break address.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "custody serve did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        Spawned {
            child,
            http: Http::new(format!("http://{address}")),
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush, nothing in flight finishes.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.check_log();
    }

    /// The resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    /// Panics when the server's log holds a panic.
    pub fn check_log(&self) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            !text.contains("panicked"),
            "the server panicked: {}",
            &text[text.find("panicked").unwrap_or(0)..]
                .chars()
                .take(2000)
                .collect::<String>()
        );
    }

    /// The server's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
