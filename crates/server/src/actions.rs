//! `POST /api/actions`: confirm an action a person previewed.
//!
//! In a write transaction (one per batch of confirmations:
//! `commit_queue.rs`): return the stored answer if the idempotency key was
//! seen; reload the slice the action touches; preview it again with
//! custody-policy; refuse with the policy's code (403/422), or answer 409
//! with a fresh context when the preview's digest differs from the one the
//! person saw (the digest, not the version, decides: a change elsewhere in
//! the slice that does not alter this preview does not block it); else
//! write the rows of `Engine::applied`, the audit record, the
//! notifications and the idempotency record, and commit.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use custody_api::{
    AccessContext, ActionApplied, ActionRequest, NotificationKind, StaleGroupPreview, StalePreview,
};
use custody_policy::{Action, Engine, ErrorCode, PolicyError, World, normalize_email};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Writer;
use crate::context_cache::{ContextCache, WrittenWorld};
use crate::db::{Tx, now_ms};
use crate::error::{AppError, AppResult};
use crate::extract::RawBody;
use crate::notifications::{Draft, fold};
use crate::slice::{self, Scope};
use crate::store::{self, Written};

pub fn router() -> Router<AppState> {
    Router::new().route("/actions", post(post_action))
}

// Only in the OpenAPI document: the handler answers both through
// `AppError`, so the enum is never built.
/// The 409 body of `POST /api/actions`: a `StalePreview` (the resource's
/// context), or, for an action that names no resource (membership
/// changes), a `StaleGroupPreview` (the group's context).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum StaleAnswer {
    Resource(StalePreview),
    Group(StaleGroupPreview),
}

/// `POST /api/actions`
#[utoipa::path(post, path = "/api/actions", tag = "actions", request_body = ActionRequest,
    params(("x-csrf-token" = String, Header)),
    responses(
        (status = 200, body = ActionApplied, description = "applied"),
        (status = 400, body = custody_api::ErrorBody, description = "malformed request"),
        (status = 403, body = custody_api::ErrorBody, description = "not_permitted, not_recipient, escalation, csrf"),
        (status = 409, body = StaleAnswer, description = "the preview changed; preview again on the new context: a StalePreview with the resource's context, or, for an action that names no resource (add_member, remove_member, or a batch of only those), a StaleGroupPreview with the group's"),
        (status = 422, body = custody_api::ErrorBody, description = "refused by the policy (its code)"),
    ))]
pub async fn post_action(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    RawBody(request, raw): RawBody<ActionRequest>,
) -> AppResult<Response> {
    if let Some(field) = unknown_field(&raw["action"], &request.action, "action") {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            format!("unknown field `{field}`: check the action's spelling"),
        ));
    }
    let (status, body) = confirm(&state, &viewer.id, request).await?;
    Ok((status, Json(body)).into_response())
}

/// The first field of an action as sent (`raw`) that the parsed action
/// does not hold (serde ignores unknown fields inside the tagged action):
/// its path, such as `action.actions[1].acess`.
pub fn unknown_field(raw: &serde_json::Value, parsed: &Action, path: &str) -> Option<String> {
    let raw = raw.as_object()?;
    let canonical = serde_json::to_value(parsed).ok()?;
    let known = canonical.as_object()?;
    for (key, value) in raw {
        let optional = matches!(parsed, Action::RequestTransfer { .. }) && key == "message";
        if !known.contains_key(key) && !optional {
            return Some(format!("{path}.{key}"));
        }
        if key == "access"
            && let Some(access) = value.as_object()
            && let Some(k) = access
                .keys()
                .find(|k| k.as_str() != "level" && k.as_str() != "permissions")
        {
            return Some(format!("{path}.access.{k}"));
        }
    }
    if let (Action::Batch { actions, .. }, Some(list)) =
        (parsed, raw.get("actions").and_then(|a| a.as_array()))
    {
        for (i, (inner, raw_inner)) in actions.iter().zip(list).enumerate() {
            if let Some(found) = unknown_field(raw_inner, inner, &format!("{path}.actions[{i}]")) {
                return Some(found);
            }
        }
    }
    None
}

