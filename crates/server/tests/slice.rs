//! The slice is exact: on every scenario world and on generated worlds,
//! the preview computed on the slice the server loads equals the preview
//! on the whole world, change for change (reasons included), with the
//! same digest and the same errors; and each person's access on the
//! reading slice of a resource, and on that person's own slice of it,
//! equals their access in the whole world.
//! The same holds for the group context (`GET /api/groups/{id}/context`):
//! every membership change of the group, previewed on its slice, equals
//! the preview on the whole world.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Backend, TestApp};
use custody_policy::generate::{self, Rng, Size};
use custody_policy::{
    AccessText, Action, Engine, PrincipalKind, Profile, ResourceKind, TransferStatus, World, api,
};
use custody_server::actions::scope_of;
use custody_server::context_cache::CacheCounts;
use custody_server::groups::group_scope;
use custody_server::slice::{self, Scope};

/// A value as JSON with every list of reasons (`why`, `why.before`,
/// `why.after`) sorted: reasons come in the order of the world's grants,
/// which the database does not keep, and their order carries no meaning.
fn normalized<T: serde::Serialize>(value: &T) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value, sort_here: bool) {
        match v {
            serde_json::Value::Array(items) => {
                for item in items.iter_mut() {
                    walk(item, false);
                }
                if sort_here {
                    items.sort_by_key(|x| x.to_string());
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    let reasons = key == "why" || key == "before" || key == "after";
                    walk(item, reasons);
                }
            }
            _ => {}
        }
    }
    let mut v = serde_json::to_value(value).unwrap();
    walk(&mut v, false);
    v
}

/// Checks `action` on the slice against the whole world; the differences.
async fn check(app: &TestApp, whole: &Engine, action: &Action) -> Vec<String> {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let world = slice::load(&mut conn, whole.world().profile, &scope_of(action))
        .await
        .unwrap();
    let part = match Engine::new(world) {
        Ok(e) => e,
        Err(e) => return vec![format!("{action:?}: the slice is not a valid world: {e}")],
    };
    let mut out = Vec::new();
    let expected = normalized(&api::preview(whole, action));
    let got = normalized(&api::preview(&part, action));
    if expected != got {
        out.push(format!(
            "{}: slice preview differs\n  whole: {}\n  slice: {}",
            serde_json::to_string(action).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            serde_json::to_string(&got).unwrap()
        ));
    }
    let digests = (
        whole.preview(action).map(|p| p.digest()).ok(),
        part.preview(action).map(|p| p.digest()).ok(),
    );
    if digests.0 != digests.1 {
        out.push(format!("{action:?}: digests differ {digests:?}"));
    }
    out
}

/// Checks reading slices: one person's access to one resource.
async fn check_reading(app: &TestApp, whole: &Engine, person: &str, resource: &str) -> Vec<String> {
    let scope = Scope {
        resources: vec![resource.to_string()],
        principals: vec![person.to_string()],
        ..Scope::default()
    };
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let world = slice::load(&mut conn, whole.world().profile, &scope)
        .await
        .unwrap();
    let part = Engine::new(world).unwrap();
    let expected = normalized(&whole.effective_access(person, resource).ok());
    let got = normalized(&part.effective_access(person, resource).ok());
    let who = (
        normalized(&whole.who_has_access(resource).ok()),
        normalized(&part.who_has_access(resource).ok()),
    );
    let mut out = Vec::new();
    if expected != got {
        out.push(format!(
            "access of {person} to {resource}: {expected:?} vs {got:?}"
        ));
    }
    if who.0 != who.1 {
        out.push(format!("who has access to {resource} differs"));
    }
    // The viewer's own slice, without everyone the grants reach: exact
    // for that person's access (reasons included).
    let scope = Scope {
        viewer: Some(person.to_string()),
        ..scope
    };
    out.extend(
        own_slice_differences(
            &mut conn,
            whole,
            person,
            &scope,
            &[resource],
            &format!("their own slice of {resource}"),
        )
        .await,
    );
    // Their own slice of what the resource holds, read from its id: exact
    // for their access to each of its contents.
    let named: &[String] = whole
        .world()
        .resources
        .iter()
        .find(|r| r.id == resource)
        .map_or(&[], |r| &r.biosamples);
    let contents: Vec<&custody_policy::Resource> = whole
        .world()
        .resources
        .iter()
        .filter(|r| {
            r.projects.iter().any(|p| p == resource)
                || r.parent.as_deref() == Some(resource)
                || named.contains(&r.id)
        })
        .collect();
    let scope = Scope {
        resources: Vec::new(),
        within: vec![resource.to_string()],
        ..scope
    };
    let contents: Vec<&str> = contents.iter().map(|r| r.id.as_str()).collect();
    out.extend(
        own_slice_differences(
            &mut conn,
            whole,
            person,
            &scope,
            &contents,
            &format!("their own slice of {resource}'s contents"),
        )
        .await,
    );
    out
}

