//! Notifications: stored per person, marked read, and pushed live over
//! server-sent events.
//!
//! A notification is written in the transaction of the action that causes
//! it. On PostgreSQL the same transaction calls `pg_notify`, which
//! PostgreSQL delivers at commit to every server instance listening
//! (`listen`), so a person connected to any instance sees it. On SQLite
//! (one instance) the action publishes to the in-process bus after commit.

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use custody_api::{MarkRead, Notification, NotificationKind, NotificationList};
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;
use crate::auth::{Viewer, Writer};
use crate::db::{Backend, Db, Tx, inserted_ids, now_ms, values_placeholders};
use crate::error::{AppError, AppResult};
use crate::extract::Body;

/// The PostgreSQL channel that carries new notifications between instances.
pub const CHANNEL: &str = "custody_notifications";

/// This process's fan-out of new notifications to its SSE streams.
#[derive(Clone)]
pub struct Bus(broadcast::Sender<Addressed>);

/// A notification and the person it is for.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Addressed {
    pub to: String,
    pub notification: Notification,
}

impl Bus {
    pub fn new() -> Bus {
        Bus(broadcast::channel(1024).0)
    }

    pub fn publish(&self, note: Addressed) {
        // No receiver is fine: nobody is connected.
        let _ = self.0.send(note);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Addressed> {
        self.0.subscribe()
    }
}

impl Default for Bus {
    fn default() -> Self {
        Bus::new()
    }
}

/// A notification to write.
#[derive(Debug, Clone)]
pub struct Draft {
    pub to: String,
    pub kind: NotificationKind,
    pub actor: String,
    pub resource: Option<String>,
    pub transfer: Option<String>,
    /// For a membership change: the group.
    pub group: Option<String>,
    pub text: String,
}

/// How many rows one statement inserts (eight values each: within both
/// databases' limits on a statement's parameters).
const ROWS_PER_STATEMENT: usize = 500;

/// Writes `drafts` in `tx`, a few hundred per statement (and, on
/// PostgreSQL, queues their delivery at commit). Returns them, in order,
/// for publishing after commit on SQLite.
pub async fn insert_all(
    tx: &mut Tx,
    backend: Backend,
    drafts: &[Draft],
) -> AppResult<Vec<Addressed>> {
    let now = now_ms();
    let mut out = Vec::with_capacity(drafts.len());
    for chunk in drafts.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO notifications (principal_id, kind, actor_id, resource_id, transfer_id, group_id, text, created_at)
             VALUES {} RETURNING id",
            values_placeholders(chunk.len(), 8, 1)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql);
        for draft in chunk {
            query = query
                .bind(&draft.to)
                .bind(draft.kind.as_str())
                .bind(&draft.actor)
                .bind(draft.resource.clone())
                .bind(draft.transfer.clone())
                .bind(draft.group.clone())
                .bind(&draft.text)
                .bind(now);
        }
        let ids = inserted_ids(tx, query, chunk.len(), "notifications").await?;
        out.extend(chunk.iter().zip(ids).map(|(draft, id)| Addressed {
            to: draft.to.clone(),
            notification: Notification {
                id,
                kind: draft.kind,
                actor: draft.actor.clone(),
                resource: draft.resource.clone(),
                transfer: draft.transfer.clone(),
                group: draft.group.clone(),
                text: draft.text.clone(),
                created_at: now,
                read: false,
            },
        }));
    }
    if backend == Backend::Postgres {
        for chunk in out.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT pg_notify($1, v) FROM (VALUES {}) AS payloads (v)",
                values_placeholders(chunk.len(), 1, 2)
            );
            let mut query = sqlx::query(&sql).bind(CHANNEL);
            for note in chunk {
                query = query.bind(serde_json::to_string(note).map_err(AppError::internal)?);
            }
            query.execute(&mut **tx).await?;
        }
    }
    Ok(out)
}