/// Why an action was not applied in its batch.
pub enum Failure {
    /// Refused before anything was written: the batch goes on without it.
    Refused(AppError),
    /// Failed after it began to write, or in the database: the batch's
    /// transaction must be rolled back (`commit_queue.rs`).
    Broken(AppError),
}

impl Failure {
    /// A failure while reading and deciding: the database's errors break
    /// the transaction (PostgreSQL refuses every later statement), the
    /// rest are refusals.
    fn deciding(e: AppError) -> Failure {
        match e {
            AppError::Db(_) => Failure::Broken(e),
            other => Failure::Refused(other),
        }
    }
}

/// Confirms `request` for the signed-in person `me`: the status and body
/// to answer, or the refusal. The checks that need no database come
/// first; the action then waits its turn in the commit queue.
pub async fn confirm(
    state: &AppState,
    me: &str,
    request: ActionRequest,
) -> AppResult<(StatusCode, serde_json::Value)> {
    let key = request.idempotency_key.trim();
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::bad_request(
            "invalid_request",
            "idempotency_key must be 1 to 200 characters",
        ));
    }
    if request.action.actor() != me {
        return Err(AppError::Policy(PolicyError::new(
            ErrorCode::NotPermitted,
            format!(
                "you are signed in as `{me}` and cannot act as `{}`",
                request.action.actor()
            ),
        )));
    }
    let request_hash = {
        let text = serde_json::to_string(&(&request.action, &request.digest))
            .map_err(AppError::internal)?;
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    state
        .commits
        .confirm(me.to_string(), request, request_hash)
        .await
        .map_err(|e| match e {
            AppError::Policy(e) => AppError::Policy(discreet(e)),
            other => other,
        })
}

/// A refusal's message as the actor may read it: the policy's sentence
/// for `not_recipient` names the transfer's recipient, which is not the
/// business of someone it is not addressed to.
fn discreet(mut e: PolicyError) -> PolicyError {
    if e.code == ErrorCode::NotRecipient {
        e.message = "this transfer is not addressed to you".to_string();
    }
    e
}

/// What to load to preview `action`: the resources, transfers,
/// principals, emails and groups it names ([`Action::names`]), with the
/// actors of a batch's inner actions (each must be known), and the groups
/// as principals too (a `group` that is not a group must be found, to be
/// refused with `not_supported` rather than `unknown_principal`).
pub fn scope_of(action: &Action) -> Scope {
    let names = action.names();
    let mut principals = names.principals;
    principals.extend(names.groups.iter().cloned());
    principals.push(action.actor().to_string());
    if let Action::Batch { actions, .. } = action {
        principals.extend(actions.iter().map(|a| a.actor().to_string()));
    }
    principals.sort();
    principals.dedup();
    Scope {
        resources: names.resources,
        transfers: names.transfers,
        principals,
        emails: names.emails,
        groups: names.groups,
        down: true,
        ..Scope::default()
    }
}

/// The first resource an action is about (for the 409's context).
async fn primary_resource(tx: &mut Tx, action: &Action, world: &World) -> AppResult<String> {
    let scope = scope_of(action);
    if let Some(r) = scope.resources.first() {
        return Ok(r.clone());
    }
    if let Some(t) = scope.transfers.first() {
        if let Some(x) = world.transfers.iter().find(|x| &x.id == t) {
            return Ok(x.resource.clone());
        }
        let row: Option<(String,)> =
            sqlx::query_as("SELECT resource_id FROM transfers WHERE id = $1")
                .bind(t)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((r,)) = row {
            return Ok(r);
        }
    }
    Ok(String::new())
}

/// An applied action's audit record, written with the rest of its batch's.
pub struct Audit {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub digest: String,
    pub summary: String,
    pub outcome: String,
}

/// An action applied in a batch's transaction: its rows are written; its
/// audit record and notifications are written with the batch's, and its
/// answer waits for the audit record's id.
pub struct Decided {
    pub audit: Audit,
    pub drafts: Vec<Draft>,
    pub answer: ActionApplied,
}