/// Where `person`'s access to `ids` on the slice for `scope` (named `on`)
/// differs from the whole world's.
async fn own_slice_differences(
    conn: &mut sqlx::AnyConnection,
    whole: &Engine,
    person: &str,
    scope: &Scope,
    ids: &[&str],
    on: &str,
) -> Vec<String> {
    let world = slice::load(conn, whole.world().profile, scope)
        .await
        .unwrap();
    let own = match Engine::new(world) {
        Ok(own) => own,
        Err(e) => return vec![format!("{person}'s {on} is not a valid world: {e}")],
    };
    let mut out = Vec::new();
    for id in ids {
        let expected = normalized(&whole.effective_access(person, id).ok());
        let got = normalized(&own.effective_access(person, id).ok());
        if expected != got {
            out.push(format!(
                "access of {person} to {id} on {on}: {expected:?} vs {got:?}"
            ));
        }
    }
    out
}

fn persons(world: &World) -> Vec<String> {
    world
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
        .map(|p| p.id.clone())
        .collect()
}

fn pick(rng: &mut Rng, items: &[String]) -> String {
    rng.pick(items).cloned().unwrap_or_default()
}

/// A random action, with an actor who is often entitled to take it.
fn random_action(rng: &mut Rng, world: &World) -> Action {
    let people = persons(world);
    let everyone: Vec<String> = world.principals.iter().map(|p| p.id.clone()).collect();
    let shareable: Vec<&custody_policy::Resource> = world
        .resources
        .iter()
        .filter(|r| match world.profile {
            Profile::Basespace => matches!(r.kind, ResourceKind::Project | ResourceKind::Run),
            Profile::Direct => r.kind == ResourceKind::Project,
        })
        .collect();
    let any = rng.below(world.resources.len().max(1));
    let r = if rng.chance(85) && !shareable.is_empty() {
        shareable[rng.below(shareable.len())]
    } else {
        &world.resources[any]
    };
    let actor = if rng.chance(75) {
        r.owner.clone()
    } else {
        pick(rng, &people)
    };
    let grants_here: Vec<String> = world
        .grants
        .iter()
        .filter(|g| g.resource == r.id)
        .map(|g| g.principal.clone())
        .collect();
    let access = || -> AccessText { AccessText::Level("read".into()) };
    let level = |rng: &mut Rng| -> AccessText {
        let level = if rng.chance(50) { "read" } else { "write" };
        if world.profile == Profile::Direct && rng.chance(40) {
            AccessText::Full {
                level: level.into(),
                permissions: vec!["share".into()],
            }
        } else {
            AccessText::Level(level.into())
        }
    };
    let pending = world
        .transfers
        .iter()
        .find(|t| t.status == TransferStatus::Pending);
    match rng.below(9) {
        0 | 1 => Action::Share {
            actor,
            resource: r.id.clone(),
            principal: pick(rng, &everyone),
            access: level(rng),
        },
        2 => Action::Unshare {
            actor,
            resource: r.id.clone(),
            principal: if grants_here.is_empty() {
                pick(rng, &everyone)
            } else {
                pick(rng, &grants_here)
            },
        },
        3 => Action::Leave {
            actor: if grants_here.is_empty() {
                actor
            } else {
                pick(rng, &grants_here)
            },
            resource: r.id.clone(),
        },
        4 if world.profile == Profile::Direct => Action::SetOwner {
            actor,
            resource: r.id.clone(),
            principal: pick(rng, &everyone),
            leave: rng.chance(50),
        },
        4 | 5 => {
            let emails: Vec<String> = world
                .principals
                .iter()
                .filter_map(|p| p.email.clone())
                .collect();
            Action::RequestTransfer {
                actor,
                resource: r.id.clone(),
                to: if rng.chance(20) || emails.is_empty() {
                    "newcomer@else.example".into()
                } else {
                    pick(rng, &emails).to_uppercase()
                },
                message: None,
            }
        }
        6 | 7 if pending.is_some() => {
            let t = pending.cloned().unwrap_or_else(unreachable_transfer);
            let recipient = world
                .principals
                .iter()
                .find(|p| {
                    p.email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(&t.to))
                })
                .map(|p| p.id.clone())
                .unwrap_or_else(|| pick(rng, &people));
            match rng.below(3) {
                0 => Action::AcceptTransfer {
                    actor: recipient,
                    transfer: t.id,
                },
                1 => Action::DeclineTransfer {
                    actor: recipient,
                    transfer: t.id,
                },
                _ => Action::CancelTransfer {
                    actor: t.from,
                    transfer: t.id,
                },
            }
        }
        _ => Action::Batch {
            actor: actor.clone(),
            actions: (0..1 + rng.below(3))
                .map(|i| {
                    if i == 1 && !grants_here.is_empty() {
                        Action::Unshare {
                            actor: actor.clone(),
                            resource: r.id.clone(),
                            principal: pick(rng, &grants_here),
                        }
                    } else {
                        Action::Share {
                            actor: actor.clone(),
                            resource: r.id.clone(),
                            principal: pick(rng, &everyone),
                            access: if rng.chance(50) { access() } else { level(rng) },
                        }
                    }
                })
                .collect(),
        },
    }
}