/// On PostgreSQL: relays every instance's notifications to this one's bus,
/// reconnecting after an outage. Does nothing on SQLite.
pub fn listen(db: &Db, bus: Bus) {
    if db.backend != Backend::Postgres {
        return;
    }
    let url = db.url.clone();
    tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %e, "cannot listen for notifications");
                    } else {
                        loop {
                            match listener.recv().await {
                                Ok(msg) => match serde_json::from_str::<Addressed>(msg.payload()) {
                                    Ok(note) => bus.publish(note),
                                    Err(e) => {
                                        tracing::warn!(error = %e, "bad notification payload")
                                    }
                                },
                                Err(e) => {
                                    tracing::warn!(error = %e, "notification listener lost");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot connect the notification listener"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read", post(mark_read))
        .route("/notifications/stream", get(stream))
}

/// `GET /api/notifications`: the latest 100, newest first, and the unread count.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = custody_api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
) -> AppResult<Json<NotificationList>> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, actor_id, resource_id, transfer_id, group_id, text, created_at, read_at
         FROM notifications WHERE principal_id = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(&viewer.id)
    .fetch_all(&state.db.pool)
    .await?;
    let (unread,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE principal_id = $1 AND read_at IS NULL",
    )
    .bind(&viewer.id)
    .fetch_one(&state.db.pool)
    .await?;
    let items = rows
        .into_iter()
        .filter_map(
            |(id, kind, actor, resource, transfer, group, text, created_at, read_at)| {
                Some(Notification {
                    id,
                    kind: NotificationKind::parse(&kind)?,
                    actor,
                    resource,
                    transfer,
                    group,
                    text,
                    created_at,
                    read: read_at.is_some(),
                })
            },
        )
        .collect();
    Ok(Json(NotificationList {
        items,
        unread: u64::try_from(unread).unwrap_or(0),
    }))
}

/// `POST /api/notifications/read`: mark the given ones (or all) read.
#[utoipa::path(post, path = "/api/notifications/read", tag = "notifications", request_body = MarkRead,
    params(("x-csrf-token" = String, Header)),
    responses((status = 204), (status = 401, body = custody_api::ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Body(body): Body<MarkRead>,
) -> AppResult<axum::http::StatusCode> {
    let now = now_ms();
    if body.ids.is_empty() {
        sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE principal_id = $2 AND read_at IS NULL",
        )
        .bind(now)
        .bind(&viewer.id)
        .execute(&state.db.pool)
        .await?;
    } else {
        if body.ids.len() > 1000 {
            return Err(AppError::bad_request(
                "invalid_request",
                "mark at most 1000 notifications at once",
            ));
        }
        for id in body.ids {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE principal_id = $2 AND id = $3 AND read_at IS NULL",
            )
            .bind(now)
            .bind(&viewer.id)
            .bind(id)
            .execute(&state.db.pool)
            .await?;
        }
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `GET /api/notifications/stream`: server-sent events, one `notification`
/// event per new notification for the signed-in person.
#[utoipa::path(get, path = "/api/notifications/stream", tag = "notifications",
    responses((status = 200, description = "text/event-stream of `notification` events carrying a Notification"),
              (status = 401, body = custody_api::ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let me = viewer.id;
    let events = BroadcastStream::new(state.bus.subscribe()).filter_map(move |note| {
        let note = note.ok()?;
        if note.to != me {
            return None;
        }
        let data = serde_json::to_string(&note.notification).ok()?;
        Some(Ok(Event::default().event("notification").data(data)))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// Folds per-resource drafts into one per (person, kind): "alice shared 12
/// resources with you" rather than twelve notifications.
pub fn fold(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut groups: BTreeMap<(String, &'static str), Vec<Draft>> = BTreeMap::new();
    for d in drafts {
        groups
            .entry((d.to.clone(), d.kind.as_str()))
            .or_default()
            .push(d);
    }
    groups
        .into_values()
        .filter_map(|mut list| {
            let count = list.len();
            let mut first = list.drain(..1).next()?;
            if count > 1 {
                first.text = format!("{} (and {} more)", first.text, count - 1);
            }
            Some(first)
        })
        .collect()
}