/// Reads the slice `request` needs in `tx`, previews the action again,
/// and, when the preview is the one the person saw, writes its rows. The
/// idempotency key is the commit queue's business.
pub async fn decide(
    tx: &mut Tx,
    profile: custody_policy::Profile,
    contexts: &ContextCache,
    me: &str,
    request: &ActionRequest,
) -> Result<Decided, Failure> {
    let started = std::time::Instant::now();
    let action = &request.action;
    let world = contexts
        .world_for_writer(&mut *tx, profile, &scope_of(action))
        .await
        .map_err(Failure::Broken)?;
    let loaded = started.elapsed();
    let engine = Engine::new(world).map_err(|e| Failure::deciding(e.into()))?;
    let preview = engine
        .preview(action)
        .map_err(|e| Failure::deciding(e.into()))?;
    let digest = preview.digest();
    if digest != request.digest {
        return Err(Failure::deciding(
            stale(tx, &engine, me, action, digest).await,
        ));
    }
    let changes = preview.len();
    let warnings = preview.warnings().to_vec();
    let summary = summary_of(&preview);
    drop(preview);
    let after = engine
        .applied(action)
        .map_err(|e| Failure::deciding(e.into()))?;
    let previewed = started.elapsed();
    let at = now_ms();
    let written = store::write(tx, engine.world(), &after, me, at)
        .await
        .map_err(Failure::Broken)?;
    let outcome = serde_json::json!({
        "transfer": written.created.as_ref().map(|t| t.id.clone()),
        "settled": written.settled.iter().map(|t| serde_json::json!({"id": t.id, "status": t.status.as_str()})).collect::<Vec<_>>(),
        "owners_changed": written.owners.len(),
        "grants_set": written.granted.len(),
        "grants_removed": written.revoked.len(),
    });
    let action_text =
        serde_json::to_string(action).map_err(|e| Failure::Broken(AppError::internal(e)))?;
    tracing::debug!(?loaded, ?previewed, total = ?started.elapsed(), "action decided");
    Ok(Decided {
        drafts: drafts(engine.world(), action, me, &written),
        answer: ActionApplied {
            audit_id: 0,
            digest: digest.clone(),
            changes,
            warnings,
            transfer: written.created.as_ref().map(|t| t.id.clone()),
        },
        audit: Audit {
            at,
            actor: me.to_string(),
            action: action_text,
            digest,
            summary: summary.to_string(),
            outcome: outcome.to_string(),
        },
    })
}

/// The 409 for a preview that changed since the person saw it: the new
/// digest with the context to preview again on (the group's, for a
/// membership change: the dialog was opened on the group, and the slice
/// loaded for the action holds the group's context).
async fn stale(
    tx: &mut Tx,
    engine: &Engine,
    me: &str,
    action: &Action,
    digest: String,
) -> AppError {
    let world = engine.world().clone();
    let names = action.names();
    if names.resources.is_empty()
        && names.transfers.is_empty()
        && let Some(group) = names.groups.first()
    {
        return match crate::groups::group_context_of(world, group, me) {
            Ok(context) => AppError::StaleGroup(Box::new(StaleGroupPreview {
                code: "stale_preview".to_string(),
                message: "the group changed since you opened this dialog; review the new preview"
                    .to_string(),
                digest,
                context,
            })),
            Err(e) => e,
        };
    }
    let resource = match primary_resource(tx, action, &world).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    let can_share = may_share(engine, me, &resource);
    AppError::Stale(Box::new(StalePreview {
        code: "stale_preview".to_string(),
        message: "sharing changed since you opened this dialog; review the new preview".to_string(),
        digest,
        context: context_of(world, &resource, me, can_share),
    }))
}

/// The audit record's summary of a preview: counts, warnings, and each
/// class of people with a few names.
fn summary_of(preview: &custody_policy::Preview<'_>) -> serde_json::Value {
    let blocks: Vec<serde_json::Value> = preview
        .blocks()
        .into_iter()
        .take(50)
        .map(|b| {
            serde_json::json!({
                "people": b.people.len(),
                "sample": b.people.iter().take(5).collect::<Vec<_>>(),
                "before": b.before,
                "after": b.after,
                "resources": b.resources,
                "kinds": b.kinds,
            })
        })
        .collect();
    serde_json::json!({
        "total": preview.len(),
        "warnings": preview.warnings(),
        "blocks": blocks,
    })
}

