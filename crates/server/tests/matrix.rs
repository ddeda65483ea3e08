//! The authorization matrix, through the HTTP server bound to 127.0.0.1,
//! on SQLite and PostgreSQL, in both profiles: every endpoint of the
//! OpenAPI document and every action type, for every kind of actor
//! (anonymous, owner, grantee with read, grantee with write, holder of
//! `share` in `direct`, group member, group admin, data owner, transfer
//! recipient, unrelated account, service account).
//!
//! Nothing is hard-coded: what each actor may see and do comes from
//! custody-policy on a model of the stored world.
//! - Reading: lists, kinds, search, `within`, one resource, who has access,
//!   the access context, transfers, notifications, groups (those the actor
//!   administers or belongs to, directly or nested) and their contexts:
//!   exactly what the policy lets the actor see, and a hidden id answers
//!   byte for byte like a missing one.
//! - Actions: the policy's refusal (status and code), or, when allowed, a
//!   409 for a wrong digest (the server got past every check); the stored
//!   data is compared before and after every request of phase one.
//! - Phase two applies one allowed action of each type per actor, with the
//!   digest of the context the dialog loads, checks the stored world equals
//!   the policy's `applied`, and runs the reading checks again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::http::{Csrf, Http, Reply, bind};
use common::{Backend, Session, TestApp, whole_world};
use custody_policy::{
    Action, Engine, ErrorCode, Level, Permission, Profile, TransferStatus, World, normalize_email,
};
use hyper::body::Bytes;
use serde_json::{Value, json};

/// (actor id, kind of actor)
const ACTORS: [(&str, &str); 10] = [
    // First, so that phase two (in reverse order) applies her membership
    // changes last, after the member's own leaving.
    ("gina", "group admin"),
    ("alice", "owner"),
    ("bob", "grantee read"),
    ("wendy", "grantee write"),
    ("sam", "holder of share (direct)"),
    ("carol", "group member"),
    ("dora", "data owner"),
    ("rita", "transfer recipient"),
    ("uma", "unrelated"),
    ("pipeline", "service account"),
];

fn world(profile: Profile) -> World {
    let direct = profile == Profile::Direct;
    let sam_access = if direct {
        json!({"level": "write", "permissions": ["share"]})
    } else {
        json!("write")
    };
    let transfers = if direct {
        json!([])
    } else {
        json!([
            {"id": "T1", "resource": "R2", "from": "alice", "to": "Rita@Lab.example", "status": "pending", "message": "for you"},
            {"id": "T0", "resource": "P2", "from": "alice", "to": "bob@core.example", "status": "declined"}
        ])
    };
    serde_json::from_value(json!({
        "profile": profile,
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example", "name": "Alice"},
            {"id": "bob", "kind": "user", "email": "bob@core.example"},
            {"id": "wendy", "kind": "user", "email": "wendy@lab.example"},
            {"id": "sam", "kind": "user", "email": "sam@lab.example"},
            {"id": "carol", "kind": "user", "email": "carol@lab.example"},
            {"id": "dora", "kind": "user", "email": "dora@lab.example", "roles": ["data_owner"]},
            {"id": "rita", "kind": "user", "email": "rita@lab.example"},
            {"id": "uma", "kind": "user", "email": "uma@else.example"},
            {"id": "olga", "kind": "user", "email": "olga@other.example"},
            {"id": "pipeline", "kind": "service_account", "name": "Pipeline"},
            {"id": "gina", "kind": "user", "email": "gina@lab.example", "name": "Gina"},
            {"id": "genomics", "kind": "group", "members": ["carol"], "admins": ["gina"]},
            {"id": "wetlab", "kind": "group", "members": ["genomics"]}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice", "name": "Tumor WGS"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"], "biosamples": ["B1"]},
            {"id": "B1", "kind": "biosample", "owner": "alice", "projects": ["P1"]},
            {"id": "L1", "kind": "library", "owner": "alice", "projects": ["P1"]},
            {"id": "PL1", "kind": "pool", "owner": "alice", "projects": ["P1"]},
            {"id": "LQ1", "kind": "lab_requeue", "owner": "alice", "projects": ["P1"]},
            {"id": "A1", "kind": "analysis", "owner": "alice", "projects": ["P1"]},
            {"id": "D1", "kind": "dataset", "owner": "alice", "projects": ["P1"]},
            {"id": "F1", "kind": "file", "owner": "alice", "parent": "R1", "format": "fastq"},
            {"id": "F2", "kind": "file", "owner": "alice", "parent": "R1", "format": "bam"},
            {"id": "F3", "kind": "file", "owner": "alice", "parent": "D1", "format": "vcf"},
            {"id": "P2", "kind": "project", "owner": "alice", "name": "Second"},
            {"id": "R2", "kind": "run", "owner": "alice", "projects": ["P2"], "biosamples": ["B2"]},
            {"id": "B2", "kind": "biosample", "owner": "olga", "name": "Olga's sample"},
            {"id": "F4", "kind": "file", "owner": "alice", "parent": "R2", "format": "bcl"},
            {"id": "PO", "kind": "project", "owner": "olga", "name": "Olga's"},
            {"id": "RO", "kind": "run", "owner": "olga", "projects": ["PO"]},
            {"id": "FO", "kind": "file", "owner": "olga", "parent": "RO", "format": "fastq"}
        ],
        "grants": [
            {"resource": "P1", "principal": "bob", "access": "read"},
            {"resource": "P1", "principal": "wendy", "access": "write"},
            {"resource": "P1", "principal": "sam", "access": sam_access},
            {"resource": "P1", "principal": "wetlab", "access": "read"},
            {"resource": "R1", "principal": "pipeline", "access": "read"}
        ],
        "transfers": transfers
    }))
    .unwrap()
}

