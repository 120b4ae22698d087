//! The outbox: what a scheduled post carries, the [`Outbox`] that posts it (Discord, or anything else), and the
//! message nonce that makes a repeated post harmless.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::brief::Briefing;
use crate::brief::channel_settings::PostIn;

/// One channel's scheduled post, fixed when its slot is claimed and stored with the claim, so a retry after
/// a crash posts exactly the same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheduled {
    /// The briefing (no stories: "nothing new").
    pub briefing: Briefing,
    /// The items it covers were first seen from this time on.
    pub since: DateTime<Utc>,
    /// The slot it answers.
    pub due_at: DateTime<Utc>,
    /// The role to ping with it (the channel's opt-in `/settings ping`); nobody else may be mentioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_role: Option<u64>,
    /// Where it goes: the channel, a new thread of it, or a new forum post.
    #[serde(default)]
    pub post_in: PostIn,
    /// What the channel gets when nothing is new (decided when it is composed; only a `say` one is posted).
    #[serde(skip)]
    pub nothing_new: crate::config::NothingNew,
}

/// Why a post failed, by what herald should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PostError {
    /// HTTP 429: wait (`retry_after` when the server said) and try again; `global` means every post waits.
    #[error("rate limited (HTTP 429)")]
    RateLimited {
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
        /// Whether the limit is the bot's global one.
        global: bool,
    },
    /// 5xx, timeout or network: try again later.
    #[error("{0}")]
    Transient(String),
    /// The channel is gone or herald lost access to it: pause the channel, do not retry.
    #[error("{0}")]
    Gone(String),
    /// The request itself was refused (4xx): give this delivery up.
    #[error("{0}")]
    Rejected(String),
}

/// Where scheduled briefings go. Discord's lives in `discord::outbox`; tests use an in-memory one.
pub trait Outbox: Send + Sync + 'static {
    /// One message's content.
    type Part: Send + Sync + 'static;

    /// The messages a post becomes, in order. Must give the same parts for the same post: a retry after a
    /// crash renders again and skips the parts already posted.
    fn render(&self, post: &Scheduled) -> Vec<Self::Part>;

    /// Opens what a post that does not go to the channel itself goes into — a new thread of `channel_id`, or a
    /// new post of the forum `post.post_in` names — and returns its id. Called once per delivery (the id is
    /// recorded before any part is posted); the default posts in the channel.
    fn open(
        &self,
        channel_id: u64,
        _post: &Scheduled,
    ) -> impl Future<Output = Result<u64, PostError>> + Send {
        std::future::ready(Ok(channel_id))
    }

    /// Posts one message to a channel with a nonce the receiver must enforce (a repeated nonce returns the
    /// first message instead of creating another). Returns the message id.
    fn post(
        &self,
        channel_id: u64,
        part: &Self::Part,
        nonce: &str,
    ) -> impl Future<Output = Result<u64, PostError>> + Send;
}

/// The nonce of part `part` of a channel's post for slot `due_at`: 24 hex characters (Discord allows 25),
/// the same however often it is computed, different for every channel, slot and part.
pub fn nonce(channel_id: u64, due_at: DateTime<Utc>, part: usize) -> String {
    let mut h = Sha256::new();
    h.update(channel_id.to_be_bytes());
    h.update(due_at.timestamp().to_be_bytes());
    h.update((part as u64).to_be_bytes());
    h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_stable_short_and_distinct() {
        let t = Utc::now();
        let a = nonce(1, t, 0);
        assert_eq!(a, nonce(1, t, 0));
        assert_eq!(a.len(), 24);
        assert_ne!(a, nonce(2, t, 0));
        assert_ne!(a, nonce(1, t + chrono::Duration::seconds(60), 0));
        assert_ne!(a, nonce(1, t, 1));
    }
}