/// The access context of `resource` on a slice, for `actor`, who may
/// share it or not (`can_share`, decided on an engine the caller holds).
pub fn context_of(world: World, resource: &str, actor: &str, can_share: bool) -> AccessContext {
    AccessContext {
        resource: resource.to_string(),
        actor: actor.to_string(),
        version: slice::version(&world),
        world,
        can_share,
    }
}

/// [`AccessContext`]'s JSON around a world already written (once, for
/// both its version and the body; a large project's world is megabytes of
/// JSON, which may be kept between reads: `context_cache.rs`).
pub fn context_json(
    world: &WrittenWorld,
    resource: &str,
    actor: &str,
    can_share: bool,
) -> Result<Vec<u8>, serde_json::Error> {
    /// [`AccessContext`] with the world already written.
    #[derive(serde::Serialize)]
    struct Written<'a> {
        resource: &'a str,
        actor: &'a str,
        world: &'a serde_json::value::RawValue,
        version: &'a str,
        can_share: bool,
    }
    serde_json::to_vec(&Written {
        resource,
        actor,
        world: &world.json,
        version: &world.version,
        can_share,
    })
}

/// Whether `actor` may share `resource`: its owner, or in the `direct`
/// profile a holder of the `share` permission. A hint for the dialog; the
/// policy decides when the action is confirmed.
pub fn may_share(engine: &Engine, actor: &str, resource: &str) -> bool {
    engine
        .effective_access(actor, resource)
        .map(|h| {
            h.access.level == custody_policy::Level::Owner
                || (engine.world().profile == custody_policy::Profile::Direct
                    && h.access
                        .permissions
                        .contains(custody_policy::Permission::Share))
        })
        .unwrap_or(false)
}

