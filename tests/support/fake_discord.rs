//! A fake Discord on 127.0.0.1 that the real serenity client connects to: REST (recording every call) and a
//! gateway websocket (HELLO, IDENTIFY → READY, heartbeat ACK, then dispatches a test injects).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

/// The token the fake accepts.
pub const GOOD_TOKEN: &str = "good-token";
/// The bot's application (and user) id.
pub const APP_ID: &str = "1000";
/// The guild the bot is in.
pub const GUILD_ID: &str = "2000";

/// One recorded REST call.
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// The Authorization header.
    pub auth: Option<String>,
    /// The JSON body, or Null.
    pub body: Value,
}

/// A message created through `POST /channels/{id}/messages`.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The channel.
    pub channel_id: u64,
    /// The message id the fake gave it.
    pub id: u64,
    /// The nonce it was sent with.
    pub nonce: Option<String>,
    /// The JSON body sent.
    pub body: Value,
}

/// What the fake's channel-message route does, and what it saw.
#[derive(Debug, Default)]
pub struct Channels {
    /// Messages created, in order (a repeated enforced nonce creates none).
    pub posted: Vec<Posted>,
    /// POSTs answered with the message an enforced nonce already created.
    pub nonce_hits: u64,
    /// Channels answering 404 Unknown Channel.
    pub gone: Vec<u64>,
    /// Channels answering 403 Missing Access.
    pub forbidden: Vec<u64>,
    /// Requests allowed over all bot REST calls in any one second (a sliding window, as strict as Discord's
    /// global limit); `None`: unlimited.
    pub per_second: Option<u32>,
    /// 429s sent.
    pub rate_limited: u64,
    /// Requests that reached the limiter (all bot REST calls while a limit is set).
    pub limited_requests: u64,
    /// Delay before answering a message POST (after the message is created), so a test can kill the client
    /// while the answer is in flight.
    pub answer_delay: Duration,
    /// Threads and forum posts created (`POST /channels/{id}/threads`): (parent channel, thread id, body).
    pub threads: Vec<(u64, u64, Value)>,
    /// Forum channels `GET /channels/{id}` answers: id → (its tags as (id, name), whether it requires one).
    pub forums: std::collections::HashMap<u64, (Vec<(u64, String)>, bool)>,
    /// The next this many `GET /users/@me` answer 429 (retry after 0.2 s), as Discord does to a bot that
    /// restarts into a rate limit.
    pub me_rate_limited: u32,
    window: std::collections::VecDeque<std::time::Instant>,
    nonces: std::collections::HashMap<String, u64>,
}

/// The slash commands the bot registered, and the server's own permission overrides, so the fake lets a
/// member invoke a command only when Discord would.
#[derive(Debug, Default)]
pub struct Commands {
    /// The last registered command list (the body of the bot's `PUT …/commands`).
    pub registered: Vec<Value>,
    /// Commands a server admin opened to everyone in Server Settings → Integrations, overriding the
    /// command's `default_member_permissions`.
    pub opened_to_everyone: Vec<String>,
}

/// Discord's ADMINISTRATOR bit: it passes every permission check.
const ADMINISTRATOR: u64 = 1 << 3;

impl Commands {
    /// Whether Discord shows `name` to a member with `permissions` (a decimal bit set) and lets them invoke it:
    /// the command is registered, and the member holds every bit of its `default_member_permissions` (or
    /// Administrator), unless a server admin opened it to everyone.
    pub fn may_invoke(&self, name: &str, permissions: &str) -> bool {
        let Some(command) = self.registered.iter().find(|c| c["name"] == name) else {
            return false;
        };
        if self.opened_to_everyone.iter().any(|n| n == name) {
            return true;
        }
        let member: u64 = permissions.parse().unwrap_or(0);
        match command["default_member_permissions"].as_str() {
            None => true,
            Some(required) => {
                let required: u64 = required.parse().unwrap_or(u64::MAX);
                member & ADMINISTRATOR != 0 || member & required == required
            }
        }
    }
}

#[derive(Clone)]
struct Shared {
    calls: Arc<Mutex<Vec<Call>>>,
    commands: Arc<Mutex<Commands>>,
    channels: Arc<Mutex<Channels>>,
    ws_url: String,
}

/// A running fake Discord.
pub struct FakeDiscord {
    /// Its REST base URL, for `[discord] api_base`.
    pub base: String,
    /// Every REST call, in order.
    pub calls: Arc<Mutex<Vec<Call>>>,
    /// Channel messages: what was posted and how the route behaves.
    pub channels: Arc<Mutex<Channels>>,
    /// Registered commands and who may invoke them.
    pub commands: Arc<Mutex<Commands>>,
    dispatch: broadcast::Sender<(String, Value)>,
    identified: Arc<std::sync::atomic::AtomicBool>,
}

