//! Reading resources: the lists a person can see, one resource with what
//! it holds, who has access (with reasons), and the access context the
//! share and transfer dialogs preview on.
//!
//! What a person can see is decided by custody-policy: SQL only narrows
//! the candidates (a container's contents, or else what the person owns,
//! what is shared with them or their groups, what those hold), then each
//! candidate's effective access is computed on the person's own slice
//! (`Scope::viewer`). A resource the person cannot see answers exactly
//! like one that does not exist (404).

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use custody_api::{
    AccessContext, KindTotal, ResourceDetail, ResourceItem, ResourcePage, WhoHasAccess,
};
use custody_policy::{Engine, Level, Profile, ResourceKind, TransferStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::actions::{context_json, may_share};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::slice::{self, Scope, resource_kind};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(list))
        .route("/resources/{id}", get(detail))
        .route("/resources/{id}/access", get(who_has_access))
        .route("/resources/{id}/context", get(context))
}

/// The most items of one page.
const MAX_LIMIT: u64 = 500;
/// Candidates per slice when checking visibility.
const CHUNK: usize = 400;

/// What an engine on a resource's up-slice must answer for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answers {
    /// The viewer's own access only (`Scope::viewer`).
    OwnAccess,
    /// Everyone's access: who has access, and why.
    Everyone,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this kind (`project`, `run`, ...).
    pub kind: Option<String>,
    /// Text in the name or id (case-insensitive).
    pub q: Option<String>,
    /// Only what this resource holds: a project's associated resources, a
    /// run's or dataset's files, a run's biosamples.
    pub within: Option<String>,
    pub offset: Option<u64>,
    /// At most 500; default 50.
    pub limit: Option<u64>,
}

/// `GET /api/resources`: what the signed-in person can see, paged.
#[utoipa::path(get, path = "/api/resources", tag = "resources", params(ListQuery),
    responses((status = 200, body = ResourcePage), (status = 400, body = custody_api::ErrorBody),
              (status = 401, body = custody_api::ErrorBody),
              (status = 404, body = custody_api::ErrorBody, description = "`within` names no resource the viewer can see")))]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<ResourcePage>> {
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    // Listing what a container holds needs the container in sight: else
    // its contents that the viewer sees by other paths would tell that it
    // exists (and what it holds), unlike an id that does not.
    if let Some(within) = &query.within {
        reachable(&state, &viewer.id, within, Level::Names, Answers::OwnAccess).await?;
    }
    let items = visible(&state, &viewer.id, &query).await?;
    let total = items.len() as u64;
    let items = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    Ok(Json(ResourcePage {
        items,
        total,
        offset,
        limit,
    }))
}

