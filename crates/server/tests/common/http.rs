//! An HTTP client for tests that talk to a server listening on 127.0.0.1
//! (in this process, or the real `custody serve` as a child process).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use axum::http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use super::{Session, TestApp};

pub type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// A client of one server.
#[derive(Clone)]
pub struct Http {
    pub client: HttpClient,
    pub base: String,
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Bytes,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// True for `{code, message}` with both strings.
    pub fn is_error_body(&self) -> bool {
        self.body["code"].is_string() && self.body["message"].is_string()
    }
}

/// What a request carries for the CSRF check.
#[derive(Debug, Clone, Copy)]
pub enum Csrf<'a> {
    /// The session's own token (or `1` without a session).
    Session,
    None,
    Value(&'a str),
}

/// Serves the test app on 127.0.0.1 (an ephemeral port) for the test's life.
pub async fn bind(app: &TestApp) -> Http {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let service = app
        .router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, service).await.unwrap();
    });
    Http::new(format!("http://{address}"))
}

impl Http {
    pub fn new(base: String) -> Http {
        Http {
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(64)
                .build_http(),
            base,
        }
    }

    /// Sends a request; `Err` when the connection failed (the server died).
    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        session: Option<&Session>,
        csrf: Csrf<'_>,
        body: Option<(&str, Bytes)>,
    ) -> Result<Reply, String> {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(s) = session {
            request = request.header("cookie", &s.cookie);
        }
        match csrf {
            Csrf::Session => {
                request = request.header("x-csrf-token", session.map_or("1", |s| s.csrf.as_str()))
            }
            Csrf::Value(v) => request = request.header("x-csrf-token", v),
            Csrf::None => {}
        }
        let body = match body {
            Some((content_type, bytes)) => {
                request = request.header("content-type", content_type);
                Full::new(bytes)
            }
            None => Full::new(Bytes::new()),
        };
        let response = self
            .client
            .request(request.body(body).unwrap())
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            bytes,
            body,
        })
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        session: Option<&Session>,
        csrf: Csrf<'_>,
        body: Option<(&str, Bytes)>,
    ) -> Reply {
        self.try_send(method, path, session, csrf, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// A GET whose body is not read (an event stream): status and headers.
    pub async fn get_headers(&self, path: &str, session: Option<&Session>) -> (u16, HeaderMap) {
        let mut request = hyper::Request::get(format!("{}{path}", self.base));
        if let Some(s) = session {
            request = request.header("cookie", &s.cookie);
        }
        let response = self
            .client
            .request(request.body(Full::new(Bytes::new())).unwrap())
            .await
            .unwrap();
        (response.status().as_u16(), response.headers().clone())
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        self.send("GET", path, session, Csrf::Session, None).await
    }

    pub async fn post(&self, path: &str, session: Option<&Session>, body: &Value) -> Reply {
        self.send(
            "POST",
            path,
            session,
            Csrf::Session,
            Some(("application/json", Bytes::from(body.to_string()))),
        )
        .await
    }

    /// Signs in; the answer when refused.
    pub async fn try_sign_in(&self, login: &str, password: &str) -> Result<Session, Reply> {
        let reply = self
            .post(
                "/api/session",
                None,
                &json!({"login": login, "password": password}),
            )
            .await;
        session_of(&reply).ok_or(reply)
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> Session {
        match self.try_sign_in(login, password).await {
            Ok(s) => s,
            Err(reply) => panic!("sign-in of {login}: {} {}", reply.status, reply.body),
        }
    }
}

/// The session a successful sign-in answer opened.
pub fn session_of(reply: &Reply) -> Option<Session> {
    if reply.status != 200 {
        return None;
    }
    let cookie = reply
        .headers
        .get("set-cookie")?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .to_string();
    Some(Session {
        id: reply.body["id"].as_str()?.to_string(),
        cookie,
        csrf: reply.body["csrf_token"].as_str()?.to_string(),
    })
}
