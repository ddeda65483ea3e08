//! The one typed client of Custody's HTTP API (gloo-net).
//!
//! Every request and answer is a `custody-api` type, the very types the
//! server serialises, so no JSON shape is written twice. Every failure is
//! an [`ApiError`] that says what happened in words ([`ApiError::words`]);
//! a 409 on an action carries the server's fresh context
//! ([`ApiError::Stale`]) so the dialog can preview again.
//!
//! State-changing requests carry the session's CSRF token in the
//! `x-csrf-token` header; the token arrives with the session (`Me`) and is
//! kept here, so components never handle it.

use custody_api::{
    AccessContext, ActionApplied, ActionRequest, CSRF_HEADER, Config, ErrorBody, GroupContext,
    GroupDetail, GroupList, MarkRead, Me, NotificationList, PrincipalHit, ResourceDetail,
    ResourcePage, SignIn, StaleGroupPreview, StalePreview, TransferList, WhoHasAccess,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use std::cell::RefCell;

thread_local! {
    /// The CSRF token of the current session ("-" before sign-in: the
    /// server only asks that sign-in carries the header).
    static CSRF: RefCell<String> = RefCell::new("-".to_string());
}

fn set_csrf(token: &str) {
    CSRF.with(|c| *c.borrow_mut() = token.to_string());
}

fn csrf() -> String {
    CSRF.with(|c| c.borrow().clone())
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached, or the answer could not be read.
    Network(String),
    /// The server answered with an error body.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// 409 on an action: the preview changed; preview again on this.
    Stale(Box<StalePreview>),
}

impl ApiError {
    /// The failure as a sentence for people.
    pub fn words(&self) -> String {
        match self {
            ApiError::Network(detail) => format!(
                "Could not reach the server ({detail}). Check your connection and try again."
            ),
            ApiError::Refused { code, message, .. } => crate::words::error_sentence(code, message),
            ApiError::Stale(_) => "Sharing changed since you opened this dialog.".to_string(),
        }
    }

    /// True when the session is gone and the person must sign in again.
    pub fn signed_out(&self) -> bool {
        matches!(self, ApiError::Refused { status: 401, .. })
    }

    /// True when the server does not show the thing asked for (it does
    /// not exist, or the person may not see it).
    pub fn not_found(&self) -> bool {
        matches!(self, ApiError::Refused { status: 404, .. })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn network(e: gloo_net::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

/// Reads a success body as `T`, or the error body.
async fn read<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    if response.ok() {
        return response.json::<T>().await.map_err(network);
    }
    Err(refusal(response).await)
}

async fn refusal(response: Response) -> ApiError {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Refused {
            status,
            code: body.code,
            message: body.message,
        },
        Err(_) => ApiError::Refused {
            status,
            code: format!("http_{status}"),
            message: format!("the server answered {status} {}", response.status_text()),
        },
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> ApiResult<T> {
    read(Request::get(url).send().await.map_err(network)?).await
}

fn writing(builder: RequestBuilder) -> RequestBuilder {
    builder.header(CSRF_HEADER, &csrf())
}

/// `GET /api/config`
pub async fn config() -> ApiResult<Config> {
    get("/api/config").await
}

/// `GET /api/me`; keeps the session's CSRF token.
pub async fn me() -> ApiResult<Me> {
    let me: Me = get("/api/me").await?;
    set_csrf(&me.csrf_token);
    Ok(me)
}

/// `POST /api/session`
pub async fn sign_in(login: &str, password: &str) -> ApiResult<Me> {
    let body = SignIn {
        login: login.to_string(),
        password: password.to_string(),
    };
    let request = writing(Request::post("/api/session"))
        .json(&body)
        .map_err(network)?;
    let me: Me = read(request.send().await.map_err(network)?).await?;
    set_csrf(&me.csrf_token);
    Ok(me)
}

/// `DELETE /api/session`
pub async fn sign_out() -> ApiResult<()> {
    let response = writing(Request::delete("/api/session"))
        .send()
        .await
        .map_err(network)?;
    set_csrf("-");
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(response).await)
    }
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What a list asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub kind: Option<&'static str>,
    pub q: String,
    pub within: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

impl ListQuery {
    pub fn url(&self) -> String {
        let mut params = Vec::new();
        if let Some(k) = self.kind {
            params.push(format!("kind={k}"));
        }
        if !self.q.trim().is_empty() {
            params.push(format!("q={}", encode(self.q.trim())));
        }
        if let Some(w) = &self.within {
            params.push(format!("within={}", encode(w)));
        }
        params.push(format!("offset={}", self.offset));
        params.push(format!("limit={}", self.limit.max(1)));
        format!("/api/resources?{}", params.join("&"))
    }
}

/// `GET /api/resources`
pub async fn resources(query: &ListQuery) -> ApiResult<ResourcePage> {
    get(&query.url()).await
}

/// `GET /api/resources/{id}`
pub async fn resource(id: &str) -> ApiResult<ResourceDetail> {
    get(&format!("/api/resources/{}", encode(id))).await
}

/// `GET /api/resources/{id}/access`
pub async fn access(id: &str) -> ApiResult<WhoHasAccess> {
    get(&format!("/api/resources/{}/access", encode(id))).await
}

/// `GET /api/resources/{id}/context`: the slice of the world to preview
/// on, with the extra principals a dialog is adding and the emails of a
/// transfer's recipient.
pub async fn context(
    id: &str,
    principals: &[String],
    emails: &[String],
) -> ApiResult<AccessContext> {
    let mut url = format!("/api/resources/{}/context", encode(id));
    let mut params = Vec::new();
    if !principals.is_empty() {
        params.push(format!("principals={}", encode(&principals.join(","))));
    }
    if !emails.is_empty() {
        params.push(format!("emails={}", encode(&emails.join(","))));
    }
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    get(&url).await
}

/// `GET /api/principals?q=`: the type-ahead.
pub async fn principals(q: &str) -> ApiResult<Vec<PrincipalHit>> {
    get(&format!("/api/principals?q={}", encode(q))).await
}

/// `POST /api/actions`. A 409 is [`ApiError::Stale`] with the new context.
pub async fn post_action(request: &ActionRequest) -> ApiResult<ActionApplied> {
    let built = writing(Request::post("/api/actions"))
        .json(request)
        .map_err(network)?;
    let response = built.send().await.map_err(network)?;
    if response.status() == 409 {
        return match response.json::<StalePreview>().await {
            Ok(stale) => Err(ApiError::Stale(Box::new(stale))),
            Err(e) => Err(ApiError::Network(e.to_string())),
        };
    }
    read(response).await
}

/// `GET /api/groups`: the groups the person administers or belongs to.
pub async fn groups() -> ApiResult<GroupList> {
    get("/api/groups").await
}

/// `GET /api/groups/{id}`: its direct members and admins (404 for anyone
/// who is neither a member nor an admin).
pub async fn group(id: &str) -> ApiResult<GroupDetail> {
    get(&format!("/api/groups/{}", encode(id))).await
}

/// `GET /api/groups/{id}/context`: the slice of the world to preview
/// membership changes on, with the principals the members dialog adds
/// (their own memberships decide what they already reach).
pub async fn group_context(id: &str, principals: &[String]) -> ApiResult<GroupContext> {
    get(&group_context_url(id, principals)).await
}

/// The address of a group's context with the principals being added.
pub fn group_context_url(id: &str, principals: &[String]) -> String {
    let mut url = format!("/api/groups/{}/context", encode(id));
    if !principals.is_empty() {
        url.push_str("?principals=");
        url.push_str(&encode(&principals.join(",")));
    }
    url
}

/// Why posting a membership change failed.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupSaveError {
    /// 409: the preview changed; preview again on the group's new context.
    Stale(Box<StaleGroupPreview>),
    Other(ApiError),
}

/// `POST /api/actions` for a membership change (`add_member`,
/// `remove_member`, or a batch of only those). Such an action names no
/// resource, so a 409 carries the group's context
/// ([`GroupSaveError::Stale`]) instead of a resource's.
pub async fn post_group_action(request: &ActionRequest) -> Result<ActionApplied, GroupSaveError> {
    let built = writing(Request::post("/api/actions"))
        .json(request)
        .map_err(|e| GroupSaveError::Other(network(e)))?;
    let response = built
        .send()
        .await
        .map_err(|e| GroupSaveError::Other(network(e)))?;
    if response.status() == 409 {
        return match response.json::<StaleGroupPreview>().await {
            Ok(stale) => Err(GroupSaveError::Stale(Box::new(stale))),
            Err(e) => Err(GroupSaveError::Other(ApiError::Network(e.to_string()))),
        };
    }
    read(response).await.map_err(GroupSaveError::Other)
}

/// `GET /api/transfers?box=incoming|outgoing|history`
pub async fn transfers(which: &str) -> ApiResult<TransferList> {
    get(&format!("/api/transfers?box={which}")).await
}

/// `GET /api/notifications`
pub async fn notifications() -> ApiResult<NotificationList> {
    get("/api/notifications").await
}

/// `POST /api/notifications/read` (no ids: all).
pub async fn mark_read(ids: Vec<i64>) -> ApiResult<()> {
    let response = writing(Request::post("/api/notifications/read"))
        .json(&MarkRead { ids })
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(response).await)
    }
}

