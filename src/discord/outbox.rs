//! Scheduled briefings to Discord channels: the core's [`Outbox`] over serenity's REST client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serenity::all::{
    AutoArchiveDuration, ChannelId, ChannelType, CreateAllowedMentions, CreateForumPost,
    CreateMessage, CreateThread, ForumTagId, Nonce, RoleId,
};
use serenity::http::{Http, HttpError, LightMethod, Request, Route};

use super::embeds::{EmbedSpec, action_rows, briefing_embeds, pack};
use super::escape::escape;
use crate::brief::channel_settings::PostIn;
use crate::delivery::{Outbox, PostError, Scheduled};

/// One message of a scheduled post.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A line of text ("nothing new").
    Text(String),
    /// Briefing embeds, within one message's limits, and the role the message pings (the first message of a
    /// briefing whose channel opted in).
    Embeds(Vec<EmbedSpec>, Option<u64>),
}

/// Posts to channels: messages go out on herald's own request (built by serenity, sent by reqwest) so that a
/// 429's `retry_after`, `global` and scope are read — serenity's error keeps none of them — and each channel's
/// route bucket (`X-RateLimit-Remaining` / `X-RateLimit-Reset-After`) is honoured before the next post to it.
/// The same rules hold through a REST proxy: what it passes back is read the same way. Threads and forum posts
/// are opened through serenity's client.
pub struct DiscordOutbox {
    http: Arc<Http>,
    client: reqwest::Client,
    buckets: RouteBuckets,
}

impl DiscordOutbox {
    /// An outbox over this client.
    pub fn new(http: Arc<Http>) -> Self {
        Self {
            http,
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            buckets: RouteBuckets::default(),
        }
    }
}

/// When each channel's message route may be used again, from Discord's per-route headers.
#[derive(Debug, Default)]
struct RouteBuckets(Mutex<HashMap<u64, Instant>>);

impl RouteBuckets {
    /// Waits until the channel's route has room.
    async fn wait(&self, channel_id: u64) {
        let until = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&channel_id)
            .copied();
        if let Some(until) = until.filter(|u| *u > Instant::now()) {
            tokio::time::sleep_until(until.into()).await;
        }
    }

    /// Notes that the channel's route has no room for `wait`.
    fn block(&self, channel_id: u64, wait: Duration) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Forget what has passed, so the map stays as small as the channels being posted to.
        let now = Instant::now();
        map.retain(|_, until| *until > now);
        map.insert(channel_id, now + wait);
    }
}

/// A header's value as seconds (`Retry-After: 1.5`, `X-RateLimit-Reset-After: 0.25`).
fn header_secs(headers: &reqwest::header::HeaderMap, name: &str) -> Option<Duration> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
}

/// What a 429 says: how long to wait and whether the limit is the bot's global one, from its body
/// (`retry_after`, `global`) and headers (`Retry-After`, `X-RateLimit-Global`, `X-RateLimit-Scope`), the body
/// winning (its `retry_after` has milliseconds).
pub fn rate_limit_of(headers: &reqwest::header::HeaderMap, body: &[u8]) -> PostError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let retry_after = json["retry_after"]
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
        .or_else(|| header_secs(headers, "retry-after"));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let global = json["global"].as_bool().unwrap_or(false)
        || header("x-ratelimit-global").is_some_and(|v| v == "true")
        || header("x-ratelimit-scope").is_some_and(|v| v == "global");
    PostError::RateLimited {
        retry_after,
        global,
    }
}

/// What a channel with nothing new reads.
pub fn nothing_new_line(post: &Scheduled) -> String {
    let about = post
        .briefing
        .topic
        .as_deref()
        .map_or_else(|| "this server's sources".to_owned(), escape);
    format!(
        "Nothing new on {about} since <t:{}:f>.",
        post.since.timestamp()
    )
}

/// A briefing thread's name: its topic and the date of its slot ("ceasefire — 2026-11-24"), within Discord's
/// 100 characters.
pub fn thread_name(post: &Scheduled) -> String {
    let about = post.briefing.topic.as_deref().unwrap_or("Briefing");
    let date = post.due_at.format("%Y-%m-%d").to_string();
    let room = 100 - date.len() - 3;
    let about: String = about.chars().take(room).collect();
    format!("{about} — {date}")
}

/// A serenity error, by what the scheduler should do about it.
pub fn classify(e: serenity::Error) -> PostError {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            let what = format!("{} (HTTP {status})", r.error.message);
            match status {
                429 => PostError::RateLimited {
                    retry_after: None,
                    global: false,
                },
                403 | 404 => PostError::Gone(what),
                401 => PostError::Transient(what),
                s if s >= 500 => PostError::Transient(what),
                _ => PostError::Rejected(what),
            }
        }
        serenity::Error::Model(m) => PostError::Rejected(m.to_string()),
        other => PostError::Transient(other.to_string()),
    }
}

