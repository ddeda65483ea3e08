//! What the specification leaves open and Custody decides (see the README's
//! "Decisions"), how invalid worlds are explained, and the reasons attached
//! to each access.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custody_policy::json::{parse_world, preview_json};
use custody_policy::{
    Action, Engine, ErrorCode, Level, PreviewResult, ReasonSource, World, validate_world,
    who_has_access,
};
use serde_json::json;

fn world(value: serde_json::Value) -> World {
    serde_json::from_value(value).unwrap()
}

/// Alice owns project P1 with run R1 (biosample B1, files F1 fastq and F2),
/// dataset D1; Bob reads P1 through group `lab`.
fn lab() -> serde_json::Value {
    json!({
        "profile": "basespace",
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example"},
            {"id": "bob", "kind": "user", "email": "Bob@Core.example"},
            {"id": "carol", "kind": "user", "email": "carol@lab.example"},
            {"id": "lab", "kind": "group", "members": ["bob"]}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"], "biosamples": ["B1"]},
            {"id": "B1", "kind": "biosample", "owner": "alice", "projects": ["P1"]},
            {"id": "D1", "kind": "dataset", "owner": "alice", "projects": ["P1"]},
            {"id": "F1", "kind": "file", "owner": "alice", "parent": "R1", "format": "FASTQ"},
            {"id": "F2", "kind": "file", "owner": "alice", "parent": "R1", "format": "bcl"}
        ],
        "grants": [{"resource": "P1", "principal": "lab", "access": "read"}],
        "transfers": []
    })
}

fn invalid_because(mutate: impl FnOnce(&mut serde_json::Value), needle: &str) {
    let mut w = lab();
    mutate(&mut w);
    let err = validate_world(&world(w)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidWorld);
    assert!(
        err.message.contains(needle),
        "{:?} does not mention {needle:?}",
        err.message
    );
}

