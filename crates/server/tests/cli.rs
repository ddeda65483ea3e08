//! The `custody` admin commands as an operator types them, on the real
//! binary: `user set-password` gives an imported account a password (from
//! `--password` or `CUSTODY_PASSWORD`) it then signs in with, and refuses
//! an unknown id or a group with a clear error and a non-zero exit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Output};

use common::{Backend, TestDb};
use custody_policy::World;
use custody_server::accounts::verify_password;
use serde_json::json;

/// Runs `custody ARGS...` on the database at `url`, with `env` set.
fn custody(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("CUSTODY_PASSWORD")
        .envs(env.iter().copied())
        .output()
        .expect("the custody binary runs")
}

async fn stored_hash(test_db: &TestDb, id: &str) -> Option<String> {
    let (hash,): (Option<String>,) =
        sqlx::query_as("SELECT password_hash FROM principals WHERE id = $1")
            .bind(id)
            .fetch_one(&test_db.db.pool)
            .await
            .unwrap();
    hash
}

#[tokio::test]
async fn user_set_password() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let world: World = serde_json::from_value(json!({
        "profile": "basespace",
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example"},
            {"id": "bob", "kind": "user", "email": "bob@lab.example"},
            {"id": "lab", "kind": "group", "members": ["alice"]}
        ],
        "resources": [{"id": "P1", "kind": "project", "owner": "alice"}],
        "grants": [], "transfers": []
    }))
    .unwrap();
    custody_server::import::import_world(&test_db.db, &world)
        .await
        .unwrap();
    assert_eq!(stored_hash(&test_db, "alice").await, None);
    let url = test_db.db.url.clone();

    let set = ["user", "set-password", "--fast-hashes", "--id"];
    let out = custody(
        &url,
        &[&set[..], &["alice", "--password", "pw1"]].concat(),
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let hash = stored_hash(&test_db, "alice").await.unwrap();
    assert!(verify_password("pw1", &hash) && !verify_password("pw2", &hash));

    // From the environment, replacing nobody else's.
    let out = custody(
        &url,
        &[&set[..], &["alice"]].concat(),
        &[("CUSTODY_PASSWORD", "pw2")],
    );
    assert!(out.status.success(), "{out:?}");
    let hash = stored_hash(&test_db, "alice").await.unwrap();
    assert!(verify_password("pw2", &hash) && !verify_password("pw1", &hash));
    assert_eq!(stored_hash(&test_db, "bob").await, None);

    // Refused, with a sentence: an unknown id, a group, no password.
    for (id, says) in [
        ("nobody", "there is no account `nobody`"),
        ("lab", "there is no account `lab`"),
    ] {
        let out = custody(&url, &[&set[..], &[id, "--password", "pw"]].concat(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{out:?}");
    }
    let out = custody(&url, &[&set[..], &["bob"]].concat(), &[]);
    assert!(!out.status.success(), "{out:?}");
    assert_eq!(stored_hash(&test_db, "bob").await, None);
    test_db.drop_db().await;
}