fn action(value: Value) -> Action {
    serde_json::from_value(value).unwrap()
}

/// The HTTP status of a refusal: who may act is 403, the rest 422.
fn status_of(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::NotPermitted | ErrorCode::NotRecipient | ErrorCode::Escalation => 403,
        ErrorCode::InvalidAction => 400,
        _ => 422,
    }
}

/// Every action an actor tries: each type, on resources they own, can
/// reach and cannot, on missing ids, and acting as someone else.
fn actions_of(actor: &str, profile: Profile) -> Vec<Action> {
    let mut out = Vec::new();
    out.push(action(json!({"type": "batch", "actor": actor, "actions": [
        {"type": "share", "actor": actor, "resource": "P1", "principal": "uma", "access": "read"},
        {"type": "unshare", "actor": actor, "resource": "P1", "principal": "bob"}
    ]})));
    out.push(action(json!({"type": "batch", "actor": actor, "actions": [
        {"type": "share", "actor": actor, "resource": "P1", "principal": "uma", "access": "read"},
        {"type": "accept_transfer", "actor": actor, "transfer": "T1"}
    ]})));
    out.push(action(json!({"type": "batch", "actor": actor, "actions": [
        {"type": "share", "actor": "alice", "resource": "P1", "principal": "uma", "access": "read"}
    ]})));
    let accesses = match profile {
        Profile::Direct => vec![
            json!("read"),
            json!("write"),
            json!({"level": "write", "permissions": ["share", "delete"]}),
        ],
        Profile::Basespace => vec![json!("read"), json!("write")],
    };
    for resource in ["P1", "R1", "PO", "B1", "NOPE"] {
        for principal in ["uma", "wetlab"] {
            for access in &accesses {
                out.push(action(
                    json!({"type": "share", "actor": actor, "resource": resource,
                    "principal": principal, "access": access}),
                ));
            }
        }
        for principal in ["bob", "wetlab", "uma"] {
            out.push(action(
                json!({"type": "unshare", "actor": actor, "resource": resource,
                "principal": principal}),
            ));
        }
        out.push(action(
            json!({"type": "leave", "actor": actor, "resource": resource}),
        ));
        for to in ["uma@else.example", "ALICE@lab.example"] {
            out.push(action(json!({"type": "request_transfer", "actor": actor,
                "resource": resource, "to": to, "message": "<b>take it</b>"})));
        }
        for (principal, leave) in [("uma", false), ("wetlab", true)] {
            out.push(action(
                json!({"type": "set_owner", "actor": actor, "resource": resource,
                "principal": principal, "leave": leave}),
            ));
        }
    }
    for principal in ["nobody", "alice", "wendy", "pipeline"] {
        out.push(action(json!({"type": "share", "actor": actor, "resource": "P1", "principal": principal, "access": "read"})));
        out.push(action(
            json!({"type": "unshare", "actor": actor, "resource": "R1", "principal": principal}),
        ));
    }
    for resource in ["R2", "P2", "F1"] {
        out.push(action(
            json!({"type": "leave", "actor": actor, "resource": resource}),
        ));
        out.push(action(json!({"type": "request_transfer", "actor": actor,
            "resource": resource, "to": "uma@else.example"})));
    }
    for transfer in ["T1", "T0", "TNOPE"] {
        for kind in ["accept_transfer", "decline_transfer", "cancel_transfer"] {
            out.push(action(
                json!({"type": kind, "actor": actor, "transfer": transfer}),
            ));
        }
    }
    // Membership: the admin's group, a group without admins, a person and
    // a resource that are not groups, a missing id; members to add and to
    // remove, a group (a cycle into `genomics`), the actor themself.
    for kind in ["add_member", "remove_member"] {
        for group in ["genomics", "wetlab", "carol", "P1", "NOPE"] {
            for principal in ["uma", "carol", "genomics", "wetlab", "nobody", actor] {
                out.push(action(json!({"type": kind, "actor": actor, "group": group,
                    "principal": principal})));
            }
        }
    }
    out.push(action(json!({"type": "batch", "actor": actor, "actions": [
        {"type": "add_member", "actor": actor, "group": "genomics", "principal": "uma"},
        {"type": "share", "actor": actor, "resource": "P1", "principal": "uma", "access": "read"}
    ]})));
    out
}

