//! LLM summaries for a briefing's stories, for channels that chose them: cached per (story, language, length,
//! model) and shared by every channel and server, within a global and a per-server daily token budget, and
//! checked for faithfulness ([`summarize::faithful`]) — an unfaithful answer is asked once more, then the
//! story keeps its extractive summary, marked [`SummaryBy::Fallback`]. Timeouts, 429s, 5xx, malformed answers
//! and a spent budget fall back the same way. Every fallback is logged with its reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::settings::{ChannelSettings, Length, Style};
use super::summarize::faithful;
use super::summarize::llm::{LlmClient, LlmError, SourceText, summarize_story};
use super::{Briefing, SummaryBy};
use crate::config::LlmConfig;
use crate::item::Item;
use crate::store::{Store, StoreError};

/// The LLM summariser: the client and its budgets.
#[derive(Debug, Clone)]
pub struct LlmSummarizer {
    client: LlmClient,
    model: String,
    max_input_tokens: usize,
    daily: u64,
    guild_daily: u64,
}

/// What one briefing's LLM pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LlmRound {
    /// Calls made to the endpoint (every call of a map-reduce story, and retries).
    pub calls: usize,
    /// Stories answered from the cache.
    pub cached: usize,
    /// Stories that kept their extractive summary, marked.
    pub fallbacks: usize,
    /// Tokens spent.
    pub tokens: u64,
}

/// What a channel asks of the LLM: its language and length, and the server its tokens are charged to.
#[derive(Debug, Clone, Copy)]
pub struct LlmAsk<'a> {
    /// BCP 47 tag.
    pub language: &'a str,
    /// Story length.
    pub length: Length,
    /// The server charged.
    pub guild_id: u64,
}

/// Why a story fell back.
#[derive(Debug)]
enum Fallback {
    Budget,
    Call(LlmError),
    Unfaithful(String),
}

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fallback::Budget => write!(f, "the daily LLM token budget is spent"),
            Fallback::Call(e) => write!(f, "{e}"),
            Fallback::Unfaithful(why) => write!(f, "the summary was not faithful twice: {why}"),
        }
    }
}

/// The UTC day tokens are counted in.
fn day(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d").to_string()
}

impl LlmSummarizer {
    /// The summariser for `[llm]`, or `None` when no endpoint is configured.
    pub fn new(cfg: &LlmConfig) -> Option<Self> {
        Some(Self {
            client: LlmClient::new(cfg)?,
            model: cfg.model.clone(),
            max_input_tokens: cfg.max_input_tokens,
            daily: cfg.daily_token_budget,
            guild_daily: cfg.guild_daily_token_budget,
        })
    }

    /// Today's tokens: a server's and everyone's, with their budgets.
    pub async fn usage(
        &self,
        store: &Store,
        guild_id: u64,
        now: DateTime<Utc>,
    ) -> Result<((u64, u64), (u64, u64)), StoreError> {
        let d = day(now);
        Ok((
            (store.llm_tokens(&d, guild_id).await?, self.guild_daily),
            (store.llm_tokens(&d, 0).await?, self.daily),
        ))
    }