/// Every resource matching `query` that `me` can see, by name then id.
pub async fn visible(
    state: &AppState,
    me: &str,
    query: &ListQuery,
) -> AppResult<Vec<ResourceItem>> {
    let kind = match &query.kind {
        Some(k) => Some(resource_kind(k).ok_or_else(|| {
            AppError::bad_request("invalid_request", format!("unknown resource kind `{k}`"))
        })?),
        None => None,
    };
    // A container's contents are the candidates as they are (its viewer
    // was checked); elsewhere, what `me` may reach narrows them.
    let mut params: Vec<String> = if query.within.is_some() {
        Vec::new()
    } else {
        vec![me.to_string()]
    };
    let mut filters = Vec::new();
    if let Some(k) = kind {
        params.push(k.as_str().to_string());
        filters.push(format!("r.kind = ${}", params.len()));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        params.push(format!("%{escaped}%"));
        let n = params.len();
        filters.push(format!(
            "(lower(r.name) LIKE ${n} ESCAPE '\\' OR lower(r.id) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(w) = &query.within {
        params.push(w.clone());
        let n = params.len();
        filters.push(format!(
            "r.id IN (SELECT resource_id FROM resource_projects WHERE project_id = ${n}
                      UNION SELECT id FROM resources WHERE parent_id = ${n}
                      UNION SELECT biosample_id FROM run_biosamples WHERE run_id = ${n})"
        ));
    }
    let where_clause = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let sql = if query.within.is_some() {
        format!("SELECT r.id FROM resources r {where_clause}")
    } else {
        let all_projects = if reads_every_project(state, me).await? {
            "UNION SELECT id FROM resources WHERE kind = 'project'"
        } else {
            ""
        };
        format!(
            "WITH RECURSIVE
             mine(id) AS (SELECT $1 UNION SELECT m.group_id FROM group_members m JOIN mine x ON m.member_id = x.id),
             direct(id) AS (SELECT id FROM resources WHERE owner_id = $1
                 UNION SELECT g.resource_id FROM grants g JOIN mine x ON x.id = g.principal_id
                 {all_projects}),
             held(id) AS (SELECT id FROM direct
                 UNION SELECT rp.resource_id FROM resource_projects rp JOIN direct d ON rp.project_id = d.id),
             reach(id) AS (SELECT id FROM held
                 UNION SELECT f.id FROM resources f JOIN held h ON f.parent_id = h.id
                 UNION SELECT rb.biosample_id FROM run_biosamples rb JOIN held h ON rb.run_id = h.id)
             SELECT r.id FROM resources r JOIN reach x ON x.id = r.id {where_clause}"
        )
    };
    let mut q = sqlx::query_as::<_, (String,)>(&sql);
    for p in &params {
        q = q.bind(p.clone());
    }
    let candidates: Vec<String> = q
        .fetch_all(&state.db.pool)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    let mut out = Vec::new();
    let mut keep = |engine: &Engine, ids: &[String]| {
        let items = Items::of(engine);
        for id in ids {
            if let Some(item) = items.item(me, id)
                && item.access.level >= Level::Names
            {
                out.push(item);
            }
        }
    };
    match &query.within {
        // A large container's contents, on one slice read from its id (a
        // kind of them may be few: those go by pages of their ids).
        Some(within) if candidates.len() > CHUNK => {
            let scope = Scope {
                within: vec![within.clone()],
                ..own_scope(me, &[])
            };
            keep(&engine_on(state, &scope).await?, &candidates);
        }
        _ => {
            for chunk in candidates.chunks(CHUNK) {
                let engine = up_engine(state, me, chunk, Answers::OwnAccess).await?;
                keep(&engine, chunk);
            }
        }
    }
    out.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(out)
}

/// True for a data owner in the `direct` profile (rule 5), whose
/// candidates are every project.
async fn reads_every_project(state: &AppState, me: &str) -> AppResult<bool> {
    if state.settings.profile != Profile::Direct {
        return Ok(false);
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT data_owner FROM principals WHERE id = $1")
        .bind(me)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some_and(|(d,)| d == 1))
}

/// An engine on what the access to `ids` depends on, with `me` in it.
async fn up_engine(
    state: &AppState,
    me: &str,
    ids: &[String],
    answers: Answers,
) -> AppResult<Engine> {
    let scope = match answers {
        Answers::OwnAccess => own_scope(me, ids),
        Answers::Everyone => Scope {
            resources: ids.to_vec(),
            principals: vec![me.to_string()],
            ..Scope::default()
        },
    };
    engine_on(state, &scope).await
}

/// An engine on the slice for `scope`.
async fn engine_on(state: &AppState, scope: &Scope) -> AppResult<Engine> {
    let mut conn = state.db.pool.acquire().await?;
    let world = slice::load(&mut conn, state.settings.profile, scope).await?;
    Ok(Engine::new(world)?)
}

/// What `me`'s own access to `ids` depends on ([`Scope::viewer`]).
fn own_scope(me: &str, ids: &[String]) -> Scope {
    Scope {
        resources: ids.to_vec(),
        principals: vec![me.to_string()],
        viewer: Some(me.to_string()),
        ..Scope::default()
    }
}

/// The resources of an engine's world as lists show them, by id.
struct Items<'e> {
    engine: &'e Engine,
    resources: HashMap<&'e str, &'e custody_policy::Resource>,
    names: HashMap<&'e str, &'e str>,
    pending: HashMap<&'e str, &'e str>,
}