fn unreachable_transfer() -> custody_policy::Transfer {
    custody_policy::Transfer {
        id: "T-none".into(),
        resource: String::new(),
        from: String::new(),
        to: String::new(),
        status: TransferStatus::Pending,
        message: None,
    }
}

/// Loads `world`, then checks `actions` random actions and `reads` random
/// reading slices on it.
async fn check_world(
    backend: Backend,
    world: &World,
    seed: u64,
    actions: usize,
    reads: usize,
    extra: &[Action],
) -> (usize, Vec<String>) {
    let app = TestApp::new(backend, world.profile).await;
    custody_server::import::import_world(&app.state.db, world)
        .await
        .unwrap();
    let whole = Engine::new(world.clone()).unwrap();
    let mut rng = Rng::new(seed);
    let mut problems = Vec::new();
    let mut checked = 0;
    for action in extra {
        problems.extend(check(&app, &whole, action).await);
        checked += 1;
    }
    for _ in 0..actions {
        let action = random_action(&mut rng, world);
        problems.extend(check(&app, &whole, &action).await);
        checked += 1;
    }
    let people = persons(world);
    for _ in 0..reads {
        let person = pick(&mut rng, &people);
        let resource = world.resources[rng.below(world.resources.len())].id.clone();
        problems.extend(check_reading(&app, &whole, &person, &resource).await);
        checked += 1;
    }
    app.finish().await;
    (checked, problems)
}

fn scenario_worlds() -> Vec<(World, Action)> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in [
        root.join("../shared/spec/scenarios"),
        root.join("../shared/spec/scenarios/groups"),
        root.join("tests/scenarios"),
    ] {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let Ok(s) = custody_policy::scenario::Scenario::parse(&text) else {
                continue;
            };
            let (Ok(world), Ok(action)) = (
                serde_json::from_value::<World>(s.world),
                serde_json::from_value::<Action>(s.action),
            ) else {
                continue;
            };
            if custody_policy::validate_world(&world).is_ok() {
                out.push((world, action));
            }
        }
    }
    out
}

