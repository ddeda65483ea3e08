//! Every scenario of the specification (and the project's own), replayed
//! through the HTTP API on a fresh database: load its world, sign in as
//! the actor, fetch the access context the dialog would, compute the
//! digest with custody-policy on it, confirm the action, and compare what
//! is now stored with the scenario's expected changes (computed pair by
//! pair with `effective_access` on the stored world before and after), or
//! the refusal's code with the expected error and the database unchanged.
//! A transfer request changes nothing until accepted, so its expected
//! changes are checked after the recipient accepts through the API (an
//! account is created for an address that has none, as a newcomer would).
//!
//! The groups folder (`add_member`, `remove_member`) is replayed the same
//! way on the group context (`GET /api/groups/{id}/context`), and each
//! group's stored members and admins are compared with the policy's world
//! after the action.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{Backend, TestApp, whole_world};
use custody_policy::scenario::{Expect, Scenario, compare};
use custody_policy::{Access, Action, Change, Engine, PreviewResult, Profile, Warning, Why, World};
use custody_server::accounts::{NewAccount, PasswordCost, add_account};
use serde_json::{Value, json};

fn scenario_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        root.join("../shared/spec/scenarios"),
        root.join("../shared/spec/scenarios/groups"),
        root.join("tests/scenarios"),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no scenario files found");
    files
}

/// The context a dialog opens on to preview an action: a group's, for an
/// action that names no resource (membership changes), else the first
/// resource's (a transfer's resource for one that settles a transfer),
/// with the principals and emails the action names.
fn context_path(action: &Action, world: &World) -> String {
    let names = action.names();
    let principals = names.principals.join(",");
    if names.resources.is_empty()
        && names.transfers.is_empty()
        && let Some(group) = names.groups.first()
    {
        return format!("/api/groups/{group}/context?principals={principals}");
    }
    let resource = names.resources.first().cloned().unwrap_or_else(|| {
        world
            .transfers
            .iter()
            .find(|t| names.transfers.first() == Some(&t.id))
            .map(|t| t.resource.clone())
            .unwrap_or_default()
    });
    format!(
        "/api/resources/{resource}/context?principals={principals}&emails={}",
        names.emails.join(",")
    )
}

/// Each group's (members, admins), sorted.
fn memberships(world: &World) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out: Vec<_> = world
        .principals
        .iter()
        .filter(|p| !p.kind.is_person())
        .map(|p| {
            let mut members = p.members.clone();
            let mut admins = p.admins.clone();
            members.sort();
            admins.sort();
            (p.id.clone(), members, admins)
        })
        .collect();
    out.sort();
    out
}

