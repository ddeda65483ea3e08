//! Crash safety: the real `custody serve` under load from concurrent
//! clients (shares, unshares, transfer requests, accepts, declines,
//! cancels, group members added, removed and leaving), killed with
//! SIGKILL at random moments once each round's first confirmations are
//! answered, at least 20 times,
//! restarted each time. After each restart:
//! - every action answered 2xx is stored once: its idempotency record
//!   holds the answer given, its audit record exists with that action, and
//!   audit records and applied idempotency records are as many;
//! - nothing is half applied: replaying the audit log through
//!   custody-policy from the initial world gives exactly the stored owners,
//!   grants, transfers and group members;
//! - retrying a request with its idempotency key gives the first answer
//!   (and a request whose answer was lost in the kill is settled by its
//!   retry, once);
//! - the database passes its integrity checks (SQLite `integrity_check`
//!   and `foreign_key_check`; PostgreSQL consistency queries).
//!
//! Bounded: a fixed number of kills, and the whole loop must finish within
//! two minutes per database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::{Http, Reply};
use common::spawned::Spawned;
use common::{Backend, Session, TestDb, whole_world};
use custody_policy::{Action, Engine, Profile, TransferStatus, World};
use custody_server::accounts::{PasswordCost, set_password};
use serde_json::{Value, json};

const PAIRS: usize = 6;
const KILLS: usize = 22;
/// Confirmations answered in a round before its kill may land.
const ANSWERS_BEFORE_KILL: usize = 3;

fn world() -> World {
    let mut principals = Vec::new();
    let mut resources = Vec::new();
    let mut grants = Vec::new();
    for i in 0..PAIRS {
        for who in ["own", "peer"] {
            principals.push(json!({"id": format!("{who}{i}"), "kind": "user",
                "email": format!("{who}{i}@crash.example")}));
        }
        resources
            .push(json!({"id": format!("P{i}"), "kind": "project", "owner": format!("own{i}")}));
        resources.push(
            json!({"id": format!("R{i}"), "kind": "run", "owner": format!("own{i}"),
            "projects": [format!("P{i}")]}),
        );
        resources.push(
            json!({"id": format!("F{i}"), "kind": "file", "owner": format!("own{i}"),
            "parent": format!("R{i}"), "format": "bam"}),
        );
        // A team that reads the project, managed by its first owner.
        principals.push(json!({"id": format!("team{i}"), "kind": "group",
            "members": [], "admins": [format!("own{i}")]}));
        grants.push(
            json!({"resource": format!("P{i}"), "principal": format!("team{i}"),
            "access": "read"}),
        );
    }
    principals.push(json!({"id": "crew", "kind": "group", "members": ["peer0", "peer1"]}));
    serde_json::from_value(json!({"profile": "basespace", "principals": principals,
        "resources": resources, "grants": grants}))
    .unwrap()
}

/// One confirmation sent, and what came back (None: lost in a kill).
#[derive(Clone)]
struct Sent {
    who: String,
    body: Value,
    reply: Option<(u16, Value)>,
}

/// The stored facts, comparable with a model world.
fn facts(w: &World) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in &w.resources {
        out.insert(format!("owner {} {}", r.id, r.owner));
    }
    for g in &w.grants {
        out.insert(format!(
            "grant {} {} {}",
            g.resource,
            g.principal,
            json!(g.access)
        ));
    }
    for p in &w.principals {
        for m in &p.members {
            out.insert(format!("member {} {m}", p.id));
        }
    }
    for t in &w.transfers {
        out.insert(format!(
            "transfer {} {} {} {:?}",
            t.id, t.resource, t.to, t.status
        ));
    }
    out
}