impl FakeDiscord {
    /// Starts REST and gateway on ephemeral ports.
    pub async fn start() -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let gateway = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let ws_url = format!("ws://{}", gateway.local_addr().expect("addr"));
        let channels = Arc::new(Mutex::new(Channels::default()));
        let commands = Arc::new(Mutex::new(Commands::default()));
        let shared = Shared {
            calls: calls.clone(),
            commands: commands.clone(),
            channels: channels.clone(),
            ws_url: ws_url.clone(),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        let rest = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind rest");
        let base = format!("http://{}", rest.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(rest, app).await;
        });
        let (dispatch, _) = broadcast::channel(64);
        let identified = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (tx, notify) = (dispatch.clone(), identified.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = gateway.accept().await {
                tokio::spawn(serve_gateway(
                    stream,
                    tx.subscribe(),
                    notify.clone(),
                    ws_url.clone(),
                ));
            }
        });
        Self {
            base,
            calls,
            channels,
            commands,
            dispatch,
            identified,
        }
    }

    /// Waits until a client has identified (READY sent), at most `limit`.
    pub async fn wait_identified(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.identified.load(std::sync::atomic::Ordering::SeqCst) {
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Messages created in a channel, oldest first.
    pub fn posted_in(&self, channel_id: u64) -> Vec<Posted> {
        self.channels
            .lock()
            .expect("lock")
            .posted
            .iter()
            .filter(|p| p.channel_id == channel_id)
            .cloned()
            .collect()
    }

    /// Waits until at least `n` channel messages exist, at most `limit`; whether they do.
    pub async fn wait_posted(&self, n: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.channels.lock().expect("lock").posted.len() < n {
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Whether Discord would let a member with `permissions` invoke `name` (see [`Commands::may_invoke`]).
    pub fn may_invoke(&self, name: &str, permissions: &str) -> bool {
        self.commands
            .lock()
            .expect("lock")
            .may_invoke(name, permissions)
    }

    /// Opens a command to every member, as a server admin can in Server Settings → Integrations.
    pub fn open_to_everyone(&self, name: &str) {
        self.commands
            .lock()
            .expect("lock")
            .opened_to_everyone
            .push(name.to_owned());
    }

    /// Sends a dispatch event (e.g. INTERACTION_CREATE) to every connected client.
    pub fn dispatch(&self, event: &str, data: Value) {
        let _ = self.dispatch.send((event.to_owned(), data));
    }

    /// Waits for a REST call matching `pred`, polling, at most `limit`.
    pub async fn wait_call(&self, limit: Duration, pred: impl Fn(&Call) -> bool) -> Option<Call> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(c) = self.calls.lock().expect("lock").iter().find(|c| pred(c)) {
                return Some(c.clone());
            }
            if tokio::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn serve_gateway(
    stream: tokio::net::TcpStream,
    mut events: broadcast::Receiver<(String, Value)>,
    identified: Arc<std::sync::atomic::AtomicBool>,
    ws_url: String,
) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}, "s": null, "t": null});
    if ws.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let mut seq = 0u64;
    loop {
        tokio::select! {
            msg = ws.next() => {
                let Some(Ok(Message::Text(text))) = msg else { return };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                match payload["op"].as_u64() {
                    Some(2) => {
                        seq += 1;
                        let ready = json!({"op": 0, "s": seq, "t": "READY", "d": {
                            "v": 10,
                            "user": {"id": APP_ID, "username": "herald-test", "discriminator": "0", "bot": true,
                                     "avatar": null, "global_name": null, "verified": true, "mfa_enabled": true,
                                     "flags": 0},
                            "guilds": [{"id": GUILD_ID, "unavailable": true}],
                            "session_id": "session-1",
                            "resume_gateway_url": ws_url,
                            "shard": [0, 1],
                            "application": {"id": APP_ID, "flags": 0}
                        }});
                        if ws.send(Message::Text(ready.to_string())).await.is_err() { return; }
                        identified.store(true, std::sync::atomic::Ordering::SeqCst);

                    }
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if ws.send(Message::Text(ack.to_string())).await.is_err() { return; }
                    }
                    _ => {}
                }
            }
            event = events.recv() => {
                let Ok((name, data)) = event else { return };
                seq += 1;
                let payload = json!({"op": 0, "s": seq, "t": name, "d": data});
                if ws.send(Message::Text(payload.to_string())).await.is_err() { return; }
            }
        }
    }
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json_body = serde_json::from_slice(&body).unwrap_or_else(|_| payload_json(&body));
    // The command list is stored before the call is recorded: a test that waits for the PUT and then asks
    // who may invoke a command sees the new list.
    if method == Method::PUT
        && uri.path().ends_with("/commands")
        && auth.as_deref() == Some(&format!("Bot {GOOD_TOKEN}"))
    {
        if let Value::Array(list) = &json_body {
            shared.commands.lock().expect("lock").registered = list.clone();
        }
    }
    shared.calls.lock().expect("lock").push(Call {
        method: method.clone(),
        path: uri.to_string(),
        auth: auth.clone(),
        body: json_body.clone(),
    });
    let path = uri.path();
    // Interaction callbacks and webhooks are authorised by their token, not the bot's.
    let by_token =
        path.starts_with("/api/v10/interactions/") || path.starts_with("/api/v10/webhooks/");
    if !by_token && auth.as_deref() != Some(&format!("Bot {GOOD_TOKEN}")) {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"message": "401: Unauthorized", "code": 0}"#,
        )
            .into_response();
    }
    let ok = |v: Value| ([("content-type", "application/json")], v.to_string()).into_response();
    if !by_token {
        if let Some(limited) = rate_limit(&shared.channels) {
            return limited;
        }
    }
    // Components Discord would refuse are refused here too, as Discord does: 400 Invalid Form Body.
    let sent = if path.starts_with("/api/v10/interactions/") {
        &json_body["data"]
    } else {
        &json_body
    };
    if method != Method::GET {
        if let Some(why) = components_error(sent) {
            eprintln!("fake discord: refused components: {why}");
            return (
                StatusCode::BAD_REQUEST,
                [("content-type", "application/json")],
                json!({"message": "Invalid Form Body", "code": 50035, "errors": why}).to_string(),
            )
                .into_response();
        }
    }
    if let Some(rest) = path.strip_prefix("/api/v10/channels/") {
        if method == Method::POST {
            if let Some(parent) = rest
                .strip_suffix("/threads")
                .and_then(|c| c.parse::<u64>().ok())
            {
                return create_thread(&shared.channels, parent, json_body);
            }
        }
        if method == Method::GET {
            if let Ok(id) = rest.parse::<u64>() {
                return get_channel(&shared.channels, id);
            }
        }
    }
    if method == Method::POST {
        if let Some(channel) = path
            .strip_prefix("/api/v10/channels/")
            .and_then(|p| p.strip_suffix("/messages"))
            .and_then(|c| c.parse::<u64>().ok())
        {
            return post_message(&shared.channels, channel, json_body).await;
        }
    }
    match (&method, path) {
        (&Method::GET, "/api/v10/gateway") => ok(json!({"url": shared.ws_url})),
        (&Method::GET, "/api/v10/users/@me") if take_me_429(&shared.channels) => (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("content-type", "application/json"),
                ("retry-after", "1"),
                ("x-ratelimit-scope", "user"),
            ],
            json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false, "code": 0})
                .to_string(),
        )
            .into_response(),
        (&Method::GET, "/api/v10/users/@me") => ok(json!({
            "id": APP_ID, "username": "herald-test", "discriminator": "0", "global_name": null, "avatar": null,
            "bot": true, "system": false, "mfa_enabled": true, "verified": true, "email": null, "flags": 0,
            "public_flags": 0, "locale": "en-US"})),
        // Stored above, before the call was recorded.
        (&Method::PUT, p) if p.ends_with("/commands") => ok(json!([])),
        (&Method::POST, p)
            if p.starts_with("/api/v10/interactions/") && p.ends_with("/callback") =>
        {
            StatusCode::NO_CONTENT.into_response()
        }
        (&Method::POST | &Method::PATCH, p) if p.starts_with("/api/v10/webhooks/") => {
            ok(message_json(&json_body))
        }
        _ => {
            eprintln!("fake discord: no route for {method} {uri}");
            (
                StatusCode::NOT_FOUND,
                r#"{"message": "Unknown route", "code": 0}"#,
            )
                .into_response()
        }
    }
}

