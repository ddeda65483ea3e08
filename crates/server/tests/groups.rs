//! Workgroups through the HTTP API: who sees which group (404 for anyone
//! else, exactly like a missing id), the group context, membership changes
//! confirmed through `POST /api/actions` (applied, refused with the
//! database unchanged, retried idempotently, answered 409 with a fresh
//! group context when stale), and the notifications they send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Backend, Session, TestApp};
use custody_api::{GroupContext, GroupDetail, GroupList, NotificationList, StaleGroupPreview};
use custody_policy::{Action, Engine, World};
use serde_json::{Value, json};

/// `lab` (admin alice, who is not a member) holds carol and the nested
/// group `bioinf` (dan); `lab` reads P1. `other` (admin erin) is erin's.
fn world() -> World {
    serde_json::from_value(json!({
        "profile": "basespace",
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example", "name": "Alice"},
            {"id": "carol", "kind": "user", "email": "carol@lab.example", "name": "Carol"},
            {"id": "dan", "kind": "user", "email": "dan@lab.example"},
            {"id": "erin", "kind": "user", "email": "erin@else.example"},
            {"id": "frank", "kind": "user", "email": "frank@else.example"},
            {"id": "bioinf", "kind": "group", "members": ["dan"], "admins": ["alice"]},
            {"id": "lab", "kind": "group", "name": "The lab", "members": ["bioinf", "carol"], "admins": ["alice"]},
            {"id": "other", "kind": "group", "members": ["erin"], "admins": ["erin"]}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice", "name": "Tumor WGS"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"]},
            {"id": "P2", "kind": "project", "owner": "erin"}
        ],
        "grants": [{"resource": "P1", "principal": "lab", "access": "read"}],
        "transfers": []
    }))
    .unwrap()
}

fn member(kind: &str, actor: &str, group: &str, principal: &str) -> Action {
    serde_json::from_value(
        json!({"type": kind, "actor": actor, "group": group, "principal": principal}),
    )
    .unwrap()
}