#[test]
fn invalid_worlds_say_what_is_wrong() {
    invalid_because(
        |w| w["principals"][3]["members"] = json!(["bob", "lab"]),
        "groups form a cycle: `lab` > `lab`",
    );
    invalid_because(
        |w| {
            w["principals"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": "core", "kind": "group", "members": ["lab"]}));
            w["principals"][3]["members"] = json!(["core"]);
        },
        "groups form a cycle: `lab` > `core` > `lab`",
    );
    invalid_because(
        |w| w["resources"][1]["projects"] = json!(["P9"]),
        "`R1` lists the project `P9`, which does not exist",
    );
    invalid_because(
        |w| w["resources"][1]["projects"] = json!(["D1"]),
        "`R1` lists `D1` as a project, but it is a dataset",
    );
    invalid_because(
        |w| w["resources"][4]["parent"] = json!("B1"),
        "a parent is a run or a dataset",
    );
    invalid_because(
        |w| w["resources"][0]["owner"] = json!("lab"),
        "a group never owns",
    );
    invalid_because(
        |w| w["resources"][0]["id"] = json!("bob"),
        "the id `bob` is used twice",
    );
    invalid_because(
        |w| w["principals"][2]["email"] = json!("ALICE@lab.example"),
        "belongs to two accounts",
    );
    invalid_because(
        |w| w["grants"] = json!([{"resource": "P1", "principal": "bob", "access": "owner"}]),
        "a grant is read or write",
    );
    invalid_because(
        |w| w["grants"] = json!([{"resource": "P1", "principal": "bob", "access": {"level": "read", "permissions": ["share"]}}]),
        "only the direct profile has",
    );
    invalid_because(
        |w| {
            w["transfers"] = json!([
                {"id": "T1", "resource": "P1", "from": "alice", "to": "bob@core.example", "status": "pending"},
                {"id": "T2", "resource": "P1", "from": "alice", "to": "carol@lab.example", "status": "pending"}
            ])
        },
        "`P1` has two pending transfers",
    );
    invalid_because(
        |w| w["transfers"] = json!([{"id": "T1", "resource": "P1", "from": "bob", "to": "carol@lab.example", "status": "pending"}]),
        "who does not own `P1`",
    );
}

#[test]
fn malformed_json_is_answered_not_panicked() {
    let answer: PreviewResult = serde_json::from_str(&preview_json("{", "{}")).unwrap();
    assert!(matches!(
        answer,
        PreviewResult::Rejected {
            error: ErrorCode::InvalidWorld,
            ..
        }
    ));
    let w = lab().to_string();
    let answer: PreviewResult =
        serde_json::from_str(&preview_json(&w, r#"{"type": "fly", "actor": "alice"}"#)).unwrap();
    assert!(matches!(
        answer,
        PreviewResult::Rejected {
            error: ErrorCode::InvalidAction,
            ..
        }
    ));
    assert!(parse_world(r#"{"profile": "other"}"#).is_err());
}

fn error_of(action: serde_json::Value) -> ErrorCode {
    let engine = Engine::new(world(lab())).unwrap();
    let action: Action = serde_json::from_value(action).unwrap();
    match engine.preview(&action) {
        Err(e) => e.code,
        Ok(p) => panic!("expected an error, got {} changes", p.len()),
    }
}

#[test]
fn decisions_where_the_specification_is_silent() {
    // Sharing with the owner is refused: they hold everything already.
    assert_eq!(
        error_of(
            json!({"type": "share", "actor": "alice", "resource": "P1", "principal": "alice", "access": "read"})
        ),
        ErrorCode::AlreadyOwner
    );
    // A transfer to something that is not an email address.
    assert_eq!(
        error_of(
            json!({"type": "request_transfer", "actor": "alice", "resource": "P1", "to": "bob"})
        ),
        ErrorCode::InvalidAction
    );
    // Access through a group is not a grant one can leave.
    assert_eq!(
        error_of(json!({"type": "leave", "actor": "bob", "resource": "P1"})),
        ErrorCode::NoGrant
    );
    // Groups do not act.
    assert_eq!(
        error_of(
            json!({"type": "share", "actor": "lab", "resource": "P1", "principal": "carol", "access": "read"})
        ),
        ErrorCode::NotPermitted
    );
    // Batches do not nest.
    assert_eq!(
        error_of(
            json!({"type": "batch", "actor": "alice", "actions": [{"type": "batch", "actor": "alice", "actions": []}]})
        ),
        ErrorCode::NotSupported
    );
}

#[test]
fn emails_match_whatever_their_case_and_fastq_whatever_its_case() {
    let engine = Engine::new(world(lab())).unwrap();
    let request: Action = serde_json::from_value(
        json!({"type": "request_transfer", "actor": "alice", "resource": "R1", "to": " bob@core.EXAMPLE "}),
    )
    .unwrap();
    let preview = engine.preview(&request).unwrap();
    let recipient = preview.recipient().unwrap();
    assert_eq!(recipient.principal.as_deref(), Some("bob"));
    assert!(
        preview
            .warnings()
            .contains(&custody_policy::Warning::FastqExcluded)
    );
    // F1 (FASTQ) stays Alice's; F2 goes to Bob.
    let bob_f2 = preview
        .changes()
        .into_iter()
        .find(|c| c.principal == "bob" && c.resource == "F2")
        .unwrap();
    assert_eq!(bob_f2.after.level, Level::Owner);
}

#[test]
fn every_access_says_why() {
    let holders = who_has_access(&world(lab()), "F2").unwrap();
    let ids: Vec<&str> = holders.iter().map(|h| h.principal.as_str()).collect();
    assert_eq!(ids, ["alice", "bob"]);
    let bob = &holders[1];
    assert_eq!(bob.access.level, Level::Read);
    let why = &bob.why[0];
    assert_eq!(why.source, ReasonSource::Grant);
    assert_eq!(why.grantee.as_deref(), Some("lab"));
    assert_eq!(why.on, "P1");
    assert_eq!(why.via, ["R1", "P1"]);
    let alice = &holders[0];
    assert_eq!(alice.why[0].source, ReasonSource::Owner);

    // Biosample names through the run, and the preview's reasons.
    let b1 = who_has_access(&world(lab()), "B1").unwrap();
    assert_eq!(b1[1].access.level, Level::Read);
    assert!(b1[1].why.iter().all(|w| w.source == ReasonSource::Grant));

    let engine = Engine::new(world(lab())).unwrap();
    let unshare: Action = serde_json::from_value(
        json!({"type": "unshare", "actor": "alice", "resource": "P1", "principal": "lab"}),
    )
    .unwrap();
    let preview = engine.preview(&unshare).unwrap();
    let f2 = preview
        .changes()
        .into_iter()
        .find(|c| c.resource == "F2")
        .unwrap();
    assert_eq!(f2.why.before[0].via, ["R1", "P1"]);
    assert!(f2.why.after.is_empty());
    let summary = preview.blocks();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].people, ["bob"]);
    assert_eq!(summary[0].resources, 6);
    assert_eq!(preview.block_resources(0, 1, 2), ["D1", "F1"]);
}

/// A preview lists people in the order of their ids, a transfer's
/// recipient without an account in its email's place: also when that
/// email is, as text, another person's id (the one case ordered by
/// comparing text rather than by the index's order of ids).
#[test]
fn people_come_in_id_order_even_when_an_email_is_an_id() {
    let mut w = lab();
    w["principals"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "dan@lab.example", "kind": "user", "email": "dan@home.example"}));
    w["grants"]
        .as_array_mut()
        .unwrap()
        .push(json!({"resource": "P1", "principal": "dan@lab.example", "access": "read"}));
    let w = serde_json::to_string(&w).unwrap();
    // No account has this email: the recipient is a newcomer.
    let action = json!({"type": "request_transfer", "actor": "alice", "resource": "P1", "to": "dan@lab.example"});
    let answer: serde_json::Value =
        serde_json::from_str(&preview_json(&w, &action.to_string())).unwrap();
    let people: Vec<&str> = answer["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no changes: {answer}"))
        .iter()
        .map(|c| c["principal"].as_str().unwrap())
        .collect();
    let mut sorted = people.clone();
    sorted.sort();
    assert_eq!(people, sorted, "people in id order");
    for expected in ["alice", "bob", "dan@lab.example"] {
        assert!(people.contains(&expected), "{expected} in {people:?}");
    }
    let befores: std::collections::HashSet<String> = answer["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["principal"] == "dan@lab.example")
        .map(|c| c["before"].to_string())
        .collect();
    assert!(
        befores.len() >= 2,
        "dan, who reads P1, and the newcomer, who has nothing yet: {befores:?}"
    );
}
