//! LLM summaries through any OpenAI-compatible chat-completions endpoint (OpenAI, OpenRouter, Ollama, vLLM,
//! llama.cpp's server): the client, the prompt, and map-reduce for stories too large for one call.
//!
//! The prompt numbers the story's sources (`[1] Outlet — Headline`, then the article text) and asks for a
//! summary in the channel's language and length that cites them as `[1]`, `[2]`. Article texts are trimmed to
//! `max_input_tokens` by keeping each one's most informative sentences (herald's extractive summariser, in
//! article order). When even that leaves fewer than about 150 words a source, the sources are summarised in
//! groups first (map) and the final summary is written from the groups' summaries, which keep the original
//! source numbers (reduce).

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::Budget;
use crate::brief::channel_settings::Length;
use crate::config::LlmConfig;

/// Why an LLM call gave no summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The endpoint did not answer within `timeout_secs`.
    #[error("the LLM endpoint timed out")]
    Timeout,
    /// HTTP 429.
    #[error("the LLM endpoint is rate limiting (HTTP 429)")]
    RateLimited,
    /// Another non-2xx status.
    #[error("the LLM endpoint answered HTTP {0}")]
    Status(u16),
    /// A 2xx answer that is not a chat completion with text.
    #[error("the LLM answer is malformed: {0}")]
    Malformed(String),
    /// Connection, TLS or protocol failure.
    #[error("cannot reach the LLM endpoint: {0}")]
    Network(String),
    /// The day's token budget (the server's or everyone's) cannot cover the call's worst case; it was not sent.
    #[error("the daily LLM token budget is spent")]
    Budget,
    /// The budget could not be read or written (a database error); the call was not sent.
    #[error("LLM tokens could not be counted: {0}")]
    Accounting(String),
}

impl LlmError {
    /// The reason in a few words, as `herald brief --format json` shows it in `"fallback"`.
    pub fn short(&self) -> String {
        match self {
            LlmError::Timeout => "timeout".into(),
            LlmError::RateLimited => "rate limited".into(),
            LlmError::Status(n) => format!("endpoint error: HTTP {n}"),
            LlmError::Malformed(why) => format!("malformed answer: {why}"),
            LlmError::Network(why) => format!("unreachable: {why}"),
            LlmError::Budget => "budget spent".into(),
            LlmError::Accounting(why) => format!("tokens not counted: {why}"),
        }
    }
}

/// Counts LLM calls against the token budgets: each call's worst case (its prompt's estimate plus the
/// `max_tokens` herald sets) is reserved before it is sent, and settled with what the endpoint says it cost.
/// A call the budget cannot cover is never sent.
pub trait Meter: Send + Sync {
    /// Reserves `tokens`, or says why not ([`LlmError::Budget`]).
    fn reserve(&self, tokens: u64) -> BoxFuture<'_, Result<(), LlmError>>;
    /// Settles a reservation of `reserved` tokens with the `spent` ones (0 for a call that failed).
    fn settle(&self, reserved: u64, spent: u64) -> BoxFuture<'_, Result<(), LlmError>>;
}

/// No budget: every call is allowed (tests, and tools that count elsewhere).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unmetered;

impl Meter for Unmetered {
    fn reserve(&self, _tokens: u64) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async { Ok(()) })
    }
    fn settle(&self, _reserved: u64, _spent: u64) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Tokens an answer may take at most (`max_tokens` of every call).
pub const MAX_ANSWER_TOKENS: u32 = 400;

/// One call, metered: reserve the worst case, call, settle.
async fn metered_chat(
    client: &LlmClient,
    meter: &dyn Meter,
    system: &str,
    user: &str,
) -> Result<Answer, LlmError> {
    let worst = estimate_tokens(system.len() + user.len()) + u64::from(MAX_ANSWER_TOKENS);
    meter.reserve(worst).await?;
    match client.chat(system, user, MAX_ANSWER_TOKENS).await {
        Ok(answer) => {
            meter.settle(worst, answer.tokens).await?;
            Ok(answer)
        }
        Err(e) => {
            meter.settle(worst, 0).await?;
            Err(e)
        }
    }
}

