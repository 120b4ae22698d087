//! A fake Discord REST API on 127.0.0.1 that records every call. (The gateway arrives with the bot.)

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The token the fake accepts.
pub const GOOD_TOKEN: &str = "good-token";

/// One recorded REST call.
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// The Authorization header.
    pub auth: Option<String>,
}

/// A running fake Discord.
pub struct FakeDiscord {
    /// Its base URL, for `[discord] api_base`.
    pub base: String,
    /// Every call, in order.
    pub calls: Arc<Mutex<Vec<Call>>>,
}

impl FakeDiscord {
    /// Starts it on an ephemeral port.
    pub async fn start() -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(handle).with_state(calls.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, calls }
    }
}

async fn handle(
    State(calls): State<Arc<Mutex<Vec<Call>>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    calls.lock().expect("lock").push(Call {
        method: method.clone(),
        path: uri.to_string(),
        auth: auth.clone(),
    });
    if auth.as_deref() != Some(&format!("Bot {GOOD_TOKEN}")) {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"message": "401: Unauthorized", "code": 0}"#,
        )
            .into_response();
    }
    match (method, uri.path()) {
        (Method::GET, "/api/v10/users/@me") => (
            [("content-type", "application/json")],
            r#"{"id": "1000", "username": "herald-test", "discriminator": "0", "global_name": null,
                "avatar": null, "bot": true, "system": false, "mfa_enabled": true, "verified": true,
                "email": null, "flags": 0, "public_flags": 0, "locale": "en-US"}"#,
        )
            .into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            r#"{"message": "Unknown route", "code": 0}"#,
        )
            .into_response(),
    }
}