/// One client pair's next confirmation on the current data, if any.
async fn next_action(
    http: &Http,
    own: &Session,
    peer: &Session,
    i: usize,
    roll: u64,
) -> Option<(String, Value)> {
    if roll % 5 == 4 {
        return next_membership(http, own, peer, i, roll).await;
    }
    // The run's context, read by whoever owns it now.
    let mut context = None;
    for s in [own, peer] {
        let reply = http
            .try_send("GET", &format!("/api/resources/R{i}/context?principals=own{i},peer{i}&emails=own{i}@crash.example,peer{i}@crash.example"), Some(s), common::http::Csrf::Session, None)
            .await
            .ok()?;
        if reply.status == 200 {
            context = Some((s, reply));
            break;
        }
    }
    let (_, reply) = context?;
    let ctx: custody_api::AccessContext = serde_json::from_value(reply.body).ok()?;
    let engine = Engine::new(ctx.world.clone()).ok()?;
    let owner = ctx
        .world
        .resources
        .iter()
        .find(|r| r.id == format!("R{i}"))?
        .owner
        .clone();
    let (owner_session, other) = if owner == own.id {
        (own, peer)
    } else {
        (peer, own)
    };
    let pending = ctx
        .world
        .transfers
        .iter()
        .find(|t| t.resource == format!("R{i}") && t.status == TransferStatus::Pending)
        .map(|t| t.id.clone());
    let (session, action): (&Session, Value) = match (pending, roll % 5) {
        (Some(t), 0) => (
            owner_session,
            json!({"type": "cancel_transfer", "actor": owner, "transfer": t}),
        ),
        (Some(t), 1) => (
            other,
            json!({"type": "decline_transfer", "actor": other.id, "transfer": t}),
        ),
        (Some(t), _) => (
            other,
            json!({"type": "accept_transfer", "actor": other.id, "transfer": t}),
        ),
        (None, 0) => (
            owner_session,
            json!({"type": "request_transfer", "actor": owner,
            "resource": format!("R{i}"), "to": format!("{}@crash.example", other.id), "message": "over to you"}),
        ),
        (None, 1) => {
            let held = ctx
                .world
                .grants
                .iter()
                .any(|g| g.resource == format!("R{i}") && g.principal == "crew");
            if held {
                (
                    owner_session,
                    json!({"type": "unshare", "actor": owner, "resource": format!("R{i}"), "principal": "crew"}),
                )
            } else {
                (
                    owner_session,
                    json!({"type": "share", "actor": owner, "resource": format!("R{i}"), "principal": "crew", "access": "read"}),
                )
            }
        }
        (None, _) => {
            let access = if roll % 8 < 4 { "read" } else { "write" };
            (
                owner_session,
                json!({"type": "share", "actor": owner, "resource": format!("R{i}"),
                "principal": other.id, "access": access}),
            )
        }
    };
    let parsed: Action = serde_json::from_value(action.clone()).ok()?;
    let digest = engine.preview(&parsed).ok()?.digest();
    Some((
        session.id.clone(),
        json!({"action": action, "version": ctx.version, "digest": digest}),
    ))
}

/// The team's next membership change, on its group context (read by its
/// admin): the admin adds the peer, or removes them, or the peer leaves.
async fn next_membership(
    http: &Http,
    own: &Session,
    peer: &Session,
    i: usize,
    roll: u64,
) -> Option<(String, Value)> {
    let reply = http
        .try_send(
            "GET",
            &format!("/api/groups/team{i}/context?principals={}", peer.id),
            Some(own),
            common::http::Csrf::Session,
            None,
        )
        .await
        .ok()?;
    if reply.status != 200 {
        return None;
    }
    let ctx: custody_api::GroupContext = serde_json::from_value(reply.body).ok()?;
    let team = format!("team{i}");
    let is_member = ctx
        .world
        .principals
        .iter()
        .find(|p| p.id == team)?
        .members
        .contains(&peer.id);
    let (session, action) = match (is_member, roll % 10 < 5) {
        (false, _) => (
            own,
            json!({"type": "add_member", "actor": own.id, "group": team, "principal": peer.id}),
        ),
        (true, true) => (
            own,
            json!({"type": "remove_member", "actor": own.id, "group": team, "principal": peer.id}),
        ),
        (true, false) => (
            peer,
            json!({"type": "remove_member", "actor": peer.id, "group": team, "principal": peer.id}),
        ),
    };
    let parsed: Action = serde_json::from_value(action.clone()).ok()?;
    let digest = Engine::new(ctx.world).ok()?.preview(&parsed).ok()?.digest();
    Some((
        session.id.clone(),
        json!({"action": action, "version": ctx.version, "digest": digest}),
    ))
}

/// Sends confirmations until the server dies; records each.
async fn client(
    http: Http,
    sessions: Arc<BTreeMap<String, Session>>,
    i: usize,
    sent: Arc<Mutex<Vec<Sent>>>,
    seed: u64,
) {
    let own = sessions[&format!("own{i}")].clone();
    let peer = sessions[&format!("peer{i}")].clone();
    let mut roll = seed;
    loop {
        roll = roll
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let Some((who, mut body)) = next_action(&http, &own, &peer, i, roll >> 33).await else {
            // The server is gone (or the data moved under us): try again.
            if http
                .try_send("GET", "/api/config", None, common::http::Csrf::None, None)
                .await
                .is_err()
            {
                return;
            }
            continue;
        };
        body["idempotency_key"] = json!(format!("k{seed}-{i}-{roll}"));
        let index = {
            let mut sent = sent.lock().unwrap();
            sent.push(Sent {
                who: who.clone(),
                body: body.clone(),
                reply: None,
            });
            sent.len() - 1
        };
        let s = &sessions[&who];
        match http
            .try_send(
                "POST",
                "/api/actions",
                Some(s),
                common::http::Csrf::Session,
                Some(("application/json", body.to_string().into())),
            )
            .await
        {
            Ok(Reply { status, body, .. }) => {
                assert!(
                    matches!(status, 200 | 409 | 422 | 403),
                    "unexpected answer {status}: {body}"
                );
                sent.lock().unwrap()[index].reply = Some((status, body));
            }
            Err(_) => return,
        }
    }
}

