//! Scheduled briefings to Discord channels: the core's [`Outbox`] over serenity's REST client.

use std::sync::Arc;

use serenity::all::{
    AutoArchiveDuration, ChannelId, ChannelType, CreateAllowedMentions, CreateForumPost,
    CreateMessage, CreateThread, ForumTagId, Nonce, RoleId,
};
use serenity::http::{Http, HttpError};

use super::embeds::{EmbedSpec, briefing_embeds, pack};
use super::escape::escape;
use crate::brief::settings::PostIn;
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
