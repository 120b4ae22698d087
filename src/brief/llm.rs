//! LLM summaries for a briefing's stories, for channels that chose them: cached per (story, language, length,
//! model) and shared by every channel and server, within a global and a per-server daily token budget, and
//! checked for faithfulness ([`summarize::faithful`]) — an unfaithful answer is asked once more, then the
//! story keeps its extractive summary, marked [`SummaryBy::Fallback`]. Timeouts, 429s, 5xx, malformed answers
//! and a spent budget fall back the same way. Every fallback is logged with its reason.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::channel_settings::{ChannelSettings, Length, Style};
use super::summarize::faithful;
use super::summarize::llm::{LlmClient, LlmError, Meter, SourceText, summarize_story};
use super::{Briefing, SummaryBy};
use crate::config::LlmConfig;
use crate::item::Item;
use crate::store::{Store, StoreError};
use futures_util::future::BoxFuture;

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
    /// Stories that failed earlier today and were not asked again (counted in `fallbacks` too).
    pub remembered: usize,
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
    Call(LlmError),
    Unfaithful(String),
}

impl Fallback {
    /// The reason in a few words (`"fallback"` in JSON, remembered for the day).
    fn short(&self) -> String {
        match self {
            Fallback::Call(e) => e.short(),
            Fallback::Unfaithful(why) => format!("unfaithful: {why}"),
        }
    }

    /// Whether the story is not asked again today: a summary unfaithful twice, or a call that failed. A spent
    /// budget is not remembered (another server's budget may cover the same story), nor a counting error.
    fn remembered(&self) -> bool {
        !matches!(
            self,
            Fallback::Call(LlmError::Budget | LlmError::Accounting(_))
        )
    }
}

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fallback::Call(e) => write!(f, "{e}"),
            Fallback::Unfaithful(why) => write!(f, "the summary was not faithful twice: {why}"),
        }
    }
}

/// The budgets of one story's calls: the server's and everyone's for the day, reserved per call in the store.
struct StoreMeter<'a> {
    store: &'a Store,
    day: String,
    guild_id: u64,
    guild_cap: u64,
    all_cap: u64,
    spent: AtomicU64,
    calls: AtomicUsize,
}

impl Meter for StoreMeter<'_> {
    fn reserve(&self, tokens: u64) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async move {
            match self
                .store
                .reserve_llm_tokens(
                    &self.day,
                    self.guild_id,
                    tokens,
                    self.guild_cap,
                    self.all_cap,
                )
                .await
            {
                Ok(true) => Ok(()),
                Ok(false) => Err(LlmError::Budget),
                Err(e) => Err(LlmError::Accounting(e.to_string())),
            }
        })
    }

    fn settle(&self, reserved: u64, spent: u64) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async move {
            self.spent.fetch_add(spent, Ordering::Relaxed);
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.store
                .settle_llm_tokens(&self.day, self.guild_id, reserved, spent)
                .await
                .map_err(|e| LlmError::Accounting(e.to_string()))
        })
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

    /// The cache key of a story's summary: its reports, the language, the length, the model, and for an
    /// update what the reader was told before (another reader's update of the same reports is another text).
    fn key(&self, item_ids: &[i64], known: &[String], language: &str, length: Length) -> String {
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
        for k in known {
            h.update([0]);
            h.update(k.as_bytes());
        }
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
        let today = day(now);
        for story in &mut briefing.stories {
            let key = self.key(&story.item_ids, &story.known, language, length);
            if let Some(summary) = store.llm_cached(&key).await? {
                story.summary = vec![summary];
                story.summary_by = SummaryBy::Llm;
                story.fallback = None;
                round.cached += 1;
                continue;
            }
            // A story whose summary failed today is not asked again until it changes (a new key) or tomorrow.
            if let Some(reason) = store.llm_failure(&key, &today).await? {
                story.summary_by = SummaryBy::Fallback;
                story.fallback = Some(reason);
                round.fallbacks += 1;
                round.remembered += 1;
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
                    date: i.time().format("%-d %B %Y").to_string(),
                })
                .collect();
            if sources.len() != story.item_ids.len() {
                // The story's reports are not all at hand; its citations would not line up.
                continue;
            }
            // Everything the model is shown counts as source: outlet names, dates, headlines and texts.
            let shown: Vec<String> = sources.iter().map(SourceText::shown).collect();
            let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
            let meter = StoreMeter {
                store,
                day: today.clone(),
                guild_id,
                guild_cap: self.guild_daily,
                all_cap: self.daily,
                spent: AtomicU64::new(0),
                calls: AtomicUsize::new(0),
            };
            let mut outcome = Err(Fallback::Call(LlmError::Budget));
            for _attempt in 0..2 {
                match summarize_story(
                    &self.client,
                    &meter,
                    &sources,
                    language,
                    length,
                    self.max_input_tokens,
                    &story.known,
                )
                .await
                {
                    Ok(a) => match faithful::check(&a.text, &shown) {
                        Ok(()) => {
                            outcome = Ok(a.text);
                            break;
                        }
                        Err(e) => outcome = Err(Fallback::Unfaithful(e.0)),
                    },
                    Err(e) => {
                        outcome = Err(Fallback::Call(e));
                        break;
                    }
                }
            }
            let (calls, tokens) = (
                meter.calls.load(Ordering::Relaxed),
                meter.spent.load(Ordering::Relaxed),
            );
            metrics::counter!("herald_llm_calls_total").increment(calls as u64);
            metrics::counter!("herald_llm_tokens_total").increment(tokens);
            round.calls += calls;
            round.tokens += tokens;
            match outcome {
                Ok(text) => {
                    store.llm_cache_put(&key, &text, tokens, now).await?;
                    story.summary = vec![text];
                    story.summary_by = SummaryBy::Llm;
                    story.fallback = None;
                }
                Err(why) => {
                    tracing::info!(guild = guild_id, story = %story.headline, reason = %why, "LLM summary fell back to extractive");
                    if why.remembered() {
                        store
                            .llm_failure_put(&key, &today, &why.short(), now)
                            .await?;
                    }
                    story.summary_by = SummaryBy::Fallback;
                    story.fallback = Some(why.short());
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
                    s.fallback = Some("no LLM endpoint configured".to_owned());
                }
            }
            Ok(LlmRound {
                fallbacks: briefing.stories.len(),
                ..LlmRound::default()
            })
        }
    }
}