/// Why Discord would refuse a message's `components`, if it would: at most 5 action rows of at most 5 buttons;
/// a link button (style 5) has an http(s) or discord URL of at most 512 characters and no custom id; every
/// button's label is at most 80 characters.
fn components_error(message: &Value) -> Option<String> {
    let rows = match &message["components"] {
        Value::Null => return None,
        Value::Array(rows) => rows,
        other => return Some(format!("components is not a list: {other}")),
    };
    if rows.len() > 5 {
        return Some(format!("{} action rows (at most 5)", rows.len()));
    }
    for row in rows {
        let buttons = row["components"].as_array().map_or(&[][..], Vec::as_slice);
        if row["type"] != 1 || buttons.is_empty() || buttons.len() > 5 {
            return Some(format!("bad action row: {row}"));
        }
        for b in buttons {
            let label = b["label"].as_str().unwrap_or_default();
            if b["type"] != 2 || label.chars().count() > 80 {
                return Some(format!("bad button: {b}"));
            }
            if b["style"] == 5 {
                let url = b["url"].as_str().unwrap_or_default();
                let scheme = ["http://", "https://", "discord://"]
                    .iter()
                    .any(|s| url.starts_with(s));
                if !scheme || url.chars().count() > 512 || !b["custom_id"].is_null() {
                    return Some(format!("bad link button: {b}"));
                }
            }
        }
    }
    None
}

