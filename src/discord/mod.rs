//! Discord: the only module that knows serenity and poise. It translates between Discord and the core.

pub mod bot;
pub mod commands;
pub mod context;
pub mod cooldown;
pub mod embeds;
pub mod escape;
pub mod http;
pub mod outbox;