/// A fresh idempotency key for one confirmation: time and randomness, so
/// two tabs never share one. Kept for retries of the same confirmation.
pub fn fresh_key() -> String {
    let now = js_sys::Date::now() as u64;
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{now:x}-{a:08x}{b:08x}")
}

/// Milliseconds from the page's clock, for measuring edit-to-preview time.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded() {
        let q = ListQuery {
            kind: Some("project"),
            q: "tumor & co".into(),
            within: None,
            offset: 50,
            limit: 25,
        };
        assert_eq!(
            q.url(),
            "/api/resources?kind=project&q=tumor%20%26%20co&offset=50&limit=25"
        );
    }

    #[test]
    fn group_contexts_name_the_principals_added() {
        assert_eq!(group_context_url("lab-a", &[]), "/api/groups/lab-a/context");
        assert_eq!(
            group_context_url("lab a", &["erin".into(), "core-facility".into()]),
            "/api/groups/lab%20a/context?principals=erin%2Ccore-facility"
        );
    }

    #[test]
    fn errors_say_what_happened() {
        let e = ApiError::Refused {
            status: 403,
            code: "not_permitted".into(),
            message: "only the owner may share".into(),
        };
        assert_eq!(
            e.words(),
            "You are not allowed to do this: only the owner may share."
        );
        assert!(!e.signed_out());
        assert!(
            ApiError::Network("timeout".into())
                .words()
                .contains("Could not reach")
        );
    }
}