/// Whether `who` sees group `group` of `w`: an admin of it, or a member
/// directly or through nested groups; false for what is not a group.
fn sees_group(w: &World, group: &str, who: &str) -> bool {
    let Some(g) = w
        .principals
        .iter()
        .find(|p| p.id == group && !p.kind.is_person())
    else {
        return false;
    };
    g.admins.iter().any(|a| a == who) || people_of(w, group).contains(who)
}

/// Everyone a group reaches through nesting (people and groups).
fn people_of(w: &World, group: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![group.to_string()];
    while let Some(x) = stack.pop() {
        if let Some(p) = w.principals.iter().find(|p| p.id == x) {
            for m in &p.members {
                if out.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
    }
    out
}

/// The stored facts the actions change, comparable with a model world.
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
            serde_json::to_string(&g.access).unwrap()
        ));
    }
    for p in &w.principals {
        for m in &p.members {
            out.insert(format!("member {} {m}", p.id));
        }
        for a in &p.admins {
            out.insert(format!("admin {} {a}", p.id));
        }
    }
    for t in &w.transfers {
        out.insert(format!(
            "transfer {} {} {} {} {:?}",
            t.id,
            t.resource,
            t.from,
            normalize_email(&t.to),
            t.status
        ));
    }
    out
}

struct Matrix {
    http: Http,
    app: TestApp,
    model: World,
    /// (actor kind, endpoint) pairs tried, and the requests sent.
    tried: BTreeSet<(String, String)>,
    actions_tried: usize,
    requests: usize,
}

impl Matrix {
    fn engine(&self) -> Engine {
        Engine::new(self.model.clone()).unwrap()
    }

    fn note(&mut self, actor: &str, endpoint: &str) {
        self.tried.insert((actor.to_string(), endpoint.to_string()));
        self.requests += 1;
    }

    fn email_of(&self, who: &str) -> Option<String> {
        self.model
            .principals
            .iter()
            .find(|p| p.id == who)
            .and_then(|p| p.email.as_deref().map(normalize_email))
    }

    fn level(&self, engine: &Engine, who: &str, id: &str) -> Level {
        engine
            .effective_access(who, id)
            .map_or(Level::None, |h| h.access.level)
    }

    /// The ids that `id` holds: a project's resources, a run's or
    /// dataset's files, a run's biosamples.
    fn contents(&self, id: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for r in &self.model.resources {
            if r.projects.iter().any(|p| p == id) || r.parent.as_deref() == Some(id) {
                out.insert(r.id.clone());
            }
            if r.id == id {
                out.extend(r.biosamples.iter().cloned());
            }
        }
        out
    }

    /// The answer for an id nobody has, with `id` written in its place.
    async fn missing_like(&mut self, s: &Session, path: &str, id: &str) -> Value {
        let missing = self.http.get(&path.replace(id, "ZZ-NOPE"), Some(s)).await;
        self.requests += 1;
        let text = missing.body.to_string().replace("ZZ-NOPE", id);
        serde_json::from_str(&text).unwrap()
    }