async fn slices_are_exact(backend: Backend) {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (i, (world, action)) in scenario_worlds().into_iter().enumerate() {
        let (n, p) = check_world(backend, &world, i as u64, 10, 10, &[action]).await;
        checked += n;
        problems.extend(p);
    }
    for seed in 0..12 {
        for profile in [Profile::Basespace, Profile::Direct] {
            let world = generate::small(seed, profile);
            let (n, p) = check_world(backend, &world, seed, 25, 10, &[]).await;
            checked += n;
            problems.extend(p);
        }
    }
    for (size, profile, seed, actions) in [
        (Size::S, Profile::Basespace, 1, 30),
        (Size::S, Profile::Direct, 2, 30),
        (Size::M, Profile::Basespace, 3, 12),
        (Size::M, Profile::Direct, 4, 8),
    ] {
        let world = generate::sized(size, profile, seed);
        let (n, p) = check_world(backend, &world, seed, actions, 10, &[]).await;
        checked += n;
        problems.extend(p);
    }
    for p in problems.iter().take(20) {
        eprintln!("{p}");
    }
    println!(
        "slice checks on {backend:?}: {} passed, {} failed",
        checked - problems.len(),
        problems.len()
    );
    assert!(problems.is_empty());
}

on_both!(slice_equals_whole_world, slices_are_exact);

/// The membership actions a group dialog for `actor` on `group` may
/// preview: adding each of `candidates`, removing each direct member, the
/// actor leaving, and a batch of an addition and a removal.
fn membership_actions(
    world: &World,
    group: &str,
    actor: &str,
    candidates: &[String],
) -> Vec<Action> {
    let members = world
        .principals
        .iter()
        .find(|p| p.id == group)
        .map(|p| p.members.clone())
        .unwrap_or_default();
    let add = |principal: &String| Action::AddMember {
        actor: actor.to_string(),
        group: group.to_string(),
        principal: principal.clone(),
    };
    let remove = |principal: &String| Action::RemoveMember {
        actor: actor.to_string(),
        group: group.to_string(),
        principal: principal.clone(),
    };
    let mut out: Vec<Action> = candidates.iter().map(add).collect();
    out.extend(members.iter().map(remove));
    out.push(remove(&actor.to_string()));
    if let (Some(x), Some(m)) = (candidates.first(), members.first()) {
        out.push(Action::Batch {
            actor: actor.to_string(),
            actions: vec![add(x), remove(m)],
        });
    }
    out
}

/// Checks the group context of every group of `world`: for its admins, a
/// person member and a random person, each membership action previewed
/// on the context's slice against the whole world.
async fn check_group_world(backend: Backend, world: &World, seed: u64) -> (usize, Vec<String>) {
    let app = TestApp::new(backend, world.profile).await;
    custody_server::import::import_world(&app.state.db, world)
        .await
        .unwrap();
    let whole = Engine::new(world.clone()).unwrap();
    let mut rng = Rng::new(seed);
    let people = persons(world);
    let everyone: Vec<String> = world.principals.iter().map(|p| p.id.clone()).collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for g in world
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
    {
        let mut actors = g.admins.clone();
        if let Some(m) = g.members.iter().find(|m| people.contains(m)) {
            actors.push(m.clone());
        }
        actors.push(pick(&mut rng, &people));
        actors.sort();
        actors.dedup();
        for actor in actors {
            let candidates: Vec<String> = (0..3).map(|_| pick(&mut rng, &everyone)).collect();
            let mut named = candidates.clone();
            named.push(actor.clone());
            named.push(g.id.clone());
            let mut conn = app.state.db.pool.acquire().await.unwrap();
            let sliced = slice::load(&mut conn, world.profile, &group_scope(&g.id, named))
                .await
                .unwrap();
            drop(conn);
            let part = match Engine::new(sliced) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(format!("group {}: the slice is not valid: {e}", g.id));
                    continue;
                }
            };
            for action in membership_actions(world, &g.id, &actor, &candidates) {
                checked += 1;
                let expected = normalized(&api::preview(&whole, &action));
                let got = normalized(&api::preview(&part, &action));
                if expected != got {
                    problems.push(format!(
                        "{}: group slice preview differs\n  whole: {}\n  slice: {}",
                        serde_json::to_string(&action).unwrap(),
                        serde_json::to_string(&expected).unwrap(),
                        serde_json::to_string(&got).unwrap()
                    ));
                }
                let digests = (
                    whole.preview(&action).map(|p| p.digest()).ok(),
                    part.preview(&action).map(|p| p.digest()).ok(),
                );
                if digests.0 != digests.1 {
                    problems.push(format!("{action:?}: digests differ {digests:?}"));
                }
            }
        }
    }
    app.finish().await;
    (checked, problems)
}

