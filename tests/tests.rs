#![recursion_limit = "256"]
//! herald's integration tests, in one binary so serenity, sqlx and axum link once: the bot through the real
//! serenity client against a fake Discord, the `herald` binary as a user runs it, the crash test, and the
//! fetch path against a fixture server — all on 127.0.0.1, with fixtures from `tests/fixtures/`.

mod articles;
mod backends;
mod bot;
mod check;
mod cli;
mod crash;
mod discord_limits;
mod docker;
mod fetch;
mod fuzz_corpus;
mod layers;
mod llm;
mod search;
mod support;