/// The group context for `s` (with `extra` principals) and the digest of
/// `action` on it, as the members dialog computes them.
async fn group_digest(
    app: &TestApp,
    s: &Session,
    group: &str,
    action: &Action,
    extra: &str,
) -> (GroupContext, String) {
    let answer = app
        .get(
            &format!("/api/groups/{group}/context?principals={extra}"),
            s,
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let context: GroupContext = serde_json::from_value(answer.body).unwrap();
    let digest = Engine::new(context.world.clone())
        .unwrap()
        .preview(action)
        .unwrap()
        .digest();
    (context, digest)
}

async fn confirm(
    app: &TestApp,
    s: &Session,
    action: &Action,
    version: &str,
    digest: &str,
    key: &str,
) -> common::Answer {
    app.post(
        "/api/actions",
        s,
        &json!({"action": action, "version": version, "digest": digest, "idempotency_key": key}),
    )
    .await
}

async fn notifications(app: &TestApp, s: &Session) -> NotificationList {
    serde_json::from_value(app.get("/api/notifications", s).await.body).unwrap()
}

async fn visibility(backend: Backend) {
    let app = TestApp::with_world(backend, &world()).await;
    let alice = app.sign_in("alice", "pw").await;
    let dan = app.sign_in("dan", "pw").await;
    let frank = app.sign_in("frank", "pw").await;

    // Alice administers lab and bioinf without being in them.
    let list: GroupList =
        serde_json::from_value(app.get("/api/groups", &alice).await.body).unwrap();
    let ids: Vec<&str> = list.items.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["bioinf", "lab"]);
    let lab = &list.items[1];
    assert_eq!(lab.name.as_deref(), Some("The lab"));
    assert_eq!((lab.members, lab.people), (2, 2)); // bioinf + carol; carol + dan
    assert!(lab.admin && !lab.member);
    // Dan is in lab through bioinf.
    let list: GroupList = serde_json::from_value(app.get("/api/groups", &dan).await.body).unwrap();
    let flags: Vec<(&str, bool, bool)> = list
        .items
        .iter()
        .map(|g| (g.id.as_str(), g.admin, g.member))
        .collect();
    assert_eq!(flags, [("bioinf", false, true), ("lab", false, true)]);
    let list: GroupList =
        serde_json::from_value(app.get("/api/groups", &frank).await.body).unwrap();
    assert!(list.items.is_empty());

    // Detail: for the admin and the nested member; the members are the
    // direct ones.
    let detail = app.get("/api/groups/lab", &dan).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let detail: GroupDetail = serde_json::from_value(detail.body).unwrap();
    let members: Vec<(&str, Option<u64>)> = detail
        .members
        .iter()
        .map(|m| (m.id.as_str(), m.members))
        .collect();
    assert_eq!(members, [("bioinf", Some(1)), ("carol", None)]);
    assert_eq!(detail.admins.len(), 1);
    assert_eq!(detail.admins[0].id, "alice");
    assert!(!detail.can_manage);
    let detail: GroupDetail =
        serde_json::from_value(app.get("/api/groups/lab", &alice).await.body).unwrap();
    assert!(detail.can_manage);

    // An outsider gets exactly what a missing id gets (with the id).
    for path in ["/api/groups/lab", "/api/groups/lab/context"] {
        let hidden = app.get(path, &frank).await;
        let missing = app.get(&path.replace("lab", "nosuch"), &frank).await;
        assert_eq!(hidden.status, 404);
        assert_eq!(missing.status, 404);
        assert_eq!(hidden.body["code"], "not_found");
        assert_eq!(
            hidden.body["message"].as_str().unwrap().replace("lab", "X"),
            missing.body["message"]
                .as_str()
                .unwrap()
                .replace("nosuch", "X"),
        );
    }
    // A person or a resource is not a group.
    assert_eq!(app.get("/api/groups/carol", &alice).await.status, 404);
    assert_eq!(app.get("/api/groups/P1", &alice).await.status, 404);
    // A bad query is a 400 that says why.
    let bad = app.get("/api/groups/lab/context?principal=x", &alice).await;
    assert_eq!(bad.status, 400, "{}", bad.body);

    // The context holds the group, its grants' resources, the named
    // principals and the admins; previews on it are the policy's.
    let add = member("add_member", "alice", "lab", "frank");
    let (context, _) = group_digest(&app, &alice, "lab", &add, "frank").await;
    assert_eq!(context.group, "lab");
    assert_eq!(context.actor, "alice");
    assert!(context.can_manage);
    let ids: Vec<&str> = context
        .world
        .principals
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    for id in ["alice", "bioinf", "carol", "dan", "frank", "lab"] {
        assert!(ids.contains(&id), "the context lacks {id}: {ids:?}");
    }
    assert!(
        !ids.contains(&"other"),
        "unrelated groups stay out: {ids:?}"
    );
    let resources: Vec<&str> = context
        .world
        .resources
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(resources, ["P1", "R1"]);
    let preview = Engine::new(context.world)
        .unwrap()
        .preview(&add)
        .unwrap()
        .len();
    assert_eq!(preview, 2); // frank gains read on P1 and R1
    // A member's context says they may not manage it.
    let leave = member("remove_member", "dan", "bioinf", "dan");
    let (context, _) = group_digest(&app, &dan, "bioinf", &leave, "").await;
    assert!(!context.can_manage);
    app.finish().await;
}
on_both!(groups_are_visible_to_members_and_admins_only, visibility);