/// `world` with an admin for every group that has none, so that the
/// membership changes are not all refused.
fn with_admins(mut world: World, seed: u64) -> World {
    let people = persons(&world);
    let mut rng = Rng::new(seed ^ 0x9e37);
    for p in world.principals.iter_mut() {
        if p.kind == PrincipalKind::Group && p.admins.is_empty() {
            p.admins = vec![pick(&mut rng, &people)];
        }
    }
    world
}

async fn group_slices_are_exact(backend: Backend) {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut worlds = Vec::new();
    for e in std::fs::read_dir(root.join("../shared/spec/scenarios/groups"))
        .unwrap()
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let s = custody_policy::scenario::Scenario::parse(&text).unwrap();
        let world: World = serde_json::from_value(s.world).unwrap();
        if custody_policy::validate_world(&world).is_ok() {
            worlds.push(world);
        }
    }
    let scenarios = worlds.len();
    assert!(scenarios >= 10, "the groups scenarios were not found");
    for seed in 0..6 {
        for profile in [Profile::Basespace, Profile::Direct] {
            worlds.push(with_admins(generate::small(seed, profile), seed));
        }
    }
    worlds.push(generate::irregular(Size::S, Profile::Basespace, 5));
    worlds.push(generate::sized(Size::S, Profile::Direct, 6));
    let mut checked = 0;
    let mut problems = Vec::new();
    for (i, world) in worlds.iter().enumerate() {
        let (n, p) = check_group_world(backend, world, i as u64).await;
        checked += n;
        problems.extend(p);
    }
    for p in problems.iter().take(20) {
        eprintln!("{p}");
    }
    println!(
        "group slice checks on {backend:?} ({scenarios} scenario worlds, {} generated): {} passed, {} failed",
        worlds.len() - scenarios,
        checked - problems.len(),
        problems.len()
    );
    assert!(problems.is_empty());
}

on_both!(group_slice_equals_whole_world, group_slices_are_exact);