    /// The cache key of a story's summary: its reports, the language, the length and the model.
    fn key(&self, item_ids: &[i64], language: &str, length: Length) -> String {
        let mut ids = item_ids.to_vec();
        ids.sort_unstable();
        let mut h = Sha256::new();
        for id in ids {
            h.update(id.to_be_bytes());
        }
        h.update(language.as_bytes());
        h.update([0]);
        h.update(length.name().as_bytes());
        h.update([0]);
        h.update(self.model.as_bytes());
        h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Replaces the summaries of `briefing`'s stories (built from `items`) with LLM summaries in `language`
    /// at `length`, charged to `guild_id`. A story whose LLM summary cannot be had keeps its extractive one,
    /// marked. `headlines` has no summaries to write.
    pub async fn summarize(
        &self,
        store: &Store,
        briefing: &mut Briefing,
        items: &[Item],
        ask: LlmAsk<'_>,
        now: DateTime<Utc>,
    ) -> Result<LlmRound, StoreError> {
        let LlmAsk {
            language,
            length,
            guild_id,
        } = ask;
        let mut round = LlmRound::default();
        if length == Length::Headlines {
            return Ok(round);
        }
        let by_id: HashMap<i64, &Item> = items.iter().map(|i| (i.id, i)).collect();
        for story in &mut briefing.stories {
            let key = self.key(&story.item_ids, language, length);
            if let Some(summary) = store.llm_cached(&key).await? {
                story.summary = vec![summary];
                story.summary_by = SummaryBy::Llm;
                round.cached += 1;
                continue;
            }
            let sources: Vec<SourceText> = story
                .item_ids
                .iter()
                .filter_map(|id| by_id.get(id))
                .enumerate()
                .map(|(n, i)| SourceText {
                    number: n + 1,
                    outlet: i.source_name.clone(),
                    title: i.title.clone(),
                    text: crate::text::prose(i.full_text()).into_owned(),
                })
                .collect();
            if sources.len() != story.item_ids.len() {
                // The story's reports are not all at hand; its citations would not line up.
                continue;
            }
            let texts: Vec<String> = sources
                .iter()
                .map(|s| format!("{}\n{}", s.title, s.text))
                .collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut outcome = Err(Fallback::Budget);
            for _attempt in 0..2 {
                let ((mine, mine_cap), (all, all_cap)) = self.usage(store, guild_id, now).await?;
                if mine >= mine_cap || all >= all_cap {
                    outcome = Err(Fallback::Budget);
                    break;
                }
                match summarize_story(
                    &self.client,
                    &sources,
                    language,
                    length,
                    self.max_input_tokens,
                )
                .await
                {
                    Ok(a) => {
                        metrics::counter!("herald_llm_calls_total").increment(a.calls as u64);
                        metrics::counter!("herald_llm_tokens_total").increment(a.tokens);
                        round.calls += a.calls;
                        round.tokens += a.tokens;
                        store.add_llm_tokens(&day(now), guild_id, a.tokens).await?;
                        match faithful::check(&a.text, &texts) {
                            Ok(()) => {
                                outcome = Ok(a.text);
                                break;
                            }
                            Err(e) => outcome = Err(Fallback::Unfaithful(e.0)),
                        }
                    }
                    Err(e) => {
                        metrics::counter!("herald_llm_calls_total").increment(1);
                        round.calls += 1;
                        outcome = Err(Fallback::Call(e));
                        break;
                    }
                }
            }
            match outcome {
                Ok(text) => {
                    store.llm_cache_put(&key, &text, 0, now).await?;
                    story.summary = vec![text];
                    story.summary_by = SummaryBy::Llm;
                }
                Err(why) => {
                    tracing::info!(guild = guild_id, story = %story.headline, reason = %why, "LLM summary fell back to extractive");
                    story.summary_by = SummaryBy::Fallback;
                    metrics::counter!("herald_llm_fallbacks_total").increment(1);
                    round.fallbacks += 1;
                }
            }
        }
        Ok(round)
    }
}

/// Writes a channel's summaries in the style it chose: LLM summaries when it chose them and this herald has an
/// endpoint (without one, its stories are marked as extractive fallbacks); nothing for extractive channels.
pub async fn apply_style(
    llm: Option<&LlmSummarizer>,
    store: &Store,
    briefing: &mut Briefing,
    items: &[Item],
    settings: &ChannelSettings,
    guild_id: u64,
    now: DateTime<Utc>,
) -> Result<LlmRound, StoreError> {
    if settings.style != Style::Llm {
        return Ok(LlmRound::default());
    }
    let length = settings.length.unwrap_or(Length::Short);
    match llm {
        Some(llm) => {
            let ask = LlmAsk {
                language: settings.llm_language(),
                length,
                guild_id,
            };
            llm.summarize(store, briefing, items, ask, now).await
        }
        None => {
            if length != Length::Headlines {
                for s in &mut briefing.stories {
                    s.summary_by = SummaryBy::Fallback;
                }
            }
            Ok(LlmRound {
                fallbacks: briefing.stories.len(),
                ..LlmRound::default()
            })
        }
    }
}
