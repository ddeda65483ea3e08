//! The PostgreSQL server that the server's tests use (127.0.0.1:5432,
//! trust auth): checked before the tests, and started when it is installed
//! but down, as these machines need (`pg_ctlcluster`, no systemd). The
//! tests then create and drop a database each; they never skip PostgreSQL.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::Result;
use crate::env::Env;

/// Where the tests find PostgreSQL (`CUSTODY_TEST_PG` overrides).
pub const URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn reachable() -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], 5432));
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}

/// Makes sure PostgreSQL accepts connections, starting the local cluster
/// when it is down.
pub fn ensure(env: &Env) -> Result {
    if std::env::var_os("CUSTODY_TEST_PG").is_some() || reachable() {
        return Ok(());
    }
    let versions: Vec<String> = std::fs::read_dir("/etc/postgresql")
        .map_err(|e| {
            format!(
                "PostgreSQL is not running on 127.0.0.1:5432 and is not installed \
                 (/etc/postgresql: {e}); the server's tests need it"
            )
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for version in &versions {
        println!("  PostgreSQL {version} is down; starting it");
        // Already running clusters make this fail; reachability decides.
        let _ = env.run(env.command("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            version,
            "main",
            "start",
        ]));
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if reachable() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(
        "PostgreSQL did not start on 127.0.0.1:5432; the server's tests need it \
         (try `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`)"
            .to_string(),
    )
}
