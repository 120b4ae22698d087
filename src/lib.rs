//! herald: a Discord bot that posts one calm, summarised news briefing per channel.
//!
//! The pipeline reads left to right, one folder per stage:
//! - [`sources`]: search news providers for every topic ([`sources::search`]), fetch feeds over one hardened
//!   HTTP client ([`sources::fetch`]), parse them into
//!   [`item::NewItem`]s ([`sources::feed`]), refresh one source end to end ([`sources::ingest`]), keep
//!   every source fresh in the background ([`sources::poller`]), and read the article page behind each item
//!   ([`sources::extract`], [`sources::articles`]).
//! - [`store`]: SQLite holds sources, items (with full-text search), the articles read, subscriptions,
//!   schedules and the delivery ledger; all SQL lives there.
//! - [`brief`]: match topic queries ([`query`]), group the reports of one event told by many outlets
//!   into a story ([`brief::cluster`]), rank and summarise from the articles ([`brief::summarize`], or an LLM
//!   checked for faithfulness: [`brief::llm`], per channel [`brief::channel_settings`]) into a
//!   [`brief::Briefing`], a plain struct the terminal renders ([`brief::render`]) and Discord turns into
//!   embeds.
//! - [`delivery`]: the scheduler finds channels whose time has come ([`delivery::schedule`],
//!   [`delivery::slots`]), claims each slot with its briefing, and posts it exactly once through an
//!   [`delivery::Outbox`].
//! - [`discord`]: the only code that knows serenity and poise: slash commands over the store and the engine,
//!   the Discord outbox, embeds and escaping.
//!
//! - [`brief`] also remembers, per reader, what it told ([`brief::memory`]), and [`brief::briefer`] is the one
//!   call every front end makes for a briefing.
//!
//! [`config`] and [`locale`] are the lowest layer (they import nothing of herald's), with [`USER_AGENT`].
//! [`text`] holds the language primitives the stages share (folding, stemming, sentences, word frequencies);
//! [`upkeep`] keeps the store bounded (retention, servers that leave); [`cli`] is the `herald` binary (`run`
//! wires the poller, the article reader, the scheduler, upkeep and the Discord client together).

/// How herald names itself to every server it asks (feeds, pages, search providers, LLM endpoints).
pub const USER_AGENT: &str = concat!("herald/", env!("CARGO_PKG_VERSION"), " (news briefing bot)");

pub mod brief;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod discord;
#[cfg(feature = "testing")]
pub mod fuzzing;
pub mod item;
pub mod locale;
pub mod query;
pub mod report;
pub mod sources;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod upkeep;
