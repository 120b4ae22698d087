//! Where items come from: fetching over HTTP ([`fetch`]), decoding to UTF-8 ([`encoding`]), parsing feeds
//! ([`feed`]) and HTML ([`html`]), reading the article behind an item ([`extract`], [`articles`]),
//! searching news providers ([`search`]), refreshing a source end to end ([`ingest`]), a server adding a feed
//! ([`add_feed`]), and keeping every source fresh in the background ([`poller`]).

pub mod add_feed;
pub mod articles;
pub mod boilerplate;
pub mod encoding;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod html;
pub mod ingest;
pub mod poller;
pub mod search;
