//! Transfers as the inbox, the outbox and the history show them. Incoming
//! invitations match the signed-in person's email, so an account created
//! after the transfer was requested sees it too. Accepting, declining and
//! canceling go through `POST /api/actions`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use custody_api::{TransferItem, TransferList};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::slice::{resource_kind, transfer_status};

pub fn router() -> Router<AppState> {
    Router::new().route("/transfers", get(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TransferQuery {
    /// `incoming` (pending, to my email), `outgoing` (pending, from me) or
    /// `history` (every transfer to or from me; the default).
    #[serde(rename = "box")]
    pub which: Option<String>,
}

/// `GET /api/transfers?box=incoming|outgoing|history`
#[utoipa::path(get, path = "/api/transfers", tag = "transfers", params(TransferQuery),
    responses((status = 200, body = TransferList), (status = 400, body = custody_api::ErrorBody),
              (status = 401, body = custody_api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<TransferQuery>,
) -> AppResult<Json<TransferList>> {
    let condition = match query.which.as_deref().unwrap_or("history") {
        "incoming" => "t.to_email_norm = me.email_norm AND t.status = 'pending'",
        "outgoing" => "t.from_id = me.id AND t.status = 'pending'",
        "history" => "(t.to_email_norm = me.email_norm OR t.from_id = me.id)",
        other => {
            return Err(AppError::bad_request(
                "invalid_request",
                format!("unknown box `{other}`: use incoming, outgoing or history"),
            ));
        }
    };
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
        i64,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT t.id, t.resource_id, r.kind, r.name, t.from_id, f.name, t.to_email, t.message,
                t.status, t.created_at, t.decided_at, t.decided_by
         FROM transfers t
         JOIN principals me ON me.id = $1
         JOIN resources r ON r.id = t.resource_id
         JOIN principals f ON f.id = t.from_id
         WHERE {condition}
         ORDER BY t.created_at DESC, t.id LIMIT 500"
    ))
    .bind(&viewer.id)
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows
        .into_iter()
        .filter_map(
            |(
                id,
                resource,
                kind,
                resource_name,
                from,
                from_name,
                to,
                message,
                status,
                created_at,
                decided_at,
                decided_by,
            )| {
                Some(TransferItem {
                    id,
                    resource,
                    resource_kind: resource_kind(&kind)?,
                    resource_name,
                    from_name: from_name.unwrap_or_else(|| from.clone()),
                    from,
                    to,
                    message,
                    status: transfer_status(&status),
                    created_at,
                    decided_at,
                    decided_by,
                })
            },
        )
        .collect();
    Ok(Json(TransferList { items }))
}
