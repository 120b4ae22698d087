//! The writes the poll hands to the one writer (`writer.rs`): what each job carries, apart from the
//! writer that commits them and the table files that know their SQL.

use chrono::{DateTime, Utc};

use crate::item::NewItem;

/// One write of the poll's.
#[derive(Debug)]
pub(super) enum Work {
    /// A source's items (see `Store::insert_items`).
    Items {
        source_id: i64,
        items: Vec<NewItem>,
        backlog: bool,
        now: DateTime<Utc>,
    },
    /// A poll with a new body: its items (what is new, and what is backlog), then the fetch record, in one
    /// write, so a record never lands without its items (see `Store::store_poll`).
    Poll {
        source_id: i64,
        fresh: Vec<NewItem>,
        fresh_backlog: bool,
        old: Vec<NewItem>,
        fetched: FeedMeta,
        now: DateTime<Utc>,
    },
    /// A fetch with a new body (see `Store::source_fetched`).
    Fetched {
        id: i64,
        title: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        now: DateTime<Utc>,
    },
    /// A 304 (see `Store::source_not_modified`).
    NotModified { id: i64, now: DateTime<Utc> },
    /// When a source is polled next (see `Store::set_next_fetch`).
    NextFetch { id: i64, at: DateTime<Utc> },
}

impl Work {
    pub(super) fn items(&self) -> usize {
        match self {
            Work::Items { items, .. } => items.len(),
            Work::Poll { fresh, old, .. } => fresh.len() + old.len() + 1,
            _ => 1,
        }
    }
}

/// What a fetch with a new body records about its source.
#[derive(Debug, Clone, Default)]
pub struct FeedMeta {
    /// The feed's title.
    pub title: Option<String>,
    /// Its ETag.
    pub etag: Option<String>,
    /// Its Last-Modified.
    pub last_modified: Option<String>,
}