async fn membership_changes(backend: Backend) {
    let app = TestApp::with_world(backend, &world()).await;
    let alice = app.sign_in("alice", "pw").await;
    let carol = app.sign_in("carol", "pw").await;
    let frank = app.sign_in("frank", "pw").await;

    // Refusals change nothing: not an admin; an unknown group; a cycle.
    let before = app.dump().await;
    let by_frank = member("add_member", "frank", "lab", "frank");
    let refused = confirm(&app, &frank, &by_frank, "v", "d", "f-1").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.body["code"], "not_permitted");
    let unknown = member("add_member", "alice", "nosuch", "frank");
    let refused = confirm(&app, &alice, &unknown, "v", "d", "a-0").await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "unknown_principal");
    let cycle = member("add_member", "alice", "bioinf", "lab");
    let refused = confirm(&app, &alice, &cycle, "v", "d", "a-00").await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "group_cycle");
    assert_eq!(app.dump().await, before, "a refusal changed the database");

    // Alice adds frank: stored, notified, retried idempotently.
    let add = member("add_member", "alice", "lab", "frank");
    let (context, digest) = group_digest(&app, &alice, "lab", &add, "frank").await;
    let first = confirm(&app, &alice, &add, &context.version, &digest, "a-1").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["changes"], 2);
    let after_first = app.dump().await;
    assert!(after_first.contains(&"group_members|lab|frank|||0".to_string()));
    let again = confirm(&app, &alice, &add, &context.version, &digest, "a-1").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    assert_eq!(app.dump().await, after_first, "a retry applied twice");
    let other = member("add_member", "alice", "lab", "erin");
    let reused = confirm(&app, &alice, &other, "v", "d", "a-1").await;
    assert_eq!(reused.body["code"], "idempotency_key_reused");
    let notes = notifications(&app, &frank).await;
    assert_eq!(notes.unread, 1);
    assert_eq!(
        notes.items[0].kind,
        custody_api::NotificationKind::AddedToGroup
    );
    assert_eq!(notes.items[0].group.as_deref(), Some("lab"));
    assert_eq!(notes.items[0].text, "Alice added you to group “The lab”");
    // Frank now sees the group and the project.
    let list: GroupList =
        serde_json::from_value(app.get("/api/groups", &frank).await.body).unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(app.get("/api/resources/P1", &frank).await.status, 200);

    // A stale preview: alice opens the dialog to remove carol from lab
    // (carol would lose P1). Meanwhile, in another tab, she removes frank
    // (which leaves that preview as it was) and adds carol to bioinf, so
    // removing carol from lab no longer changes her access: 409, with the
    // group's fresh context.
    let remove_carol = member("remove_member", "alice", "lab", "carol");
    let (old, old_digest) = group_digest(&app, &alice, "lab", &remove_carol, "").await;
    let unrelated = member("remove_member", "alice", "lab", "frank");
    let (c, d) = group_digest(&app, &alice, "lab", &unrelated, "").await;
    assert_eq!(
        confirm(&app, &alice, &unrelated, &c.version, &d, "a-2")
            .await
            .status,
        200
    );
    let notes = notifications(&app, &frank).await;
    assert_eq!(
        notes.items[0].kind,
        custody_api::NotificationKind::RemovedFromGroup
    );
    assert_eq!(notes.unread, 2);
    let into_bioinf = member("add_member", "alice", "bioinf", "carol");
    let (c, d) = group_digest(&app, &alice, "bioinf", &into_bioinf, "carol").await;
    let added = confirm(&app, &alice, &into_bioinf, &c.version, &d, "a-3").await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.body["changes"], 0, "carol keeps read through lab");
    let before = app.dump().await;
    let stale = confirm(
        &app,
        &alice,
        &remove_carol,
        &old.version,
        &old_digest,
        "a-4",
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let stale: StaleGroupPreview = serde_json::from_value(stale.body).unwrap();
    assert_eq!(stale.code, "stale_preview");
    assert_eq!(stale.context.group, "lab");
    assert!(stale.context.can_manage);
    assert_ne!(stale.context.version, old.version);
    assert_eq!(app.dump().await, before, "a 409 changed the database");
    let engine = Engine::new(stale.context.world).unwrap();
    let fresh = engine.preview(&remove_carol).unwrap();
    assert_eq!(fresh.len(), 0, "carol keeps read through bioinf");
    assert_eq!(stale.digest, fresh.digest());
    let done = confirm(
        &app,
        &alice,
        &remove_carol,
        &stale.context.version,
        &fresh.digest(),
        "a-5",
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let kinds: Vec<_> = notifications(&app, &carol)
        .await
        .items
        .iter()
        .map(|n| (n.kind, n.group.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                custody_api::NotificationKind::RemovedFromGroup,
                Some("lab".to_string())
            ),
            (
                custody_api::NotificationKind::AddedToGroup,
                Some("bioinf".to_string())
            ),
        ]
    );

    // Carol leaves bioinf herself: she loses P1; no notification to
    // herself.
    let leave = member("remove_member", "carol", "bioinf", "carol");
    let (c, d) = group_digest(&app, &carol, "bioinf", &leave, "").await;
    let left = confirm(&app, &carol, &leave, &c.version, &d, "c-1").await;
    assert_eq!(left.status, 200, "{}", left.body);
    assert_eq!(left.body["changes"], 2);
    assert_eq!(left.body["warnings"], json!(["actor_loses_access"]));
    assert_eq!(notifications(&app, &carol).await.items.len(), 2);
    assert_eq!(app.get("/api/resources/P1", &carol).await.status, 404);
    assert_eq!(app.get("/api/groups/bioinf", &carol).await.status, 404);

    // A batch of membership changes only: one audit record.
    let batch: Action =
        serde_json::from_value(json!({"type": "batch", "actor": "alice", "actions": [
            {"type": "add_member", "actor": "alice", "group": "lab", "principal": "carol"},
            {"type": "add_member", "actor": "alice", "group": "lab", "principal": "erin"}
        ]}))
        .unwrap();
    let (c, d) = group_digest(&app, &alice, "lab", &batch, "carol,erin").await;
    let applied = confirm(&app, &alice, &batch, &c.version, &d, "a-6").await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert_eq!(applied.body["changes"], 4);
    let detail: GroupDetail =
        serde_json::from_value(app.get("/api/groups/lab", &alice).await.body).unwrap();
    let ids: Vec<&str> = detail.members.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["bioinf", "carol", "erin"]);
    let audit: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(audit.len(), 6);
    let _: Value = serde_json::from_str(&audit[5].0).unwrap();
    app.finish().await;
}
on_both!(membership_changes_through_actions, membership_changes);
