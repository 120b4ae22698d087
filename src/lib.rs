//! herald: a Discord bot that posts one calm, summarised news briefing per channel.
//!
//! The pipeline reads left to right, one folder per stage:
//! - [`sources`]: fetch feeds over one hardened HTTP client ([`sources::fetch`]), parse them into
//!   [`item::NewItem`]s ([`sources::feed`]), refresh one source end to end ([`sources::ingest`]), and keep
//!   every source fresh in the background ([`sources::poller`]).
//! - [`store`]: SQLite holds sources, items (with full-text search), subscriptions, schedules and the delivery
//!   ledger; all SQL lives there.
//! - [`brief`]: match topic queries ([`brief::query`]), merge the same story told by many outlets
//!   ([`brief::cluster`]), rank and summarise ([`brief::summarize`]) into a [`brief::Briefing`], a plain struct
//!   the terminal renders ([`brief::render`]) and Discord turns into embeds.
//! - [`delivery`]: the scheduler finds channels whose time has come ([`delivery::schedule`],
//!   [`delivery::slots`]), claims each slot with its briefing, and posts it exactly once through an
//!   [`delivery::Outbox`].
//! - [`discord`]: the only code that knows serenity and poise: slash commands over the store and the engine,
//!   the Discord outbox, embeds and escaping.
//!
//! [`text`] holds the language primitives the stages share (folding, stemming, sentences, word frequencies);
//! [`cli`] is the `herald` binary (`run` wires the poller, the scheduler and the Discord client together).

pub mod brief;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod discord;
#[doc(hidden)]
pub mod fuzzing;
pub mod item;
pub mod sources;
pub mod store;
pub mod text;