impl Outbox for DiscordOutbox {
    type Part = Part;

    fn render(&self, post: &Scheduled) -> Vec<Part> {
        if post.briefing.stories.is_empty() {
            return vec![Part::Text(nothing_new_line(post))];
        }
        pack(briefing_embeds(&post.briefing))
            .into_iter()
            .enumerate()
            .map(|(n, e)| Part::Embeds(e, post.ping_role.filter(|_| n == 0)))
            .collect()
    }

    async fn open(&self, channel_id: u64, post: &Scheduled) -> Result<u64, PostError> {
        let name = thread_name(post);
        let made = match post.post_in {
            PostIn::Channel => return Ok(channel_id),
            PostIn::Thread => {
                ChannelId::new(channel_id.max(1))
                    .create_thread(
                        &*self.http,
                        CreateThread::new(name)
                            .kind(ChannelType::PublicThread)
                            .auto_archive_duration(AutoArchiveDuration::OneDay),
                    )
                    .await
            }
            PostIn::Forum { channel, tag } => {
                // A forum post starts with a message: a line naming the briefing; its parts follow inside.
                let starter = CreateMessage::new()
                    .content(format!("Briefing for <#{channel_id}>."))
                    .allowed_mentions(CreateAllowedMentions::new());
                let mut forum_post = CreateForumPost::new(name, starter)
                    .auto_archive_duration(AutoArchiveDuration::OneDay);
                if let Some(tag) = tag.filter(|t| *t != 0) {
                    forum_post = forum_post.add_applied_tag(ForumTagId::new(tag));
                }
                ChannelId::new(channel.max(1))
                    .create_forum_post(&*self.http, forum_post)
                    .await
            }
        };
        made.map(|thread| thread.id.get()).map_err(classify)
    }

    async fn post(&self, channel_id: u64, part: &Part, nonce: &str) -> Result<u64, PostError> {
        let mut message = CreateMessage::new()
            .nonce(Nonce::String(nonce.to_owned()))
            .enforce_nonce(true)
            .allowed_mentions(CreateAllowedMentions::new());
        message = match part {
            Part::Text(t) => message.content(t),
            Part::Embeds(e, ping) => {
                let message = message
                    .embeds(e.iter().map(EmbedSpec::build).collect())
                    .components(action_rows(e));
                match ping.filter(|r| *r != 0) {
                    // That role, and nobody else: never @everyone, @here, users or other roles.
                    Some(role) => message
                        .content(format!("<@&{role}>"))
                        .allowed_mentions(CreateAllowedMentions::new().roles([RoleId::new(role)])),
                    None => message,
                }
            }
        };
        if channel_id == 0 {
            return Err(PostError::Rejected("channel id 0".into()));
        }
        let body = serde_json::to_vec(&message).map_err(|e| PostError::Rejected(e.to_string()))?;
        let request = Request::new(
            Route::ChannelMessages {
                channel_id: ChannelId::new(channel_id),
            },
            LightMethod::Post,
        )
        .body(Some(body))
        .build(&self.client, self.http.token(), self.http.proxy.as_deref())
        .map_err(|e| PostError::Rejected(e.to_string()))?;
        self.buckets.wait(channel_id).await;
        let response = request
            .send()
            .await
            .map_err(|e| PostError::Transient(crate::report::one_line(&e.without_url())))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // The channel's route: no room left until it resets.
        if headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == "0")
        {
            if let Some(wait) = header_secs(&headers, "x-ratelimit-reset-after") {
                self.buckets.block(channel_id, wait);
            }
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| PostError::Transient(crate::report::one_line(&e.without_url())))?;
        match status {
            200..=299 => {
                let id = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["id"].as_str().and_then(|s| s.parse::<u64>().ok()));
                id.ok_or_else(|| {
                    PostError::Transient("Discord's answer to a message POST has no id".into())
                })
            }
            429 => {
                let limited = rate_limit_of(&headers, &body);
                if let PostError::RateLimited {
                    retry_after: Some(wait),
                    global: false,
                } = &limited
                {
                    self.buckets.block(channel_id, *wait);
                }
                Err(limited)
            }
            _ => {
                let message = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let what = format!("{message} (HTTP {status})");
                Err(match status {
                    403 | 404 => PostError::Gone(what),
                    401 => PostError::Transient(what),
                    s if s >= 500 => PostError::Transient(what),
                    _ => PostError::Rejected(what),
                })
            }
        }
    }
}