/// One random change to the rows the slice query reads, of any kind, made
/// straight in the database (a change may fail on a constraint: then it
/// changes nothing, which the check below covers as well).
fn random_change(rng: &mut Rng, world: &World, n: usize) -> String {
    let everyone: Vec<String> = world.principals.iter().map(|p| p.id.clone()).collect();
    let people = persons(world);
    let groups: Vec<String> = world
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
        .map(|p| p.id.clone())
        .collect();
    let of_kind = |kinds: &[ResourceKind]| -> Vec<String> {
        world
            .resources
            .iter()
            .filter(|r| kinds.contains(&r.kind))
            .map(|r| r.id.clone())
            .collect()
    };
    let resources = of_kind(&ResourceKind::ALL);
    let projects = of_kind(&[ResourceKind::Project]);
    let runs = of_kind(&[ResourceKind::Run]);
    let parents = of_kind(&[ResourceKind::Run, ResourceKind::Dataset]);
    let biosamples = of_kind(&[ResourceKind::Biosample]);
    let recipients: Vec<String> = world.transfers.iter().map(|t| t.to.clone()).collect();
    let transfers: Vec<String> = world.transfers.iter().map(|t| t.id.clone()).collect();
    let (r, p, g) = (
        pick(rng, &resources),
        pick(rng, &everyone),
        pick(rng, &groups),
    );
    match rng.below(21) {
        0 => format!(
            "INSERT INTO grants (resource_id, principal_id, level) VALUES ('{r}', '{p}', 'read')"
        ),
        1 => format!("DELETE FROM grants WHERE resource_id = '{r}' OR principal_id = '{p}'"),
        2 => format!("UPDATE grants SET level = 'write' WHERE resource_id = '{r}'"),
        3 => format!("INSERT INTO group_members (group_id, member_id) VALUES ('{g}', '{p}')"),
        4 => format!("DELETE FROM group_members WHERE group_id = '{g}' OR member_id = '{p}'"),
        5 => format!(
            "INSERT INTO group_admins (group_id, admin_id) VALUES ('{g}', '{}')",
            pick(rng, &people)
        ),
        6 => format!(
            "INSERT INTO resource_projects (resource_id, project_id) VALUES ('{r}', '{}')",
            pick(rng, &projects)
        ),
        7 => format!("DELETE FROM resource_projects WHERE resource_id = '{r}'"),
        8 => format!(
            "INSERT INTO run_biosamples (run_id, biosample_id) VALUES ('{}', '{}')",
            pick(rng, &runs),
            pick(rng, &biosamples)
        ),
        9 => format!(
            "INSERT INTO resources (id, kind, owner_id, parent_id, format, created_at) VALUES ('new-file-{n}', 'file', '{}', '{}', 'fastq', 0)",
            pick(rng, &people),
            pick(rng, &parents)
        ),
        10 => format!(
            "UPDATE resources SET owner_id = '{}' WHERE id = '{r}'",
            pick(rng, &people)
        ),
        11 => format!("UPDATE resources SET name = 'renamed {n}' WHERE id = '{r}'"),
        // A file moved to another run or dataset (`f:` keys): a kept slice
        // holding the files of one of them is patched.
        16 => format!(
            "UPDATE resources SET parent_id = '{}' WHERE parent_id IS NOT NULL AND id = (SELECT id FROM resources WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET {})",
            pick(rng, &parents),
            n % 5
        ),
        // Files arriving, moving and leaving with grants of their own
        // (`f:` keys: the kept slices holding their runs are patched).
        17 => format!(
            "INSERT INTO grants (resource_id, principal_id, level) SELECT id, '{p}', 'read' FROM resources WHERE id LIKE 'new-file-%' ORDER BY id DESC LIMIT 1"
        ),
        18 => format!(
            "UPDATE resources SET parent_id = '{}' WHERE id = (SELECT id FROM resources WHERE id LIKE 'new-file-%' ORDER BY id LIMIT 1 OFFSET {})",
            pick(rng, &parents),
            n % 3
        ),
        19 => "DELETE FROM resources WHERE id = (SELECT id FROM resources WHERE id LIKE 'new-file-%' AND id NOT IN (SELECT resource_id FROM grants) AND id NOT IN (SELECT resource_id FROM transfers) ORDER BY id LIMIT 1)".to_string(),
        20 => format!(
            "DELETE FROM resources WHERE kind = 'file' AND id = '{r}' AND id NOT IN (SELECT resource_id FROM grants) AND id NOT IN (SELECT resource_id FROM transfers)"
        ),
        // Accounts the scopes name before they exist, one with an email
        // that a scope names and others with a transfer recipient's.
        12 => {
            let email = if rng.chance(30) {
                "Fresh@New.example".to_string()
            } else {
                pick(rng, &recipients)
            };
            format!(
                "INSERT INTO principals (id, kind, email, email_norm, created_at) VALUES ('new-user-{}', 'user', '{email}', lower('{email}'), 0)",
                n % 4
            )
        }
        13 => format!(
            "UPDATE principals SET data_owner = 1 - data_owner, name = 'renamed {n}' WHERE id = '{p}'"
        ),
        14 => format!(
            "UPDATE transfers SET status = CASE WHEN status = 'pending' THEN 'canceled' ELSE 'pending' END WHERE id = '{}'",
            pick(rng, &transfers)
        ),
        _ => format!(
            "INSERT INTO transfers (id, resource_id, from_id, to_email, to_email_norm, status, created_at) VALUES ('new-transfer-{n}', '{r}', '{p}', 'x{n}@new.example', 'x{n}@new.example', 'pending', 0)"
        ),
    }
}