    /// `full`: also every kind, search and `within` (phase one).
    async fn read_checks(&mut self, actor: &str, s: &Session, full: bool) {
        let engine = self.engine();
        let ids: Vec<String> = self.model.resources.iter().map(|r| r.id.clone()).collect();
        let visible: BTreeSet<String> = ids
            .iter()
            .filter(|id| self.level(&engine, actor, id) >= Level::Names)
            .cloned()
            .collect();

        let me = self.http.get("/api/me", Some(s)).await;
        self.note(actor, "GET /api/me");
        assert_eq!((me.status, me.body["id"].as_str()), (200, Some(actor)));

        // Lists, by kind, by search text.
        let list = self.http.get("/api/resources?limit=500", Some(s)).await;
        self.note(actor, "GET /api/resources");
        let listed: BTreeSet<String> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed, visible, "{actor}: the list");
        assert_eq!(list.body["total"], visible.len());
        for item in list.body["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let expected = engine.effective_access(actor, id).unwrap().access;
            assert_eq!(item["access"], serde_json::to_value(expected).unwrap());
        }
        let kinds: &[&str] = if full {
            &["project", "run", "biosample", "file", "dataset"]
        } else {
            &[]
        };
        for kind in kinds {
            let page = self
                .http
                .get(&format!("/api/resources?kind={kind}&limit=500"), Some(s))
                .await;
            self.note(actor, "GET /api/resources?kind");
            let expected = self
                .model
                .resources
                .iter()
                .filter(|r| r.kind.as_str() == *kind && visible.contains(&r.id))
                .count();
            assert_eq!(page.body["total"], expected, "{actor}: {kind}s");
        }
        let searched: &[&str] = if full {
            &["P1", "R1", "B2", "PO", "F3", "FO", "LQ1"]
        } else {
            &[]
        };
        for id in searched.iter().map(|i| i.to_string()) {
            let page = self
                .http
                .get(
                    &format!("/api/resources?q={}&limit=500", id.to_lowercase()),
                    Some(s),
                )
                .await;
            self.note(actor, "GET /api/resources?q");
            let found: BTreeSet<&str> = page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap())
                .collect();
            assert!(
                found.iter().all(|f| visible.contains(*f)),
                "{actor}: search {id} found {found:?}"
            );
            assert_eq!(found.contains(id.as_str()), visible.contains(&id));
        }

        for id in ids.iter().map(String::as_str).chain(["NOPE"]) {
            let level = self.level(&engine, actor, id);
            // `within`: what a visible container holds that the actor sees.
            let path = format!("/api/resources?within={id}&limit=500");
            if full {
                let within = self.http.get(&path, Some(s)).await;
                self.note(actor, "GET /api/resources?within");
                if level >= Level::Names {
                    assert_eq!(within.status, 200);
                    let got: BTreeSet<String> = within.body["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i["id"].as_str().unwrap().to_string())
                        .collect();
                    let expected: BTreeSet<String> =
                        self.contents(id).intersection(&visible).cloned().collect();
                    assert_eq!(got, expected, "{actor}: within {id}");
                } else {
                    assert_eq!(within.status, 404, "{actor}: within {id}: {}", within.body);
                    let missing = self.missing_like(s, &path, id).await;
                    assert_eq!(within.body, missing, "{actor}: within {id}");
                }
            }

            // One resource.
            let path = format!("/api/resources/{id}");
            let detail = self.http.get(&path, Some(s)).await;
            self.note(actor, "GET /api/resources/{id}");
            if level >= Level::Names {
                assert_eq!(detail.status, 200, "{actor}: {id}");
                let access = engine.effective_access(actor, id).unwrap().access;
                let can_share = access.level == Level::Owner
                    || (self.model.profile == Profile::Direct
                        && access.permissions.contains(Permission::Share));
                assert_eq!(detail.body["can_share"], can_share, "{actor}: {id}");
                let record = self.model.resources.iter().find(|r| r.id == id).unwrap();
                let projects: BTreeSet<&str> = detail.body["projects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_str().unwrap())
                    .collect();
                let expected: BTreeSet<&str> = record
                    .projects
                    .iter()
                    .map(String::as_str)
                    .filter(|p| visible.contains(*p))
                    .collect();
                assert_eq!(projects, expected, "{actor}: projects of {id}");
                if let Some(parent) = &record.parent {
                    assert_eq!(
                        detail.body["parent"]["id"].as_str() == Some(parent),
                        visible.contains(parent)
                    );
                }
                let counted: u64 = detail.body["contents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k["count"].as_u64().unwrap())
                    .sum();
                let holds = matches!(record.kind.as_str(), "project" | "run" | "dataset");
                let expected = if holds {
                    self.contents(id).intersection(&visible).count() as u64
                } else {
                    0
                };
                assert_eq!(counted, expected, "{actor}: contents of {id}");
            } else {
                assert_eq!(detail.status, 404, "{actor}: {id}");
                let missing = self.missing_like(s, &path, id).await;
                assert_eq!(detail.body, missing);
            }

            // Who has access.
            let path = format!("/api/resources/{id}/access");
            let who = self.http.get(&path, Some(s)).await;
            self.note(actor, "GET /api/resources/{id}/access");
            if level >= Level::Read {
                assert_eq!(who.status, 200);
                assert_eq!(
                    who.body["holders"],
                    serde_json::to_value(engine.who_has_access(id).unwrap()).unwrap(),
                    "{actor}: who has access to {id}"
                );
            } else {
                assert_eq!(who.status, 404, "{actor}: who has access to {id}");
                let missing = self.missing_like(s, &path, id).await;
                assert_eq!(who.body, missing);
            }

            // The access context.
            let path = format!("/api/resources/{id}/context");
            let context = self.http.get(&path, Some(s)).await;
            self.note(actor, "GET /api/resources/{id}/context");
            let email = self.email_of(actor);
            let recipient = self.model.transfers.iter().any(|t| {
                t.resource == id
                    && t.status == TransferStatus::Pending
                    && Some(normalize_email(&t.to)) == email
            });
            if level >= Level::Read || recipient {
                assert_eq!(context.status, 200, "{actor}: context of {id}");
                assert_eq!(context.body["actor"], actor);
            } else {
                assert_eq!(context.status, 404, "{actor}: context of {id}");
                let missing = self.missing_like(s, &path, id).await;
                assert_eq!(context.body, missing);
            }
        }

        // Transfers: each box holds exactly the actor's.
        let email = self.email_of(actor);
        for which in ["incoming", "outgoing", "history"] {
            let got = self
                .http
                .get(&format!("/api/transfers?box={which}"), Some(s))
                .await;
            self.note(actor, "GET /api/transfers");
            let got: BTreeSet<String> = got.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_string())
                .collect();
            let expected: BTreeSet<String> = self
                .model
                .transfers
                .iter()
                .filter(|t| {
                    let to_me = Some(normalize_email(&t.to)) == email;
                    let pending = t.status == TransferStatus::Pending;
                    match which {
                        "incoming" => to_me && pending,
                        "outgoing" => t.from == actor && pending,
                        _ => to_me || t.from == actor,
                    }
                })
                .map(|t| t.id.clone())
                .collect();
            assert_eq!(got, expected, "{actor}: {which} transfers");
        }

        // Notifications: only the actor's own.
        let notes = self.http.get("/api/notifications", Some(s)).await;
        self.note(actor, "GET /api/notifications");
        let mine: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM notifications WHERE principal_id = $1 ORDER BY id DESC")
                .bind(actor)
                .fetch_all(&self.app.state.db.pool)
                .await
                .unwrap();
        let got: Vec<i64> = notes.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, mine.iter().map(|m| m.0).collect::<Vec<_>>(), "{actor}");
        let (status, headers) = self
            .http
            .get_headers("/api/notifications/stream", Some(s))
            .await;
        self.note(actor, "GET /api/notifications/stream");
        assert_eq!(status, 200);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );

        // Groups: those the actor administers or belongs to, with counts;
        // one group and its context for those, 404 like a missing id for
        // anyone else.
        let groups = self.http.get("/api/groups", Some(s)).await;
        self.note(actor, "GET /api/groups");
        assert_eq!(groups.status, 200);
        let got: BTreeSet<String> = groups.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect();
        let all: Vec<String> = self.model.principals.iter().map(|p| p.id.clone()).collect();
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|g| sees_group(&self.model, g, actor))
            .cloned()
            .collect();
        assert_eq!(got, expected, "{actor}: groups");
        for item in groups.body["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let g = self.model.principals.iter().find(|p| p.id == id).unwrap();
            let reached = people_of(&self.model, id);
            let people = reached
                .iter()
                .filter(|x| {
                    self.model
                        .principals
                        .iter()
                        .any(|p| &p.id == *x && p.kind.is_person())
                })
                .count();
            assert_eq!(item["members"], g.members.len(), "{actor}: {id}");
            assert_eq!(item["people"], people, "{actor}: {id}");
            assert_eq!(item["admin"], g.admins.iter().any(|a| a == actor));
            assert_eq!(item["member"], reached.contains(actor));
        }
        for id in all.iter().map(String::as_str).chain(["P1", "NOPE"]) {
            let visible = sees_group(&self.model, id, actor);
            let admin = visible
                && self
                    .model
                    .principals
                    .iter()
                    .any(|p| p.id == id && p.admins.iter().any(|a| a == actor));
            for (path, endpoint) in [
                (format!("/api/groups/{id}"), "GET /api/groups/{id}"),
                (
                    format!("/api/groups/{id}/context?principals=uma"),
                    "GET /api/groups/{id}/context",
                ),
            ] {
                let reply = self.http.get(&path, Some(s)).await;
                self.note(actor, endpoint);
                if visible {
                    assert_eq!(reply.status, 200, "{actor}: {path}: {}", reply.body);
                    assert_eq!(reply.body["can_manage"], admin, "{actor}: {path}");
                } else {
                    assert_eq!(reply.status, 404, "{actor}: {path}: {}", reply.body);
                    let missing = self.missing_like(s, &path, id).await;
                    assert_eq!(reply.body, missing, "{actor}: {path}");
                }
            }
        }

        // The directory is open to every signed-in person (the type-ahead).
        let hits = self.http.get("/api/principals?q=a", Some(s)).await;
        self.note(actor, "GET /api/principals");
        assert_eq!(hits.status, 200);
        for path in ["/api/config", "/api/openapi.json"] {
            assert_eq!(self.http.get(path, Some(s)).await.status, 200);
            self.note(actor, &format!("GET {path}"));
        }
    }

    /// Every action of `actor`: refused as the policy says, or 409 on a
    /// wrong digest when allowed; the data unchanged. Returns the allowed.
    async fn action_checks(&mut self, actor: &str, s: &Session) -> Vec<Action> {
        let engine = self.engine();
        let before = self.app.dump().await;
        let mut allowed = Vec::new();
        let mut list = actions_of(actor, self.model.profile);
        // Acting as someone else.
        list.push(action(
            json!({"type": "leave", "actor": if actor == "bob" { "wendy" } else { "bob" }, "resource": "P1"}),
        ));
        for (n, a) in list.iter().enumerate() {
            let body = json!({"action": a, "version": "v", "digest": "not-the-digest",
                "idempotency_key": format!("m-{actor}-{n}")});
            let reply = self.http.post("/api/actions", Some(s), &body).await;
            self.note(
                actor,
                &format!("POST /api/actions {}", a.action_type().as_str()),
            );
            self.actions_tried += 1;
            let signed_in_as_actor = a.actor() == actor;
            match engine.preview(a) {
                Err(e) if signed_in_as_actor => {
                    assert_eq!(
                        (reply.status, reply.code()),
                        (status_of(e.code), e.code.as_str()),
                        "{actor}: {a:?}: {}",
                        reply.body
                    );
                }
                _ if !signed_in_as_actor => {
                    assert_eq!((reply.status, reply.code()), (403, "not_permitted"));
                }
                Ok(_) => {
                    assert_eq!(
                        (reply.status, reply.code()),
                        (409, "stale_preview"),
                        "{actor}: {a:?}: {}",
                        reply.body
                    );
                    allowed.push(a.clone());
                }
                Err(_) => unreachable!(),
            }
            assert!(reply.is_error_body() || reply.status == 409);
            if reply.code() == "not_recipient" {
                assert!(
                    !reply.body["message"].as_str().unwrap().contains('@'),
                    "a refusal names the recipient: {}",
                    reply.body
                );
            }
            assert_eq!(self.app.dump().await, before, "{actor}: {a:?} changed data");
        }
        // Marking other people's notifications read changes nothing.
        let others: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM notifications WHERE principal_id <> $1")
                .bind(actor)
                .fetch_all(&self.app.state.db.pool)
                .await
                .unwrap();
        let ids: Vec<i64> = others.iter().map(|o| o.0).chain([999_999]).collect();
        let marked = self
            .http
            .post("/api/notifications/read", Some(s), &json!({"ids": ids}))
            .await;
        self.note(actor, "POST /api/notifications/read");
        assert_eq!(marked.status, 204);
        assert_eq!(
            self.app.dump().await,
            before,
            "{actor} marked others' notifications"
        );
        allowed
    }

    /// Applies `a` as the app does (context, digest, confirm) and checks
    /// the stored world against the policy's `applied`.
    async fn apply(&mut self, s: &Session, a: &Action) {
        // The context the dialog loads: the group's for a membership
        // change, else the first resource's (a transfer's resource), with
        // what the action names (one method on `Action` works it out).
        let names = a.names();
        let path = if names.resources.is_empty()
            && names.transfers.is_empty()
            && let Some(group) = names.groups.first()
        {
            format!(
                "/api/groups/{group}/context?principals={}",
                names.principals.join(",")
            )
        } else {
            let resource = names.resources.first().cloned().unwrap_or_else(|| {
                let t = names.transfers.first().unwrap();
                let t = self.model.transfers.iter().find(|x| &x.id == t).unwrap();
                t.resource.clone()
            });
            format!(
                "/api/resources/{resource}/context?principals={}&emails={}",
                names.principals.join(","),
                names.emails.join(",")
            )
        };
        let context = self.http.get(&path, Some(s)).await;
        assert_eq!(context.status, 200, "{a:?}: {}", context.body);
        let version = context.body["version"].as_str().unwrap().to_string();
        let context_world: World = serde_json::from_value(context.body["world"].clone()).unwrap();
        let digest = Engine::new(context_world)
            .unwrap()
            .preview(a)
            .unwrap()
            .digest();
        let expected = self.engine().preview(a).unwrap().digest();
        assert_eq!(
            digest, expected,
            "the context's preview differs from the world's"
        );
        let body = json!({"action": a, "version": version, "digest": digest,
            "idempotency_key": format!("apply-{}", self.requests)});
        let reply = self.http.post("/api/actions", Some(s), &body).await;
        self.requests += 1;
        assert_eq!(reply.status, 200, "{a:?}: {}", reply.body);
        let mut after = self.engine().applied(a).unwrap();
        if let Some(stored) = reply.body["transfer"].as_str() {
            let known: BTreeSet<String> =
                self.model.transfers.iter().map(|t| t.id.clone()).collect();
            for t in after
                .transfers
                .iter_mut()
                .filter(|t| !known.contains(&t.id))
            {
                t.id = stored.to_string();
            }
        }
        self.model = after;
        let stored = whole_world(&self.app.state.db, self.model.profile).await;
        assert_eq!(facts(&stored), facts(&self.model), "after {a:?}");
    }
}

