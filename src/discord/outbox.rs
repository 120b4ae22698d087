//! Scheduled briefings to Discord channels: the core's [`Outbox`] over serenity's REST client.

use std::sync::Arc;

use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Nonce, RoleId};
use serenity::http::{Http, HttpError};

use super::embeds::{EmbedSpec, briefing_embeds, pack};
use super::escape::escape;
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

/// Posts to channels through serenity's `Http` (its rate limiter, or the configured proxy).
pub struct DiscordOutbox {
    http: Arc<Http>,
}

impl DiscordOutbox {
    /// An outbox over this client.
    pub fn new(http: Arc<Http>) -> Self {
        Self { http }
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

    async fn post(&self, channel_id: u64, part: &Part, nonce: &str) -> Result<u64, PostError> {
        let mut message = CreateMessage::new()
            .nonce(Nonce::String(nonce.to_owned()))
            .enforce_nonce(true)
            .allowed_mentions(CreateAllowedMentions::new());
        message = match part {
            Part::Text(t) => message.content(t),
            Part::Embeds(e, ping) => {
                let message = message.embeds(e.iter().map(EmbedSpec::build).collect());
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
        ChannelId::new(channel_id)
            .send_message(&*self.http, message)
            .await
            .map(|m| m.id.get())
            .map_err(classify)
    }
}
