//! herald: a Discord bot that posts one calm, summarised news briefing per channel.
//!
//! The pipeline reads left to right, one module per stage:
//! [`sources`] fetch and parse feeds → [`store`] keeps items in SQLite → [`brief`] matches topics, merges the
//! same story told by many outlets, ranks and summarises → a [`brief::Briefing`], a plain struct that the
//! terminal (`herald brief`) or Discord renders. [`text`] holds the language primitives the stages share.

pub mod brief;
pub mod clock;
pub mod config;
pub mod deliver;
pub mod discord;
pub mod model;
pub mod poller;
pub mod schedule;
pub mod scheduler;
pub mod sources;
pub mod store;
pub mod text;