/// How many of the confirmations in `log` were answered.
fn answered(log: &Mutex<Vec<Sent>>) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|s| s.reply.is_some())
        .count()
}

/// Everything that must hold after a restart.
async fn verify(
    test_db: &TestDb,
    http: &Http,
    sessions: &BTreeMap<String, Session>,
    sent: &mut [Sent],
    initial: &World,
) -> usize {
    let pool = &test_db.db.pool;
    // Integrity.
    match test_db.backend {
        Backend::Sqlite => {
            let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(ok, "ok");
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            assert!(broken.is_empty(), "{broken:?}");
        }
        Backend::Postgres => {
            for (what, sql) in [
                (
                    "grants without resource or principal",
                    "SELECT COUNT(*) FROM grants g LEFT JOIN resources r ON r.id = g.resource_id LEFT JOIN principals p ON p.id = g.principal_id WHERE r.id IS NULL OR p.id IS NULL",
                ),
                (
                    "two pending transfers of a resource",
                    "SELECT COUNT(*) FROM (SELECT resource_id FROM transfers WHERE status = 'pending' GROUP BY resource_id HAVING COUNT(*) > 1) x",
                ),
                (
                    "a pending transfer from someone who does not own it",
                    "SELECT COUNT(*) FROM transfers t JOIN resources r ON r.id = t.resource_id WHERE t.status = 'pending' AND t.from_id <> r.owner_id",
                ),
                (
                    "a settled transfer without its decision",
                    "SELECT COUNT(*) FROM transfers WHERE status <> 'pending' AND (decided_at IS NULL OR decided_by IS NULL)",
                ),
                (
                    "notifications for nobody",
                    "SELECT COUNT(*) FROM notifications n LEFT JOIN principals p ON p.id = n.principal_id WHERE p.id IS NULL",
                ),
            ] {
                let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
                assert_eq!(n, 0, "{what}");
            }
        }
    }
    // Settle lost requests by retrying them (their key decides).
    for s in sent.iter_mut().filter(|s| s.reply.is_none()) {
        let reply = http
            .post("/api/actions", Some(&sessions[&s.who]), &s.body)
            .await;
        assert!(
            matches!(reply.status, 200 | 409 | 422 | 403),
            "{}: {}",
            reply.status,
            reply.body
        );
        s.reply = Some((reply.status, reply.body));
    }
    // Audit and idempotency agree, and hold every 2xx answer once.
    let audit: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, actor_id, action, outcome FROM audit_log ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT principal_id, key, response FROM idempotency_keys WHERE status = 200",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        audit.len(),
        keys.len(),
        "audit records and applied keys differ"
    );
    let keys: BTreeMap<(String, String), Value> = keys
        .into_iter()
        .map(|(p, k, r)| ((p, k), serde_json::from_str(&r).unwrap()))
        .collect();
    let by_id: BTreeMap<i64, (String, String)> = audit
        .iter()
        .map(|(id, who, a, _)| (*id, (who.clone(), a.clone())))
        .collect();
    let mut seen_audit = BTreeSet::new();
    let mut applied = 0;
    for s in sent
        .iter()
        .filter(|s| s.reply.as_ref().is_some_and(|r| r.0 == 200))
    {
        let (_, body) = s.reply.as_ref().unwrap();
        let key = s.body["idempotency_key"].as_str().unwrap().to_string();
        assert_eq!(
            keys.get(&(s.who.clone(), key.clone())),
            Some(body),
            "the stored answer of {key}"
        );
        let id = body["audit_id"].as_i64().unwrap();
        assert!(seen_audit.insert(id), "two answers share audit record {id}");
        let (who, action) = by_id
            .get(&id)
            .expect("the audit record of an answered action");
        assert_eq!(who, &s.who);
        let logged: Value = serde_json::from_str(action).unwrap();
        assert_eq!(logged, s.body["action"]);
        applied += 1;
    }
    assert_eq!(
        applied,
        audit.len(),
        "an audit record without an answered request"
    );
    // Replay the audit log through the policy: the stored world follows.
    let mut model = initial.clone();
    for (_, _, action, outcome) in &audit {
        let action: Action = serde_json::from_str(action).unwrap();
        let known: BTreeSet<String> = model.transfers.iter().map(|t| t.id.clone()).collect();
        let mut after = Engine::new(model).unwrap().applied(&action).unwrap();
        let outcome: Value = serde_json::from_str(outcome).unwrap();
        if let Some(stored) = outcome["transfer"].as_str() {
            for t in after
                .transfers
                .iter_mut()
                .filter(|t| !known.contains(&t.id))
            {
                t.id = stored.to_string();
            }
        }
        model = after;
    }
    let stored = whole_world(&test_db.db, Profile::Basespace).await;
    assert_eq!(
        facts(&stored),
        facts(&model),
        "the stored world is not the audit log's"
    );
    // Retrying an answered request gives its first answer (the latest
    // answers, and a sample of the older ones).
    let answered: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.reply.as_ref().is_some_and(|r| r.0 == 200))
        .collect();
    let step = (answered.len() / 40).max(1);
    for s in answered
        .iter()
        .rev()
        .take(40)
        .chain(answered.iter().step_by(step))
    {
        let retry = http
            .post("/api/actions", Some(&sessions[&s.who]), &s.body)
            .await;
        let (status, body) = s.reply.as_ref().unwrap();
        assert_eq!(
            (retry.status, &retry.body),
            (*status, body),
            "a retry of {}",
            s.body["idempotency_key"]
        );
    }
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count as usize, audit.len(), "a retry applied again");
    applied
}

