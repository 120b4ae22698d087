//! Slash commands, one file per feature. Each is a plain `async fn`; failures go to the shared `on_error`.

mod briefing;
mod help;
mod search;
mod sources;
mod subscribe;

use super::bot::{CommandError, Data};

/// Every command herald registers.
pub fn all() -> Vec<poise::Command<Data, CommandError>> {
    vec![
        help::help(),
        subscribe::subscribe(),
        subscribe::unsubscribe(),
        subscribe::topics(),
        sources::sources(),
        briefing::briefing(),
        search::search(),
    ]
}