/// What the model wrote and what it cost: tokens (the endpoint's `usage.total_tokens`, else an estimate) and
/// calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What the model wrote, trimmed.
    pub text: String,
    /// Tokens spent.
    pub tokens: u64,
    /// Calls made.
    pub calls: usize,
}

/// One numbered source of a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// Its number in the prompt (from 1).
    pub number: usize,
    /// The outlet.
    pub outlet: String,
    /// The headline.
    pub title: String,
    /// The article text (or the feed's).
    pub text: String,
    /// When it was published, as the prompt prints it ("2 December 2026"); empty when unknown.
    pub date: String,
}

impl SourceText {
    /// The label the prompt gives this source: "Outlet, 2 December 2026 — Headline".
    pub fn label(&self) -> String {
        let mut label = self.outlet.clone();
        if !self.date.is_empty() {
            label.push_str(", ");
            label.push_str(&self.date);
        }
        if !self.title.is_empty() {
            label.push_str(" — ");
            label.push_str(&self.title);
        }
        label
    }

    /// Everything the prompt shows of this source (label and text): what the faithfulness check reads.
    pub fn shown(&self) -> String {
        format!("{}\n{}", self.label(), self.text)
    }
}

/// The chat-completions URL of a base URL, with or without its `/v1`: `https://api.openai.com/v1`,
/// `https://openrouter.ai/api/v1`, `http://127.0.0.1:11434` (Ollama) and `http://127.0.0.1:8080` (llama.cpp's
/// server) all work; a URL that already ends in `/chat/completions` is used as it is.
pub fn completions_url(base_url: &str) -> String {
    let base = base_url.trim().trim_end_matches('/');
    if base.ends_with("/chat/completions") {
        return base.to_owned();
    }
    let has_path = url::Url::parse(base).is_ok_and(|u| !u.path().trim_matches('/').is_empty());
    if has_path {
        format!("{base}/chat/completions")
    } else {
        format!("{base}/v1/chat/completions")
    }
}

/// An OpenAI-compatible chat-completions client.
#[derive(Clone)]
pub struct LlmClient {
    http: reqwest::Client,
    url: String,
    model: String,
    key: String,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmClient")
            .field("url", &self.url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    total_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

/// About four characters a token.
fn estimate_tokens(chars: usize) -> u64 {
    (chars / 4).max(1) as u64
}

impl LlmClient {
    /// A client for `[llm]`, or `None` when no endpoint is configured. The endpoint is the operator's (often
    /// on localhost: Ollama), so this client is not the fetcher's, whose guard refuses private addresses.
    pub fn new(cfg: &LlmConfig) -> Option<Self> {
        if cfg.base_url.trim().is_empty() {
            return None;
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .user_agent(crate::USER_AGENT)
            .no_proxy()
            .build()
            .ok()?;
        Some(Self {
            http,
            url: completions_url(&cfg.base_url),
            model: cfg.model.clone(),
            key: cfg.api_key.clone(),
        })
    }

    /// One chat completion: `system` and `user` messages, at most `max_tokens` in the answer.
    pub async fn chat(
        &self,
        system: &str,
        user: &str,
        max_tokens: u32,
    ) -> Result<Answer, LlmError> {
        let body = serde_json::json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": 0.2,
            "max_tokens": max_tokens,
        });
        let mut request = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if !self.key.is_empty() {
            request = request.bearer_auth(&self.key);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                LlmError::Timeout
            } else {
                LlmError::Network(e.to_string())
            }
        })?;
        let status = response.status();
        if status.as_u16() == 429 {
            return Err(LlmError::RateLimited);
        }
        if !status.is_success() {
            return Err(LlmError::Status(status.as_u16()));
        }
        let bytes = response.bytes().await.map_err(|e| {
            if e.is_timeout() {
                LlmError::Timeout
            } else {
                LlmError::Network(e.to_string())
            }
        })?;
        let completion: Completion = serde_json::from_slice(&bytes)
            .map_err(|e| LlmError::Malformed(format!("not a chat completion ({e})")))?;
        let text = completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .map(|t| t.trim().trim_matches('"').trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| LlmError::Malformed("no text in the answer".into()))?;
        if text.chars().count() > 3000 {
            return Err(LlmError::Malformed(
                "the answer is far longer than asked".into(),
            ));
        }
        let tokens = completion
            .usage
            .and_then(|u| {
                u.total_tokens
                    .or_else(|| Some(u.prompt_tokens? + u.completion_tokens?))
            })
            .unwrap_or_else(|| estimate_tokens(system.len() + user.len() + text.len()));
        Ok(Answer {
            text,
            tokens,
            calls: 1,
        })
    }
}