/// The notifications an applied action sends.
fn drafts(world: &World, action: &Action, me: &str, written: &Written) -> Vec<Draft> {
    let name_of_principal = |id: &str| {
        world
            .principals
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let name_of_resource = |id: &str| {
        world
            .resources
            .iter()
            .find(|r| r.id == id)
            .map(|r| match &r.name {
                Some(n) => format!("{} “{n}”", r.kind),
                None => format!("{} `{id}`", r.kind),
            })
            .unwrap_or_else(|| format!("`{id}`"))
    };
    let account_by_email = |email: &str| {
        let email = normalize_email(email);
        world
            .principals
            .iter()
            .find(|p| p.email.as_deref().map(normalize_email).as_deref() == Some(email.as_str()))
            .map(|p| p.id.clone())
    };
    // The people a grant to `id` reaches: the person, or a group's people.
    let people_of = |id: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![id.to_string()];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x.clone()) {
                continue;
            }
            match world.principals.iter().find(|p| p.id == x) {
                Some(p) if p.kind == custody_policy::PrincipalKind::Group => {
                    stack.extend(p.members.iter().cloned());
                }
                Some(p) => out.push(p.id.clone()),
                None => {}
            }
        }
        out
    };
    let actor = name_of_principal(me);
    let mut out = Vec::new();
    if let Some(t) = &written.created
        && let Some(to) = account_by_email(&t.to)
    {
        out.push(Draft {
            to,
            kind: NotificationKind::TransferOffered,
            actor: me.to_string(),
            resource: Some(t.resource.clone()),
            transfer: Some(t.id.clone()),
            group: None,
            text: format!(
                "{actor} offers you the ownership of {}",
                name_of_resource(&t.resource)
            ),
        });
    }
    for t in &written.settled {
        let (to, kind, verb) = match t.status {
            custody_policy::TransferStatus::Accepted => (
                Some(t.from.clone()),
                NotificationKind::TransferAccepted,
                "accepted",
            ),
            custody_policy::TransferStatus::Declined => (
                Some(t.from.clone()),
                NotificationKind::TransferDeclined,
                "declined",
            ),
            custody_policy::TransferStatus::Canceled => (
                account_by_email(&t.to),
                NotificationKind::TransferCanceled,
                "canceled",
            ),
            custody_policy::TransferStatus::Pending => {
                (None, NotificationKind::TransferOffered, "")
            }
        };
        if let Some(to) = to {
            out.push(Draft {
                to,
                kind,
                actor: me.to_string(),
                resource: Some(t.resource.clone()),
                transfer: Some(t.id.clone()),
                group: None,
                text: format!(
                    "{actor} {verb} the transfer of {}",
                    name_of_resource(&t.resource)
                ),
            });
        }
    }
    let shares = matches!(
        action,
        Action::Share { .. } | Action::Unshare { .. } | Action::Leave { .. } | Action::Batch { .. }
    );
    if shares {
        for (resource, principal, _, access) in &written.granted {
            for person in people_of(principal) {
                out.push(Draft {
                    to: person,
                    kind: NotificationKind::ShareReceived,
                    actor: me.to_string(),
                    resource: Some(resource.clone()),
                    transfer: None,
                    group: None,
                    text: format!(
                        "{actor} shared {} with you ({})",
                        name_of_resource(resource),
                        access
                    ),
                });
            }
        }
        for (resource, principal, _) in &written.revoked {
            for person in people_of(principal) {
                out.push(Draft {
                    to: person,
                    kind: NotificationKind::ShareRemoved,
                    actor: me.to_string(),
                    resource: Some(resource.clone()),
                    transfer: None,
                    group: None,
                    text: format!(
                        "{actor} removed your share of {}",
                        name_of_resource(resource)
                    ),
                });
            }
        }
    }
    if let Action::SetOwner {
        resource,
        principal,
        ..
    } = action
    {
        out.push(Draft {
            to: principal.clone(),
            kind: NotificationKind::OwnershipReceived,
            actor: me.to_string(),
            resource: Some(resource.clone()),
            transfer: None,
            group: None,
            text: format!(
                "{actor} made you the owner of {}",
                name_of_resource(resource)
            ),
        });
    }
    // A membership change notifies the person (user or service account)
    // added or removed directly; the people of a group added or removed
    // get no notification (their access changes show on their pages).
    let kind_of = |id: &str| world.principals.iter().find(|p| p.id == id).map(|p| p.kind);
    let name_of_group = |id: &str| match world
        .principals
        .iter()
        .find(|p| p.id == id)
        .and_then(|p| p.name.clone())
    {
        Some(n) => format!("group “{n}”"),
        None => format!("group `{id}`"),
    };
    for (joined, (group, member)) in written
        .joined
        .iter()
        .map(|x| (true, x))
        .chain(written.left.iter().map(|x| (false, x)))
    {
        if kind_of(member).is_none_or(|k| k == custody_policy::PrincipalKind::Group) {
            continue;
        }
        let (kind, text) = if joined {
            (
                NotificationKind::AddedToGroup,
                format!("{actor} added you to {}", name_of_group(group)),
            )
        } else {
            (
                NotificationKind::RemovedFromGroup,
                format!("{actor} removed you from {}", name_of_group(group)),
            )
        };
        out.push(Draft {
            to: member.clone(),
            kind,
            actor: me.to_string(),
            resource: None,
            transfer: None,
            group: Some(group.clone()),
            text,
        });
    }
    out.retain(|d| d.to != me);
    fold(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body written with the world once reads back as the context
    /// built field by field, version included.
    #[test]
    fn context_json_is_the_context() {
        let world: World = serde_json::from_value(serde_json::json!({
            "profile": "basespace",
            "principals": [{"id": "ann", "kind": "user", "email": "ann@lab.example"},
                           {"id": "lab", "kind": "group", "members": ["ann"]}],
            "resources": [{"id": "P1", "kind": "project", "owner": "ann", "name": "Tumor \"WGS\""},
                          {"id": "R1", "kind": "run", "owner": "ann", "projects": ["P1"]}],
            "grants": [{"resource": "P1", "principal": "lab", "access": "read"}]
        }))
        .expect("a world");
        let written = WrittenWorld::new(&world).expect("written");
        let body = context_json(&written, "P1", "ann", true).expect("written");
        let read: AccessContext = serde_json::from_slice(&body).expect("an access context");
        assert_eq!(read, context_of(world, "P1", "ann", true));
    }
}