/// The `payload_json` part of a multipart body (how serenity sends a forum post), or null.
fn payload_json(body: &[u8]) -> Value {
    let text = String::from_utf8_lossy(body);
    text.find("name=\"payload_json\"")
        .and_then(|at| {
            let rest = &text[at..];
            let start = rest.find("\r\n\r\n")? + 4;
            let end = rest[start..].find("\r\n--")? + start;
            serde_json::from_str(&rest[start..end]).ok()
        })
        .unwrap_or(Value::Null)
}

/// A guild channel as Discord returns it.
fn channel_json(id: u64, kind: u8, name: &str, parent: Option<u64>) -> Value {
    json!({
        "id": id.to_string(), "type": kind, "guild_id": GUILD_ID, "name": name, "position": 0,
        "permission_overwrites": [], "nsfw": false, "rate_limit_per_user": 0, "last_message_id": null,
        "parent_id": parent.map(|p| p.to_string()), "topic": null, "flags": 0,
    })
}

/// `POST /channels/{id}/threads`: a thread of a text channel, or a forum post (its `message` is recorded as
/// the post's first message).
fn create_thread(channels: &Mutex<Channels>, parent: u64, body: Value) -> Response {
    let mut c = channels.lock().expect("lock");
    if c.forbidden.contains(&parent) {
        return (
            StatusCode::FORBIDDEN,
            [("content-type", "application/json")],
            r#"{"message": "Missing Permissions", "code": 50013}"#,
        )
            .into_response();
    }
    let id = 800_000 + c.threads.len() as u64;
    c.threads.push((parent, id, body.clone()));
    if body["message"].is_object() {
        let first = 900_000 + c.posted.len() as u64;
        c.posted.push(Posted {
            channel_id: id,
            id: first,
            nonce: None,
            body: body["message"].clone(),
        });
    }
    let mut thread = channel_json(id, 11, body["name"].as_str().unwrap_or(""), Some(parent));
    thread["owner_id"] = json!(APP_ID);
    thread["thread_metadata"] = json!({"archived": false, "auto_archive_duration": 1440,
        "archive_timestamp": "2026-11-24T08:00:00+00:00", "locked": false});
    thread["message_count"] = json!(0);
    thread["member_count"] = json!(1);
    thread["applied_tags"] = if body["applied_tags"].is_array() {
        body["applied_tags"].clone()
    } else {
        json!([])
    };
    ([("content-type", "application/json")], thread.to_string()).into_response()
}

/// `GET /channels/{id}`: the forums a test set up, with their tags.
fn get_channel(channels: &Mutex<Channels>, id: u64) -> Response {
    let c = channels.lock().expect("lock");
    let Some((tags, required)) = c.forums.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            r#"{"message": "Unknown Channel", "code": 10003}"#,
        )
            .into_response();
    };
    let mut forum = channel_json(id, 15, "briefings", None);
    forum["available_tags"] = tags
        .iter()
        .map(|(tag, name)| {
            json!({"id": tag.to_string(), "name": name, "moderated": false,
            "emoji_id": null, "emoji_name": null})
        })
        .collect();
    forum["flags"] = json!(if *required { 1 << 4 } else { 0 });
    forum["default_forum_layout"] = json!(0);
    ([("content-type", "application/json")], forum.to_string()).into_response()
}

/// A message as Discord returns it for a follow-up, echoing what was sent.
fn message_json(sent: &Value) -> Value {
    json!({
        "id": "7000", "channel_id": "3000", "guild_id": GUILD_ID, "type": 0,
        "author": {"id": APP_ID, "username": "herald-test", "discriminator": "0", "bot": true, "avatar": null,
                   "global_name": null},
        "content": sent["content"].as_str().unwrap_or(""), "timestamp": "2025-05-16T10:00:00+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": sent["embeds"].clone(), "pinned": false, "flags": sent["flags"].clone()
    })
}