/// What the model is asked for, by length.
fn length_words(length: Length) -> &'static str {
    match length {
        Length::Headlines | Length::Short => "one or two sentences (at most 50 words)",
        Length::Full => "one paragraph of at most 100 words",
    }
}

/// What an update's summary is told the reader knows, at most (the latest told sentences).
pub const MAX_KNOWN: usize = 12;

/// "The reader was already told: …" before the instruction of an update (`known` not empty).
fn known_block(known: &[String]) -> String {
    if known.is_empty() {
        return String::new();
    }
    let mut block = String::from("The reader was already told:\n");
    for k in known.iter().rev().take(MAX_KNOWN).rev() {
        block.push_str(&format!("- {k}\n"));
    }
    block.push('\n');
    block
}

/// The instruction's subject: the story, or what the sources add to what the reader knows.
fn subject(known: &[String]) -> &'static str {
    if known.is_empty() {
        "this story, as told by the sources above,"
    } else {
        "only what the sources above add to what the reader was already told (do not repeat it)"
    }
}

/// The system and user messages for summarising `sources` in `language` at `length`; `partial`: the answer
/// is notes for a later summary (map step); `known`: what the reader was told of the story before (an
/// update says only what is new).
pub fn prompt(
    sources: &[SourceText],
    language: &str,
    length: Length,
    partial: bool,
    known: &[String],
) -> (String, String) {
    let system = format!(
        "You summarise news for a Discord briefing. Write only what the sources say: every number, date and \
         name you use must appear in them. Write in the language with BCP 47 tag \"{language}\"; keep names as \
         the sources spell them, or in that language's usual transliteration of them. Cite the sources you use \
         by their number in square brackets, like [1] or [2][3], right after what they support. No headline, \
         no preamble, no bullet points."
    );
    let mut user = String::new();
    for s in sources {
        user.push_str(&format!("[{}] {}\n{}\n\n", s.number, s.label(), s.text));
    }
    if partial {
        user.push_str(&format!(
            "Summarise what these sources report in {}, keeping their numbers as citations.",
            length_words(Length::Full)
        ));
    } else {
        user.push_str(&known_block(known));
        user.push_str(&format!(
            "Summarise {} in {}.",
            subject(known),
            length_words(length)
        ));
    }
    (system, user)
}

/// `text` cut to about `words` words of its most informative sentences (in article order).
fn trim(text: &str, words: usize) -> String {
    if text.split_whitespace().count() <= words {
        return text.to_owned();
    }
    super::summarize(&[text], Budget::Words(words)).join(" ")
}

/// Words a source keeps at least before the story is summarised in groups.
const MIN_WORDS_PER_SOURCE: usize = 150;