impl<'e> Items<'e> {
    fn of(engine: &'e Engine) -> Items<'e> {
        let world = engine.world();
        Items {
            engine,
            resources: world.resources.iter().map(|r| (r.id.as_str(), r)).collect(),
            names: world
                .principals
                .iter()
                .filter_map(|p| Some((p.id.as_str(), p.name.as_deref()?)))
                .collect(),
            pending: world
                .transfers
                .iter()
                .filter(|t| t.status == TransferStatus::Pending)
                .map(|t| (t.resource.as_str(), t.id.as_str()))
                .collect(),
        }
    }

    /// A resource as a list shows it, with `me`'s effective access.
    fn item(&self, me: &str, id: &str) -> Option<ResourceItem> {
        let r = self.resources.get(id)?;
        let access = self.engine.effective_access(me, id).ok()?.access;
        Some(ResourceItem {
            id: r.id.clone(),
            kind: r.kind,
            name: r.name.clone(),
            owner: r.owner.clone(),
            owner_name: self
                .names
                .get(r.owner.as_str())
                .map_or_else(|| r.owner.clone(), |n| n.to_string()),
            format: r.format.clone(),
            access,
            pending_transfer: self.pending.get(id).map(|t| t.to_string()),
        })
    }
}

/// The engine on the up-slice of `id` and `me`'s access, or 404 when `me`
/// cannot reach `at_least`.
async fn reachable(
    state: &AppState,
    me: &str,
    id: &str,
    at_least: Level,
    answers: Answers,
) -> AppResult<Engine> {
    let engine = up_engine(state, me, &[id.to_string()], answers).await?;
    match engine.effective_access(me, id) {
        Ok(h) if h.access.level >= at_least => Ok(engine),
        _ => Err(AppError::not_found("resource", id)),
    }
}

/// `GET /api/resources/{id}`
#[utoipa::path(get, path = "/api/resources/{id}", tag = "resources",
    params(("id" = String, Path)),
    responses((status = 200, body = ResourceDetail), (status = 404, body = custody_api::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<ResourceDetail>> {
    let me = viewer.id.as_str();
    let engine = reachable(&state, me, &id, Level::Names, Answers::OwnAccess).await?;
    let items = Items::of(&engine);
    let resource = items
        .item(me, &id)
        .ok_or_else(|| AppError::not_found("resource", &id))?;
    let record = engine
        .world()
        .resources
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("resource", &id))?;
    let seen = |other: &str| {
        items
            .item(me, other)
            .filter(|i| i.access.level >= Level::Names)
    };
    let projects = record.projects.iter().filter_map(|p| seen(p)).collect();
    let parent = record.parent.as_deref().and_then(seen);
    let can_share = may_share(&engine, me, &id);
    let held = if matches!(
        resource.kind,
        ResourceKind::Project | ResourceKind::Run | ResourceKind::Dataset
    ) {
        visible(
            &state,
            me,
            &ListQuery {
                within: Some(id.clone()),
                ..ListQuery::default()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let mut counts: BTreeMap<ResourceKind, u64> = BTreeMap::new();
    for item in held {
        *counts.entry(item.kind).or_default() += 1;
    }
    Ok(Json(ResourceDetail {
        resource,
        projects,
        parent,
        contents: counts
            .into_iter()
            .map(|(kind, count)| KindTotal { kind, count })
            .collect(),
        can_share,
    }))
}

/// `GET /api/resources/{id}/access`: everyone with access, and why.
#[utoipa::path(get, path = "/api/resources/{id}/access", tag = "resources",
    params(("id" = String, Path)),
    responses((status = 200, body = WhoHasAccess), (status = 404, body = custody_api::ErrorBody)))]
pub async fn who_has_access(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<WhoHasAccess>> {
    let engine = reachable(&state, &viewer.id, &id, Level::Read, Answers::Everyone).await?;
    Ok(Json(WhoHasAccess {
        holders: engine.who_has_access(&id)?,
        resource: id,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContextQuery {
    /// Extra principal ids (comma-separated): people and groups the dialog
    /// is adding, with what the policy needs about them.
    pub principals: Option<String>,
    /// Extra emails (comma-separated): a transfer's recipient.
    pub emails: Option<String>,
}

/// True when `me` is the recipient of the resource's pending transfer.
fn is_recipient(world: &custody_policy::World, id: &str, me: &str) -> bool {
    let Some(email) = world
        .principals
        .iter()
        .find(|p| p.id == me)
        .and_then(|p| p.email.as_deref())
    else {
        return false;
    };
    let email = custody_policy::normalize_email(email);
    world.transfers.iter().any(|t| {
        t.resource == id
            && t.status == TransferStatus::Pending
            && custody_policy::normalize_email(&t.to) == email
    })
}

fn split_list(text: &Option<String>) -> AppResult<Vec<String>> {
    let list: Vec<String> = text
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if list.len() > 100 {
        return Err(AppError::bad_request(
            "invalid_request",
            "name at most 100 extra principals or emails",
        ));
    }
    Ok(list)
}

/// `GET /api/resources/{id}/context`: the slice of the world that previews
/// any action on the resource, for people who can read it. Tagged
/// (`headers::context_tag`) so that a browser's copy is checked, not sent
/// again.
#[utoipa::path(get, path = "/api/resources/{id}/context", tag = "resources",
    params(("id" = String, Path), ContextQuery),
    responses((status = 200, body = AccessContext),
        (status = 304, description = "unchanged since the context whose `ETag` the request's `If-None-Match` names"),
        (status = 404, body = custody_api::ErrorBody)))]
pub async fn context(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(query): Query<ContextQuery>,
    request: axum::http::HeaderMap,
) -> AppResult<Response> {
    let me = viewer.id.clone();
    let mut principals = split_list(&query.principals)?;
    principals.push(me.clone());
    let scope = Scope {
        resources: vec![id.clone()],
        principals,
        emails: split_list(&query.emails)?,
        down: true,
        ..Scope::default()
    };
    let profile = state.settings.profile;
    let mut tx = state.db.read().await?;
    // The viewer's own access, on their own slice: an engine on the whole
    // context would index a large project's tens of thousands of
    // resources only to answer this.
    let own = slice::load(&mut tx, profile, &own_scope(&me, std::slice::from_ref(&id))).await?;
    let own = Engine::new(own)?;
    let level = own
        .effective_access(&me, &id)
        .map_or(Level::None, |h| h.access.level);
    if level < Level::Read && !is_recipient(own.world(), &id, &me) {
        return Err(AppError::not_found("resource", &id));
    }
    let world = state.contexts.slice(&mut tx, profile, &scope).await?;
    tx.commit().await?;
    let can_share = may_share(&own, &me, &id);
    let tag = crate::headers::context_tag(&world.version, &id, &me, can_share);
    let cached = [
        (header::ETAG, tag.clone()),
        (
            header::CACHE_CONTROL,
            crate::headers::REVALIDATE.to_string(),
        ),
    ];
    if crate::headers::none_match(&request, &tag) {
        return Ok((axum::http::StatusCode::NOT_MODIFIED, cached).into_response());
    }
    let body = context_json(&world, &id, &me, can_share).map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], cached, body).into_response())
}