/// Kept slices follow the world: slices of every kind of scope are read
/// through the cache (which keeps them all in these tests), the world is
/// changed at random, and each slice read again through the cache equals
/// the slice read fresh from the database. Returns how the reads were
/// answered.
async fn check_kept(backend: Backend, world: &World, seed: u64) -> Counts {
    let app = TestApp::new(backend, world.profile).await;
    custody_server::import::import_world(&app.state.db, world)
        .await
        .unwrap();
    let mut rng = Rng::new(seed);
    let people = persons(world);
    let mut scopes: Vec<Scope> = (0..6)
        .map(|_| scope_of(&random_action(&mut rng, world)))
        .collect();
    for _ in 0..3 {
        let person = pick(&mut rng, &people);
        let resource = world.resources[rng.below(world.resources.len())].id.clone();
        scopes.push(Scope {
            resources: vec![resource.clone()],
            principals: vec![person.clone()],
            ..Scope::default()
        });
        scopes.push(Scope {
            resources: vec![resource],
            principals: vec![person.clone()],
            viewer: Some(person),
            ..Scope::default()
        });
    }
    for t in world
        .transfers
        .iter()
        .filter(|t| t.status == TransferStatus::Pending)
        .take(2)
    {
        scopes.push(Scope {
            resources: vec![t.resource.clone()],
            transfers: vec![t.id.clone()],
            down: true,
            ..Scope::default()
        });
    }
    scopes.push(Scope {
        resources: vec![world.resources[rng.below(world.resources.len())].id.clone()],
        principals: vec!["new-user-1".into()],
        emails: vec!["fresh@new.example".into()],
        down: true,
        ..Scope::default()
    });
    for group in world
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Group)
        .take(2)
    {
        scopes.push(group_scope(&group.id, vec![pick(&mut rng, &people)]));
    }
    let profile = world.profile;
    let read = |scope: Scope| {
        let app = &app;
        async move {
            let mut tx = app.state.db.read().await.unwrap();
            let kept = app
                .state
                .contexts
                .slice(&mut tx, profile, &scope)
                .await
                .unwrap();
            let fresh = slice::load(&mut tx, profile, &scope).await.unwrap();
            tx.commit().await.unwrap();
            (kept, fresh)
        }
    };
    for scope in &scopes {
        read(scope.clone()).await;
    }
    let mut counts = Counts::default();
    // Besides the random changes, a transfer is sent to an address no one
    // has yet, and later an account opens with it: the slices holding the
    // transfer then hold its recipient.
    let sent_on = scopes[0].resources.first().cloned().unwrap_or_default();
    for n in 0..40 {
        let sql = match n {
            20 => format!(
                "INSERT INTO transfers (id, resource_id, from_id, to_email, to_email_norm, status, created_at) VALUES ('later', '{sent_on}', '{}', 'Later@New.example', 'later@new.example', 'pending', 0)",
                people[0]
            ),
            30 => "INSERT INTO principals (id, kind, email, email_norm, created_at) VALUES ('later-user', 'user', 'Later@New.example', 'later@new.example', 0)".to_string(),
            _ => random_change(&mut rng, world, n),
        };
        let _ = sqlx::query(&sql).execute(&app.state.db.pool).await;
        // Each round, one scope also names someone new, as a dialog adding
        // a person does: its first read can be patched from the slice kept
        // for the scope it came from.
        let base = &scopes[rng.below(scopes.len())];
        let mut added = base.clone();
        added.principals.push(pick(&mut rng, &people));
        if n % 3 == 0 {
            added.emails.push(format!("someone{n}@new.example"));
        }
        let before = app.state.contexts.counts();
        for scope in scopes.iter().chain([&added]) {
            let (kept, fresh) = read(scope.clone()).await;
            assert_eq!(
                kept.json.get(),
                custody_server::context_cache::WrittenWorld::new(&fresh)
                    .unwrap()
                    .json
                    .get(),
                "after `{sql}`, the kept slice of {scope:?} differs from the database's"
            );
        }
        counts.add(before, app.state.contexts.counts());
        // The writer of a confirmation reads its slice through the cache
        // in its own transaction, after its own changes: what it reads is
        // the database's, and nothing it reads is kept (the reads above,
        // after the rollback, would differ).
        let mut w = app.state.db.write().await.unwrap();
        let own = random_change(&mut rng, world, 100 + n);
        sqlx::query("SAVEPOINT own")
            .execute(&mut *w.tx)
            .await
            .unwrap();
        if sqlx::query(&own).execute(&mut *w.tx).await.is_err() {
            sqlx::query("ROLLBACK TO SAVEPOINT own")
                .execute(&mut *w.tx)
                .await
                .unwrap();
        }
        for scope in scopes.iter().chain([&added]) {
            let written = |world: &World| {
                custody_server::context_cache::WrittenWorld::new(world)
                    .unwrap()
                    .json
                    .get()
                    .to_string()
            };
            let through_cache = app
                .state
                .contexts
                .world_for_writer(&mut w.tx, profile, scope)
                .await
                .unwrap();
            let fresh = slice::load(&mut w.tx, profile, scope).await.unwrap();
            assert_eq!(
                written(&through_cache),
                written(&fresh),
                "the writer's slice of {scope:?}, after `{sql}` and its own `{own}`, differs from the database's"
            );
        }
        w.tx.rollback().await.unwrap();
    }
    app.finish().await;
    counts
}