/// Summarises one story's `sources` (numbered from 1): in one call when their trimmed texts fit
/// `max_input_tokens`, else in groups and then from the groups' summaries. Returns the text and the tokens of
/// every call.
pub async fn summarize_story(
    client: &LlmClient,
    meter: &dyn Meter,
    sources: &[SourceText],
    language: &str,
    length: Length,
    max_input_tokens: usize,
    known: &[String],
) -> Result<Answer, LlmError> {
    let budget_words = max_input_tokens * 3 / 4;
    let per_source = budget_words / sources.len().max(1);
    if per_source >= MIN_WORDS_PER_SOURCE || sources.len() == 1 {
        let trimmed: Vec<SourceText> = sources
            .iter()
            .map(|s| SourceText {
                text: trim(&s.text, per_source.max(MIN_WORDS_PER_SOURCE / 2)),
                ..s.clone()
            })
            .collect();
        let (system, user) = prompt(&trimmed, language, length, false, known);
        return metered_chat(client, meter, &system, &user).await;
    }
    // Map: groups that fit, each summarised with its own source numbers.
    let group = (budget_words / MIN_WORDS_PER_SOURCE).max(1);
    let mut notes = Vec::new();
    let mut tokens = 0;
    let mut calls = 0;
    for chunk in sources.chunks(group) {
        let trimmed: Vec<SourceText> = chunk
            .iter()
            .map(|s| SourceText {
                text: trim(&s.text, MIN_WORDS_PER_SOURCE),
                ..s.clone()
            })
            .collect();
        let (system, user) = prompt(&trimmed, language, length, true, &[]);
        let a = metered_chat(client, meter, &system, &user).await?;
        tokens += a.tokens;
        calls += 1;
        let first = chunk.first().map_or(0, |s| s.number);
        let last = chunk.last().map_or(0, |s| s.number);
        notes.push(SourceText {
            number: 0,
            outlet: format!("notes on sources {first}–{last}"),
            title: String::new(),
            text: a.text,
            date: String::new(),
        });
    }
    // Reduce: the final summary from the notes, which cite the original numbers.
    let mut user = String::new();
    for n in &notes {
        user.push_str(&format!("({})\n{}\n\n", n.outlet, n.text));
    }
    user.push_str(&known_block(known));
    user.push_str(&format!(
        "These are notes on one story, citing its sources by number. Summarise {} in {}, keeping the \
         citations.",
        if known.is_empty() {
            "the story"
        } else {
            "only what they add to what the reader was already told (do not repeat it)"
        },
        length_words(length)
    ));
    let (system, _) = prompt(&[], language, length, false, &[]);
    let a = metered_chat(client, meter, &system, &user).await?;
    Ok(Answer {
        text: a.text,
        tokens: tokens + a.tokens,
        calls: calls + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_numbers_sources_and_asks_for_language_length_and_citations() {
        let s = [
            SourceText {
                number: 1,
                outlet: "Reuters".into(),
                title: "Talks open".into(),
                text: "Delegations met.".into(),
                date: "2 December 2026".into(),
            },
            SourceText {
                number: 2,
                outlet: "BBC".into(),
                title: "Talks".into(),
                text: "They met.".into(),
                date: String::new(),
            },
        ];
        let (system, user) = prompt(&s, "uk", Length::Full, false, &[]);
        assert!(system.contains("\"uk\"") && system.contains("[1]"));
        assert!(user.starts_with(
            "[1] Reuters, 2 December 2026 — Talks open\nDelegations met.\n\n[2] BBC — Talks"
        ));
        assert!(user.ends_with("in one paragraph of at most 100 words."));
        assert!(!user.contains("already told"));
        // An update: the model is told what the reader knows, and asked for what is new only.
        let known = vec!["Delegations met in Istanbul on Monday.".to_owned()];
        let (_, update) = prompt(&s, "en", Length::Short, false, &known);
        assert!(
            update.contains(
                "The reader was already told:\n- Delegations met in Istanbul on Monday.\n"
            ),
            "{update}"
        );
        assert!(
            update.contains("Summarise only what the sources above add"),
            "{update}"
        );
    }

    #[test]
    fn base_urls_with_or_without_v1_reach_chat_completions() {
        for (base, url) in [
            (
                "https://api.openai.com/v1",
                "https://api.openai.com/v1/chat/completions",
            ),
            (
                "https://openrouter.ai/api/v1/",
                "https://openrouter.ai/api/v1/chat/completions",
            ),
            (
                "http://127.0.0.1:11434",
                "http://127.0.0.1:11434/v1/chat/completions",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080/v1/chat/completions",
            ),
            (
                "http://h/v1/chat/completions",
                "http://h/v1/chat/completions",
            ),
        ] {
            assert_eq!(completions_url(base), url, "{base}");
        }
    }

    #[test]
    fn long_texts_are_trimmed_to_their_most_informative_sentences() {
        let long = "The ceasefire talks in Istanbul ended without a deal. ".repeat(2)
            + &"Weather was mild and markets calm that day in the city. ".repeat(100);
        let t = trim(&long, 60);
        assert!(t.split_whitespace().count() <= 61, "{t}");
        assert!(t.contains("ceasefire"));
    }
}
