//! A fake OpenAI-compatible chat-completions endpoint on 127.0.0.1: it records every request (model, key,
//! messages) and answers from a script — good summaries, a hallucinated number, 429, 500, a timeout,
//! malformed JSON — with a `usage` count; with nothing scripted it answers as a real model does: naming its
//! outlet and date, paraphrasing numbers, in the language asked, faithful to source [1] and citing it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 200 with this text and this `usage.total_tokens`.
    Text(String, u64),
    /// This status.
    Status(u16),
    /// No answer for this long (longer than the client's timeout).
    Hang(Duration),
    /// 200 with a body that is not a chat completion.
    Malformed,
    /// 200 with what a real model writes (outlet, date, paraphrased numbers), plus one invented fact (a number
    /// in no source), costing this many tokens.
    Invent(u64),
}

/// One request received.
#[derive(Debug, Clone)]
pub struct Call {
    /// The model asked.
    pub model: String,
    /// The Authorization header.
    pub auth: Option<String>,
    /// The system message.
    pub system: String,
    /// The user message (the prompt with the sources).
    pub user: String,
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Answer>>,
    calls: Mutex<Vec<Call>>,
    tokens: Mutex<u64>,
}

/// The running fake.
pub struct FakeLlm {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FakeLlm {
    /// Starts on an ephemeral port; unscripted answers cost 100 tokens.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            tokens: Mutex::new(100),
            ..Shared::default()
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(shared.clone());
        let addr = super::serve(app).await;
        Self { addr, shared }
    }

    /// The base URL herald is configured with (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Queues answers, used in order before unscripted ones.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.shared.script.lock().unwrap().extend(answers);
    }

    /// What unscripted answers cost.
    pub fn set_tokens(&self, tokens: u64) {
        *self.shared.tokens.lock().unwrap() = tokens;
    }

    /// The requests received so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }
}

/// What a careful real model writes: it names source [1]'s outlet and the date herald printed for it ("As
/// Outlet 1 reported on 2 December 2026, …"), writes its lead-in in the language asked, paraphrases numbers
/// ("a thousand" → "1,000", "two" → "2"), and copies the facts of source [1]'s first sentence, cited.
fn faithful_answer(system: &str, user: &str) -> String {
    let label = user.lines().next().unwrap_or_default();
    let text = user.lines().nth(1).unwrap_or_default();
    let first = text.split_inclusive(". ").next().unwrap_or(text).trim();
    let first = first.trim_end_matches('.');
    // "[1] Outlet, 2 December 2026 — Headline"
    let label = label.split_once("] ").map_or(label, |(_, l)| l);
    let (outlet_date, _) = label.split_once(" — ").unwrap_or((label, ""));
    let (outlet, date) = outlet_date.split_once(", ").unwrap_or((outlet_date, ""));
    if outlet.is_empty() || outlet.starts_with('(') {
        // Notes of a map step: just the facts.
        return format!("{first} [1].");
    }
    let language = system
        .split("BCP 47 tag \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("en");
    let lead = match (language, date.is_empty()) {
        ("uk", _) => format!("За повідомленням {outlet}, "),
        (_, true) => format!("As {outlet} reported, "),
        (_, false) => format!("As {outlet} reported on {date}, "),
    };
    let facts = first
        .replace("a thousand", "1,000")
        .replace(" two ", " 2 ")
        .replace(" three ", " 3 ");
    format!("{lead}{facts} [1].")
}

async fn complete(State(s): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let message = |role: &str| {
        v["messages"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["role"] == role))
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let call = Call {
        model: v["model"].as_str().unwrap_or_default().to_owned(),
        auth: headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned),
        system: message("system"),
        user: message("user"),
    };
    let answer = s.script.lock().unwrap().pop_front();
    let tokens = *s.tokens.lock().unwrap();
    let (system, user) = (call.system.clone(), call.user.clone());
    s.calls.lock().unwrap().push(call);
    let (text, tokens) = match answer {
        None => (faithful_answer(&system, &user), tokens),
        Some(Answer::Text(t, n)) => (t, n),
        Some(Answer::Status(code)) => {
            return (
                StatusCode::from_u16(code).unwrap(),
                json!({"error": {"message": "scripted failure"}}).to_string(),
            )
                .into_response();
        }
        Some(Answer::Hang(d)) => {
            tokio::time::sleep(d).await;
            (faithful_answer(&system, &user), tokens)
        }
        Some(Answer::Invent(n)) => (
            format!(
                "{} Officials said 4,321 people were evacuated [1].",
                faithful_answer(&system, &user)
            ),
            n,
        ),
        Some(Answer::Malformed) => {
            return (
                [(header::CONTENT_TYPE, "application/json")],
                "{\"choices\": [{\"mess",
            )
                .into_response();
        }
    };
    let body = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_764_000_000, "model": v["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": tokens * 4 / 5, "completion_tokens": tokens / 5, "total_tokens": tokens},
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
