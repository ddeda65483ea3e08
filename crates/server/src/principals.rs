//! The type-ahead of the share dialog: people, service accounts and groups
//! by name, email or id.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use custody_api::PrincipalHit;
use custody_policy::PrincipalKind;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::extract::Query;

pub fn router() -> Router<AppState> {
    Router::new().route("/principals", get(search))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Text in the name, email or id (case-insensitive).
    pub q: Option<String>,
    /// At most 50; default 20.
    pub limit: Option<u64>,
}

/// `GET /api/principals?q=`: candidates to share with.
#[utoipa::path(get, path = "/api/principals", tag = "principals", params(SearchQuery),
    responses((status = 200, body = Vec<PrincipalHit>), (status = 401, body = custody_api::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    _viewer: Viewer,
    Query(query): Query<SearchQuery>,
) -> AppResult<Json<Vec<PrincipalHit>>> {
    let text = query.q.unwrap_or_default().trim().to_lowercase();
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let limit = i64::try_from(query.limit.unwrap_or(20).clamp(1, 50)).unwrap_or(20);
    type Row = (String, String, Option<String>, Option<String>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.kind, p.name, p.email,
                (SELECT COUNT(*) FROM group_members m WHERE m.group_id = p.id)
         FROM principals p
         WHERE lower(p.id) LIKE $1 ESCAPE '\\' OR lower(p.name) LIKE $1 ESCAPE '\\'
               OR p.email_norm LIKE $1 ESCAPE '\\'
         ORDER BY COALESCE(p.name, p.id), p.id LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, kind, name, email, members)| {
                let kind = match kind.as_str() {
                    "group" => PrincipalKind::Group,
                    "service_account" => PrincipalKind::ServiceAccount,
                    _ => PrincipalKind::User,
                };
                PrincipalHit {
                    id,
                    kind,
                    name,
                    email,
                    members: (kind == PrincipalKind::Group)
                        .then(|| u64::try_from(members).unwrap_or(0)),
                }
            })
            .collect(),
    ))
}