async fn matrix(backend: Backend, profile: Profile) {
    let model = world(profile);
    let app = TestApp::with_world(backend, &model).await;
    let http = bind(&app).await;
    let mut m = Matrix {
        http,
        app,
        model,
        tried: BTreeSet::new(),
        actions_tried: 0,
        requests: 0,
    };

    // Every operation of the OpenAPI document, anonymously: 401 but for
    // the public ones, and nothing changes.
    let doc = m.http.get("/api/openapi.json", None).await;
    let mut operations = BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let before = m.app.dump().await;
    for op in &operations {
        let (method, path) = op.split_once(' ').unwrap();
        let concrete = path.replace("{id}", "P1");
        let reply = if path.ends_with("/stream") {
            let (status, _) = m.http.get_headers(&concrete, None).await;
            Reply {
                status,
                headers: Default::default(),
                bytes: Bytes::new(),
                body: json!({"code": "unauthenticated", "message": ""}),
            }
        } else {
            let body = Bytes::from(json!({"login": "alice", "password": "wrong"}).to_string());
            m.http
                .send(
                    method,
                    &concrete,
                    None,
                    Csrf::Value("1"),
                    Some(("application/json", body)),
                )
                .await
        };
        m.note("anonymous", op);
        match op.as_str() {
            "GET /api/config" | "GET /api/openapi.json" => assert_eq!(reply.status, 200),
            "POST /api/session" => {
                assert_eq!((reply.status, reply.code()), (401, "invalid_credentials"))
            }
            _ => assert_eq!(
                (reply.status, reply.code()),
                (401, "unauthenticated"),
                "{op}"
            ),
        }
    }
    assert_eq!(
        m.app.dump().await,
        before,
        "anonymous requests changed data"
    );
    // Actions, anonymously.
    for a in actions_of("alice", profile).iter().take(10) {
        let reply = m
            .http
            .post(
                "/api/actions",
                None,
                &json!({"action": a, "version": "v", "digest": "d", "idempotency_key": "k"}),
            )
            .await;
        m.note(
            "anonymous",
            &format!("POST /api/actions {}", a.action_type().as_str()),
        );
        m.actions_tried += 1;
        assert_eq!(reply.status, 401);
    }
    assert_eq!(m.app.dump().await, before);

    // Phase one: every actor reads everything and tries every action.
    let mut sessions = BTreeMap::new();
    let mut allowed = BTreeMap::new();
    for (actor, _) in ACTORS {
        let s = m.http.sign_in(actor, "pw").await;
        m.read_checks(actor, &s, true).await;
        allowed.insert(actor, m.action_checks(actor, &s).await);
        sessions.insert(actor, s);
    }

    // Phase two: one allowed action of each type per actor, applied.
    // The owner goes last, so the recipient's acceptance comes first.
    let mut applied = 0;
    let mut types_applied = BTreeSet::new();
    for (actor, _) in ACTORS.iter().rev() {
        let mut types = BTreeSet::new();
        for a in &allowed[actor] {
            if types.contains(a.action_type().as_str()) || m.engine().preview(a).is_err() {
                continue;
            }
            types.insert(a.action_type().as_str());
            m.apply(&sessions[actor], a).await;
            types_applied.insert(a.action_type().as_str());
            applied += 1;
        }
    }
    let expected: BTreeSet<&str> = match profile {
        Profile::Basespace => [
            "share",
            "unshare",
            "request_transfer",
            "accept_transfer",
            "leave",
            "batch",
            "add_member",
            "remove_member",
        ]
        .into(),
        Profile::Direct => [
            "share",
            "unshare",
            "set_owner",
            "leave",
            "batch",
            "add_member",
            "remove_member",
        ]
        .into(),
    };
    assert!(
        types_applied.is_superset(&expected),
        "applied only {types_applied:?}"
    );
    for (actor, _) in ACTORS {
        let s = sessions[actor].clone();
        m.read_checks(actor, &s, false).await;
    }

    // Sign-out ends each session.
    for (actor, _) in ACTORS {
        let s = &sessions[actor];
        let out = m
            .http
            .send("DELETE", "/api/session", Some(s), Csrf::Session, None)
            .await;
        m.note(actor, "DELETE /api/session");
        assert_eq!(out.status, 204);
        assert_eq!(m.http.get("/api/me", Some(s)).await.status, 401);
    }

    // Every operation of the document was tried by every kind of actor.
    let kinds: BTreeSet<&str> = ACTORS.iter().map(|a| a.0).chain(["anonymous"]).collect();
    for op in &operations {
        let op = op.as_str();
        for kind in &kinds {
            let tried = m.tried.iter().any(|(k, e)| {
                k == kind
                    && (e == op
                        || e.starts_with(&format!("{op}?"))
                        || e.starts_with(&format!("{op} ")))
            });
            let skipped = *kind != "anonymous" && op == "POST /api/session";
            assert!(tried || skipped, "{kind} never tried {op}");
        }
    }
    let endpoints: BTreeSet<&str> = m.tried.iter().map(|(_, e)| e.as_str()).collect();
    eprintln!(
        "matrix ({backend:?}, {profile:?}): {} kinds of actor x {} endpoints and action types; \
         {} actions tried, {} applied, {} requests",
        kinds.len(),
        endpoints.len(),
        m.actions_tried,
        applied,
        m.requests
    );
    m.app.finish().await;
}

async fn basespace(backend: Backend) {
    matrix(backend, Profile::Basespace).await;
}
on_both!(matrix_basespace, basespace);

async fn direct(backend: Backend) {
    matrix(backend, Profile::Direct).await;
}
on_both!(matrix_direct, direct);