async fn kill_loop(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let initial = world();
    custody_server::import::import_world(&test_db.db, &initial)
        .await
        .unwrap();
    for p in &initial.principals {
        if p.kind.is_person() {
            set_password(&test_db.db, &p.id, "pw", PasswordCost::Low)
                .await
                .unwrap();
        }
    }
    let url = test_db.db.url.clone();
    let started = Instant::now();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash ({backend:?}): seed {seed}");
    let mut rng = seed | 1;
    let mut sent: Vec<Sent> = Vec::new();
    let mut sessions = BTreeMap::new();
    let mut kills = 0;
    let mut applied = 0;
    let mut lost = 0;
    while kills < KILLS {
        let server = Spawned::start(&url, "basespace", &[]);
        let http = server.http.clone();
        if sessions.is_empty() {
            for p in initial.principals.iter().filter(|p| p.kind.is_person()) {
                sessions.insert(p.id.clone(), http.sign_in(&p.id, "pw").await);
            }
        } else {
            // Sessions live in the database: they survive the kill.
            lost += sent.iter().filter(|s| s.reply.is_none()).count();
            applied = verify(&test_db, &http, &sessions, &mut sent, &initial).await;
        }
        let shared = Arc::new(sessions.clone());
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..PAIRS {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
            tasks.push(tokio::spawn(client(
                http.clone(),
                shared.clone(),
                i,
                log.clone(),
                rng >> 20,
            )));
        }
        // Under load means answered: a fresh server (new connections, new
        // prepared statements, a debug build on a busy host) can take the
        // better part of a second before its first answer, so the kill
        // waits for this round's first answers, then lands at a random
        // moment among the requests that follow.
        let waiting = Instant::now();
        while answered(&log) < ANSWERS_BEFORE_KILL && waiting.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
        tokio::time::sleep(Duration::from_millis((rng >> 33) % 400)).await;
        server.kill();
        kills += 1;
        for t in tasks {
            t.await.unwrap();
        }
        sent.extend(log.lock().unwrap().drain(..));
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the kill loop overran its time"
        );
    }
    let server = Spawned::start(&url, "basespace", &[]);
    lost += sent.iter().filter(|s| s.reply.is_none()).count();
    applied = applied.max(verify(&test_db, &server.http, &sessions, &mut sent, &initial).await);
    server.check_log();
    let (memberships,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE '%\"add_member\"%' OR action LIKE '%\"remove_member\"%'",
    )
    .fetch_one(&test_db.db.pool)
    .await
    .unwrap();
    eprintln!(
        "crash ({backend:?}): {kills} kills survived in {:.1}s; {} confirmations sent, {applied} applied and audited once ({memberships} membership changes), {lost} in flight at a kill settled by their retry",
        started.elapsed().as_secs_f64(),
        sent.len()
    );
    assert!(memberships > 0, "the load changed no group's members");
    assert!(
        applied > 50,
        "too little load to prove anything: {applied} applied"
    );
    drop(server);
    test_db.drop_db().await;
}
on_both!(sigkill_under_load_loses_nothing, kill_loop);