/// An APPLICATION_COMMAND interaction as Discord sends it, from a member with `permissions`.
pub fn command_interaction(id: u64, name: &str, options: Value, permissions: &str) -> Value {
    json!({
        "id": id.to_string(), "application_id": APP_ID, "type": 2, "token": format!("tok-{id}"), "version": 1,
        "guild_id": GUILD_ID, "channel_id": "3000",
        "channel": {"id": "3000", "type": 0},
        "member": {
            "user": {"id": "4000", "username": "member", "discriminator": "0", "global_name": null, "avatar": null},
            "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": false, "mute": false, "flags": 0,
            "permissions": permissions
        },
        "data": {"id": "6000", "name": name, "type": 1, "options": options},
        "app_permissions": "2147483647", "locale": "en-US", "guild_locale": "en-US",
        "entitlements": [], "attachment_size_limit": 8388608,
        "authorizing_integration_owners": {"0": GUILD_ID}, "context": 0
    })
}

/// Whether this `GET /users/@me` is one of the scripted 429s (counted as a 429).
fn take_me_429(channels: &Mutex<Channels>) -> bool {
    let mut c = channels.lock().expect("lock");
    if c.me_rate_limited == 0 {
        return false;
    }
    c.me_rate_limited -= 1;
    c.rate_limited += 1;
    true
}

/// Discord's global limit in miniature: `per_second` bot requests in any one second (a sliding window), then
/// 429 with what Discord sends with one: the body's `retry_after` (seconds, with milliseconds) and `global`,
/// and the `Retry-After`, `X-RateLimit-Global` and `X-RateLimit-Scope` headers.
fn rate_limit(channels: &Mutex<Channels>) -> Option<Response> {
    let mut c = channels.lock().expect("lock");
    let per_second = c.per_second?;
    c.limited_requests += 1;
    let now = std::time::Instant::now();
    let second = Duration::from_secs(1);
    while c
        .window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= second)
    {
        c.window.pop_front();
    }
    if c.window.len() < per_second as usize {
        c.window.push_back(now);
        return None;
    }
    c.rate_limited += 1;
    let oldest = c.window.front().copied().unwrap_or(now);
    let retry = (second.saturating_sub(now.duration_since(oldest))).as_secs_f64();
    let body = json!({"message": "You are being rate limited.", "retry_after": retry, "global": true, "code": 0});
    Some(
        (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("content-type", "application/json".to_owned()),
                ("retry-after", format!("{}", retry.ceil().max(1.0))),
                ("x-ratelimit-global", "true".to_owned()),
                ("x-ratelimit-scope", "global".to_owned()),
            ],
            body.to_string(),
        )
            .into_response(),
    )
}

/// `POST /channels/{id}/messages`: creates a message, unless the channel is gone or forbidden, or the enforced
/// nonce was seen before (then the first message comes back and none is created).
async fn post_message(channels: &Mutex<Channels>, channel_id: u64, body: Value) -> Response {
    let nonce = body["nonce"].as_str().map(str::to_owned);
    let enforce = body["enforce_nonce"].as_bool().unwrap_or(false);
    let (id, delay) = {
        let mut c = channels.lock().expect("lock");
        let refuse = |status, body: &'static str| {
            (status, [("content-type", "application/json")], body).into_response()
        };
        if c.gone.contains(&channel_id) {
            return refuse(
                StatusCode::NOT_FOUND,
                r#"{"message": "Unknown Channel", "code": 10003}"#,
            );
        }
        if c.forbidden.contains(&channel_id) {
            return refuse(
                StatusCode::FORBIDDEN,
                r#"{"message": "Missing Access", "code": 50001}"#,
            );
        }
        let seen = nonce
            .as_ref()
            .filter(|_| enforce)
            .and_then(|n| c.nonces.get(n).copied());
        let id = match seen {
            Some(id) => {
                c.nonce_hits += 1;
                id
            }
            None => {
                let id = 900_000 + c.posted.len() as u64;
                if let Some(n) = &nonce {
                    c.nonces.entry(n.clone()).or_insert(id);
                }
                c.posted.push(Posted {
                    channel_id,
                    id,
                    nonce: nonce.clone(),
                    body: body.clone(),
                });
                id
            }
        };
        (id, c.answer_delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut message = message_json(&body);
    message["id"] = json!(id.to_string());
    message["channel_id"] = json!(channel_id.to_string());
    message["nonce"] = body["nonce"].clone();
    ([("content-type", "application/json")], message.to_string()).into_response()
}
