//! Workgroups: the groups a person administers or belongs to, one group
//! with its members and admins, and the group context that the members
//! dialog previews on. Membership changes themselves (`add_member`,
//! `remove_member`) are confirmed through `POST /api/actions`, like every
//! other action.
//!
//! A group is visible to its members (directly or through nested groups)
//! and to its admins; to anyone else it answers 404, exactly like a
//! missing id, so that the groups of other teams are not listed by probing.
//! (The type-ahead of the share dialog still finds groups by name: one
//! must be able to share with a group one is not in.)

use std::collections::BTreeSet;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use custody_api::{GroupContext, GroupDetail, GroupItem, GroupList, PrincipalHit};
use custody_policy::{PrincipalKind, World};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::slice::{self, Scope};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list))
        .route("/groups/{id}", get(detail))
        .route("/groups/{id}/context", get(context))
}

/// The most principals a context request may name.
const MAX_NAMED: usize = 100;

/// `GET /api/groups`: the groups the signed-in person administers or
/// belongs to (directly or through nesting), sorted by id.
#[utoipa::path(get, path = "/api/groups", tag = "groups",
    responses((status = 200, body = GroupList), (status = 401, body = custody_api::ErrorBody)))]
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> AppResult<Json<GroupList>> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "WITH RECURSIVE mine(id) AS (SELECT group_id FROM group_members WHERE member_id = $1
             UNION SELECT m.group_id FROM mine x JOIN group_members m ON m.member_id = x.id)
         SELECT id FROM mine UNION SELECT group_id FROM group_admins WHERE admin_id = $1
         ORDER BY 1",
    )
    .bind(&viewer.id)
    .fetch_all(&state.db.pool)
    .await?;
    // One small query per group: a person is in a handful of groups.
    let mut items = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(item) = item_of(&state, &viewer.id, &id).await? {
            items.push(item);
        }
    }
    Ok(Json(GroupList { items }))
}

/// The group `id` as `me` sees it, or `None` when it is not a group or
/// `me` is neither a member (direct or nested) nor an admin of it.
async fn item_of(state: &AppState, me: &str, id: &str) -> AppResult<Option<GroupItem>> {
    type Row = (String, Option<String>, i64, i64, i64, i64);
    let row: Option<Row> = sqlx::query_as(
        "WITH RECURSIVE reach(id) AS (SELECT member_id FROM group_members WHERE group_id = $1
             UNION SELECT m.member_id FROM reach r JOIN group_members m ON m.group_id = r.id)
         SELECT p.id, p.name,
             (SELECT COUNT(*) FROM group_members m WHERE m.group_id = p.id),
             (SELECT COUNT(*) FROM reach r JOIN principals q ON q.id = r.id WHERE q.kind <> 'group'),
             (SELECT COUNT(*) FROM group_admins a WHERE a.group_id = p.id AND a.admin_id = $2),
             (SELECT COUNT(*) FROM reach r WHERE r.id = $2)
         FROM principals p WHERE p.id = $1 AND p.kind = 'group'",
    )
    .bind(id)
    .bind(me)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((id, name, members, people, admin, member)) = row else {
        return Ok(None);
    };
    let (admin, member) = (admin > 0, member > 0);
    if !admin && !member {
        return Ok(None);
    }
    Ok(Some(GroupItem {
        id,
        name,
        members: u64::try_from(members).unwrap_or(0),
        people: u64::try_from(people).unwrap_or(0),
        admin,
        member,
    }))
}

/// `GET /api/groups/{id}`: one group, its direct members and its admins.
#[utoipa::path(get, path = "/api/groups/{id}", tag = "groups",
    params(("id" = String, Path)),
    responses((status = 200, body = GroupDetail), (status = 401, body = custody_api::ErrorBody),
        (status = 404, body = custody_api::ErrorBody, description = "no such group, or not visible to you")))]
pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<GroupDetail>> {
    let group = item_of(&state, &viewer.id, &id)
        .await?
        .ok_or_else(|| AppError::not_found("group", &id))?;
    type Row = (String, String, String, Option<String>, Option<String>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT 'm', p.id, p.kind, p.name, p.email,
                (SELECT COUNT(*) FROM group_members x WHERE x.group_id = p.id)
             FROM group_members m JOIN principals p ON p.id = m.member_id WHERE m.group_id = $1
         UNION ALL SELECT 'a', p.id, p.kind, p.name, p.email, 0
             FROM group_admins a JOIN principals p ON p.id = a.admin_id WHERE a.group_id = $1
         ORDER BY 1, 2",
    )
    .bind(&id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut members = Vec::new();
    let mut admins = Vec::new();
    for (list, id, kind, name, email, count) in rows {
        let kind = match kind.as_str() {
            "group" => PrincipalKind::Group,
            "service_account" => PrincipalKind::ServiceAccount,
            _ => PrincipalKind::User,
        };
        let hit = PrincipalHit {
            id,
            kind,
            name,
            email,
            members: (kind == PrincipalKind::Group).then(|| u64::try_from(count).unwrap_or(0)),
        };
        if list == "m" {
            members.push(hit);
        } else {
            admins.push(hit);
        }
    }
    let can_manage = group.admin;
    Ok(Json(GroupDetail {
        group,
        members,
        admins,
        can_manage,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GroupContextQuery {
    /// Comma-separated ids of the principals the dialog may add (users,
    /// service accounts, groups); at most 100.
    pub principals: Option<String>,
}

/// `GET /api/groups/{id}/context?principals=a,b`: the slice of the world
/// that previews any membership change of the group.
#[utoipa::path(get, path = "/api/groups/{id}/context", tag = "groups",
    params(("id" = String, Path), GroupContextQuery),
    responses((status = 200, body = GroupContext), (status = 400, body = custody_api::ErrorBody),
        (status = 401, body = custody_api::ErrorBody),
        (status = 404, body = custody_api::ErrorBody, description = "no such group, or not visible to you")))]
pub async fn context(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(query): Query<GroupContextQuery>,
) -> AppResult<Json<GroupContext>> {
    let me = viewer.id.clone();
    let mut principals: Vec<String> = query
        .principals
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if principals.len() > MAX_NAMED {
        return Err(AppError::bad_request(
            "invalid_request",
            "name at most 100 extra principals",
        ));
    }
    principals.push(me.clone());
    principals.push(id.clone());
    let scope = group_scope(&id, principals);
    let mut tx = state.db.read().await?;
    let world = slice::load(&mut tx, state.settings.profile, &scope).await?;
    tx.commit().await?;
    if !sees(&world, &id, &me) {
        return Err(AppError::not_found("group", &id));
    }
    Ok(Json(group_context_of(world, &id, &me)?))
}

/// The slice scope of group `group`'s context, with the principals named.
pub fn group_scope(group: &str, mut principals: Vec<String>) -> Scope {
    principals.sort();
    principals.dedup();
    Scope {
        groups: vec![group.to_string()],
        principals,
        down: true,
        ..Scope::default()
    }
}

/// Whether `me` may see group `group` in `world`: an admin, or a member
/// directly or through nested groups. False when it is not a group.
pub fn sees(world: &World, group: &str, me: &str) -> bool {
    let find = |id: &str| world.principals.iter().find(|p| p.id == id);
    let Some(g) = find(group).filter(|p| p.kind == PrincipalKind::Group) else {
        return false;
    };
    if g.admins.iter().any(|a| a == me) {
        return true;
    }
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = g.members.iter().map(String::as_str).collect();
    while let Some(x) = stack.pop() {
        if x == me {
            return true;
        }
        if seen.insert(x)
            && let Some(p) = find(x)
        {
            stack.extend(p.members.iter().map(String::as_str));
        }
    }
    false
}

/// The group context of `group` on a slice, for `actor`.
pub fn group_context_of(world: World, group: &str, actor: &str) -> AppResult<GroupContext> {
    let version = slice::version(&world);
    // Validated like a resource context: the app previews on it as is.
    let world = custody_policy::Engine::new(world)?.into_world();
    let can_manage = world
        .principals
        .iter()
        .any(|p| p.id == group && p.admins.iter().any(|a| a == actor));
    Ok(GroupContext {
        group: group.to_string(),
        actor: actor.to_string(),
        world,
        version,
        can_manage,
    })
}