/// How the reads of kept slices were answered, over the rounds of
/// `check_kept`.
#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    checks: u64,
    served: u64,
    patched: u64,
    from_sibling: u64,
    read: u64,
}

impl Counts {
    /// Adds the look-ups between two readings of the cache's counts.
    fn add(&mut self, before: CacheCounts, after: CacheCounts) {
        let (served, patched, from_sibling, read) = (
            after.served - before.served,
            after.patched - before.patched,
            after.from_sibling - before.from_sibling,
            after.read - before.read,
        );
        self.checks += served + patched + from_sibling + read;
        self.served += served;
        self.patched += patched;
        self.from_sibling += from_sibling;
        self.read += read;
    }

    fn sum(self, other: Counts) -> Counts {
        Counts {
            checks: self.checks + other.checks,
            served: self.served + other.served,
            patched: self.patched + other.patched,
            from_sibling: self.from_sibling + other.from_sibling,
            read: self.read + other.read,
        }
    }
}

async fn kept_slices_are_exact(backend: Backend) {
    let mut totals = Counts::default();
    for seed in 0..6 {
        for profile in [Profile::Basespace, Profile::Direct] {
            let world = generate::small(seed, profile);
            totals = totals.sum(check_kept(backend, &world, seed).await);
        }
    }
    totals =
        totals.sum(check_kept(backend, &generate::sized(Size::S, Profile::Basespace, 5), 5).await);
    let Counts {
        checks,
        served,
        patched,
        from_sibling,
        read,
    } = totals;
    println!(
        "kept slices on {backend:?}: {checks} checked after a change, {served} served as kept, {patched} patched, {from_sibling} patched from a sibling, {read} read again"
    );
    assert!(
        served > checks / 10
            && patched > checks / 20
            && from_sibling > checks / 100
            && read > checks / 20,
        "every path is taken: {totals:?}"
    );
}

on_both!(kept_slice_equals_the_database, kept_slices_are_exact);
