//! The one call that makes a briefing, for every front end: `/briefing`, a channel's scheduled briefing and
//! `herald brief` each gather their items and settings, then ask [`Briefer::brief`], which reads the reader's
//! memory, builds the briefing (only what is new to that reader), and writes the summaries in the style the
//! settings ask for. A feature added here reaches Discord, schedules and the terminal at once.

use chrono::{DateTime, Utc};

use super::channel_settings::ChannelSettings;
use super::llm::{LlmRound, LlmSummarizer, apply_style};
use super::{Briefing, Options, build_briefing_for, memory};
use crate::item::Item;
use crate::query::Query;
use crate::store::{Recall, Store, StoreError};

/// Items read for one briefing at most, by every front end.
pub const MAX_ITEMS: usize = 5000;

/// Makes briefings: the store (for reader memory, the LLM cache and budgets) and the LLM, if configured.
#[derive(Clone, Copy)]
pub struct Briefer<'a> {
    /// The store.
    pub store: &'a Store,
    /// The LLM endpoint, when `[llm]` names one.
    pub llm: Option<&'a LlmSummarizer>,
}

/// What one briefing is asked for.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The candidate items, newest first (as the store returns them).
    pub items: &'a [Item],
    /// The topics it answers (any of them); none: every item.
    pub topics: &'a [Query],
    /// The shape: story count and summary length before the settings' own.
    pub base: Options,
    /// The channel's settings (or the terminal's flags as settings).
    pub settings: &'a ChannelSettings,
    /// Whose memory it reads (a channel's or a named reader's key); `None`: tell everything.
    pub reader: Option<&'a str>,
    /// The server its LLM tokens count toward (0: only the global budget).
    pub guild_id: u64,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A finished briefing and what its LLM round cost.
#[derive(Debug)]
pub struct Made {
    /// The briefing, styled.
    pub briefing: Briefing,
    /// LLM calls made and cached answers used.
    pub round: LlmRound,
}

impl Briefer<'_> {
    /// The briefing `request` asks for: what is new to its reader, summarised in its settings' style.
    pub async fn brief(&self, request: Request<'_>) -> Result<Made, StoreError> {
        let recall = match request.reader {
            Some(reader) => memory::recall(self.store, reader, request.now).await?,
            None => Recall::default(),
        };
        let mut briefing = build_briefing_for(
            request.items,
            request.topics,
            request.settings.options(request.base),
            request.now,
            &recall,
        );
        if request.settings.images_off {
            for s in &mut briefing.stories {
                s.image = None;
            }
        }
        let round = apply_style(
            self.llm,
            self.store,
            &mut briefing,
            request.items,
            request.settings,
            request.guild_id,
            request.now,
        )
        .await?;
        Ok(Made { briefing, round })
    }
}