/// Fetches the context as the dialog would and returns (version, digest)
/// of the action's preview on it; `none` when the person cannot see it.
async fn digest_via_context(
    app: &TestApp,
    session: &common::Session,
    action: &Action,
    world: &World,
) -> (String, String) {
    let answer = app.get(&context_path(action, world), session).await;
    if answer.status != 200 {
        return ("none".into(), "none".into());
    }
    // An access context and a group context both carry `world` and
    // `version`.
    let context_world: World = serde_json::from_value(answer.body["world"].clone()).unwrap();
    let version = answer.body["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let engine = Engine::new(context_world).unwrap();
    let digest = engine
        .preview(action)
        .map(|p| p.digest())
        .unwrap_or_else(|_| "none".into());
    (version, digest)
}

async fn confirm(
    app: &TestApp,
    session: &common::Session,
    action: &Action,
    world: &World,
    key: &str,
) -> common::Answer {
    let (version, digest) = digest_via_context(app, session, action, world).await;
    app.post(
        "/api/actions",
        session,
        &json!({"action": action, "version": version, "digest": digest, "idempotency_key": key}),
    )
    .await
}

/// (person, resource) -> access, for every person of `people` and every
/// resource of `world`.
fn accesses(
    world: &World,
    people: &[String],
) -> std::collections::BTreeMap<(String, String), Access> {
    let engine = Engine::new(world.clone()).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for p in people {
        for r in &world.resources {
            let access = engine
                .effective_access(p, &r.id)
                .map(|h| h.access)
                .unwrap_or(Access::NONE);
            out.insert((p.clone(), r.id.clone()), access);
        }
    }
    out
}

fn stored_changes(before: &World, after: &World) -> Vec<Change> {
    let people: Vec<String> = after
        .principals
        .iter()
        .filter(|p| p.kind.is_person())
        .map(|p| p.id.clone())
        .collect();
    let a = accesses(before, &people);
    let b = accesses(after, &people);
    let mut out: Vec<Change> = b
        .iter()
        .filter_map(|(key, after_access)| {
            let before_access = a.get(key).copied().unwrap_or(Access::NONE);
            (before_access != *after_access).then(|| Change {
                principal: key.0.clone(),
                resource: key.1.clone(),
                before: before_access,
                after: *after_access,
                why: Why::default(),
            })
        })
        .collect();
    out.sort_by(|x, y| (&x.principal, &x.resource).cmp(&(&y.principal, &y.resource)));
    out
}

/// Replays one scenario; the differences, empty when it passes.
async fn replay(backend: Backend, scenario: &Scenario) -> Vec<String> {
    let world: World = match serde_json::from_value(scenario.world.clone()) {
        Ok(w) => w,
        Err(e) => return vec![format!("world does not parse: {e}")],
    };
    let action: Action = match serde_json::from_value(scenario.action.clone()) {
        Ok(a) => a,
        Err(e) => return vec![format!("action does not parse: {e}")],
    };
    if custody_policy::validate_world(&world).is_err() {
        // The database refuses an invalid world, and stays empty.
        let app = TestApp::new(backend, world.profile).await;
        let before = app.dump().await;
        let refused = custody_server::import::import_world(&app.state.db, &world).await;
        let mut out = Vec::new();
        match refused {
            Err(e) => {
                let (_, body) = e.parts();
                if let Expect::Error { error } = &scenario.expect
                    && body["code"] != Value::String(error.clone())
                {
                    out.push(format!("import refused with {body}, expected {error}"));
                }
            }
            Ok(()) => out.push("an invalid world was imported".into()),
        }
        if app.dump().await != before {
            out.push("a refused import changed the database".into());
        }
        app.finish().await;
        return out;
    }
    let t = std::time::Instant::now();
    let app = TestApp::with_world(backend, &world).await;
    let t1 = t.elapsed();
    let mut out = Vec::new();
    let session = app.sign_in(action.actor(), "pw").await;
    let t2 = t.elapsed();
    let before_dump = app.dump().await;
    let before = whole_world(&app.state.db, world.profile).await;
    let t3 = t.elapsed();
    let answer = confirm(&app, &session, &action, &world, "k1").await;
    if std::env::var("CUSTODY_TIMING").is_ok() {
        eprintln!(
            "world {t1:?} signin {t2:?} dump {t3:?} confirm {:?}",
            t.elapsed()
        );
    }
    match &scenario.expect {
        Expect::Error { error } => {
            if answer.status.is_success() {
                out.push(format!("expected error {error}, got {}", answer.status));
            } else if answer.body["code"] != Value::String(error.clone()) {
                out.push(format!(
                    "expected error {error}, got {} {}",
                    answer.status, answer.body
                ));
            }
            if app.dump().await != before_dump {
                out.push("a refusal changed the database".into());
            }
        }
        Expect::Changes { .. } => {
            if answer.status != 200 {
                out.push(format!(
                    "expected success, got {} {}",
                    answer.status, answer.body
                ));
            } else {
                let warnings: Vec<Warning> =
                    serde_json::from_value(answer.body["warnings"].clone()).unwrap();
                if let Action::RequestTransfer { to, .. } = &action {
                    // Accept it as the recipient, creating the account when
                    // the address has none yet.
                    let recipient = world
                        .principals
                        .iter()
                        .find(|p| {
                            p.email.as_deref().map(custody_policy::normalize_email)
                                == Some(custody_policy::normalize_email(to))
                        })
                        .map(|p| p.id.clone());
                    let login = match recipient {
                        Some(id) => id,
                        None => {
                            add_account(
                                &app.state.db,
                                &NewAccount {
                                    id: to.clone(),
                                    service_account: false,
                                    email: Some(to.clone()),
                                    name: None,
                                    data_owner: false,
                                    password: Some("pw".into()),
                                },
                                PasswordCost::Low,
                            )
                            .await
                            .unwrap();
                            to.clone()
                        }
                    };
                    let recipient_session = app.sign_in(&login, "pw").await;
                    let incoming = app
                        .get("/api/transfers?box=incoming", &recipient_session)
                        .await;
                    let transfer = answer.body["transfer"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    if !incoming.body["items"]
                        .as_array()
                        .is_some_and(|items| items.iter().any(|t| t["id"] == transfer.as_str()))
                    {
                        out.push(format!("the recipient's inbox lacks {transfer}"));
                    }
                    let stored = whole_world(&app.state.db, world.profile).await;
                    let accept = Action::AcceptTransfer {
                        actor: recipient_session.id.clone(),
                        transfer,
                    };
                    let accepted = confirm(&app, &recipient_session, &accept, &stored, "k2").await;
                    if accepted.status != 200 {
                        out.push(format!(
                            "accepting failed: {} {}",
                            accepted.status, accepted.body
                        ));
                    }
                }
                let after = whole_world(&app.state.db, world.profile).await;
                if !action.names().groups.is_empty() {
                    let expected = Engine::new(before.clone())
                        .unwrap()
                        .applied(&action)
                        .unwrap();
                    if memberships(&after) != memberships(&expected) {
                        out.push(format!(
                            "stored groups {:?}, expected {:?}",
                            memberships(&after),
                            memberships(&expected)
                        ));
                    }
                }
                let result = PreviewResult::Changes {
                    changes: stored_changes(&before, &after),
                    warnings,
                    recipient: None,
                };
                out.extend(compare(&scenario.expect, &result));
                let audit: Vec<(String,)> =
                    sqlx::query_as("SELECT actor_id FROM audit_log ORDER BY id")
                        .fetch_all(&app.state.db.pool)
                        .await
                        .unwrap();
                if audit.first().map(|a| a.0.as_str()) != Some(action.actor()) {
                    out.push(format!("audit log: {audit:?}"));
                }
            }
        }
    }
    app.finish().await;
    out
}

async fn replay_all(backend: Backend) {
    let mut passed = 0;
    let mut failed = Vec::new();
    let only = std::env::var("CUSTODY_SCENARIO").ok();
    for file in scenario_files() {
        if only
            .as_deref()
            .is_some_and(|o| !file.display().to_string().contains(o))
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario = Scenario::parse(&text).unwrap();
        let problems = replay(backend, &scenario).await;
        if problems.is_empty() {
            passed += 1;
        } else {
            failed.push(format!("{}: {}", file.display(), problems.join("; ")));
        }
    }
    for f in &failed {
        eprintln!("FAILED {f}");
    }
    println!(
        "server scenarios on {backend:?}: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{} scenarios failed", failed.len());
    let _ = Profile::Basespace;
}

on_both!(every_scenario_through_the_api, replay_all);
