//! Per-channel briefing settings (`channel_settings`), each named column mapped to its enum (an unknown stored
//! name is an error, see [`super::names`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::names::{Named, stored_by_name};
use super::{DbOptId, Store, StoreError, id_in, on, to_secs};
use crate::config::NothingNew;

/// How summaries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// herald's own extractive summaries (no key; each article's own language).
    #[default]
    Extractive,
    /// An LLM's, checked against the sources (falls back to extractive).
    Llm,
}

impl Named for Style {
    const ALL: &'static [Self] = &[Style::Extractive, Style::Llm];
    fn stored_name(self) -> &'static str {
        match self {
            Style::Extractive => "extractive",
            Style::Llm => "llm",
        }
    }
}
stored_by_name!(Style);

/// How long each story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Length {
    /// Titles and links only.
    Headlines,
    /// One or two sentences.
    Short,
    /// A paragraph.
    Full,
}

impl Length {
    /// Its name as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Length::Headlines => "headlines",
            Length::Short => "short",
            Length::Full => "full",
        }
    }

    /// The length a name stands for (`headlines`, `short`, `full`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_stored(s).ok()
    }
}

impl Named for Length {
    const ALL: &'static [Self] = &[Length::Headlines, Length::Short, Length::Full];
    fn stored_name(self) -> &'static str {
        self.name()
    }
}
stored_by_name!(Length);

/// Where a channel's scheduled briefings go, as the `post_in` column names it (the forum itself is a column of
/// its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// In the channel.
    #[default]
    Channel,
    /// In a new thread per briefing.
    Thread,
    /// As a new post of the forum `forum_id` names.
    Forum,
}

impl Named for Placement {
    const ALL: &'static [Self] = &[Placement::Channel, Placement::Thread, Placement::Forum];
    fn stored_name(self) -> &'static str {
        match self {
            Placement::Channel => "channel",
            Placement::Thread => "thread",
            Placement::Forum => "forum",
        }
    }
}
stored_by_name!(Placement);

impl Named for NothingNew {
    const ALL: &'static [Self] = &[NothingNew::Say, NothingNew::Silent];
    fn stored_name(self) -> &'static str {
        match self {
            NothingNew::Say => "say",
            NothingNew::Silent => "silent",
        }
    }
}
stored_by_name!(NothingNew);

/// Whether stories show their lead image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Images {
    /// Shown (the default).
    On,
    /// Text only.
    Off,
}

impl Named for Images {
    const ALL: &'static [Self] = &[Images::On, Images::Off];
    fn stored_name(self) -> &'static str {
        match self {
            Images::On => "on",
            Images::Off => "off",
        }
    }
}
stored_by_name!(Images);

/// A channel's settings as stored (`brief::channel_settings` reads them, defaults filled in).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelSettingsRow {
    /// Extractive or LLM.
    pub style: Style,
    /// BCP 47 tag of LLM summaries.
    pub language: Option<String>,
    /// Story length; `None`: the config's default.
    pub length: Option<Length>,
    /// Stories per briefing; `None`: the config's.
    pub max_stories: Option<i64>,
    /// Channel, thread or forum.
    pub post_in: Placement,
    /// The forum channel, when `post_in` is `forum`.
    #[sqlx(try_from = "DbOptId")]
    pub forum_id: Option<u64>,
    /// The tag forum posts get.
    #[sqlx(try_from = "DbOptId")]
    pub forum_tag: Option<u64>,
    /// The role pinged with scheduled briefings.
    #[sqlx(try_from = "DbOptId")]
    pub ping_role: Option<u64>,
    /// What a briefing with nothing new does; `None`: the config's `[schedule] nothing_new`.
    pub nothing_new: Option<NothingNew>,
    /// Whether stories show their lead image; `None`: on.
    pub images: Option<Images>,
}

impl Store {
    /// A channel's settings, if it has any.
    pub async fn channel_settings(
        &self,
        channel_id: u64,
    ) -> Result<Option<ChannelSettingsRow>, StoreError> {
        Ok(on!(self, pool => sqlx::query_as::<_, ChannelSettingsRow>(
            "SELECT style, language, length, max_stories, post_in, forum_id, forum_tag, ping_role, nothing_new, \
             images FROM channel_settings WHERE channel_id = $1",
        )
        .bind(id_in(channel_id))
        .fetch_optional(pool)
        .await)?)
    }

    /// Stores a channel's settings.
    pub async fn set_channel_settings(
        &self,
        guild_id: u64,
        channel_id: u64,
        s: &ChannelSettingsRow,
        by: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO channel_settings (channel_id, guild_id, style, language, length, max_stories, post_in, \
             forum_id, forum_tag, ping_role, updated_by, updated_at, nothing_new, images) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id, style = excluded.style, \
             language = excluded.language, length = excluded.length, max_stories = excluded.max_stories, \
             post_in = excluded.post_in, forum_id = excluded.forum_id, forum_tag = excluded.forum_tag, \
             ping_role = excluded.ping_role, nothing_new = excluded.nothing_new, images = excluded.images, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(id_in(channel_id))
        .bind(id_in(guild_id))
        .bind(s.style)
        .bind(&s.language)
        .bind(s.length)
        .bind(s.max_stories)
        .bind(s.post_in)
        .bind(s.forum_id.map(id_in))
        .bind(s.forum_tag.map(id_in))
        .bind(s.ping_role.map(id_in))
        .bind(id_in(by))
        .bind(to_secs(now))
        .bind(s.nothing_new)
        .bind(s.images)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;

    /// Settings come back as stored, each name as its enum; a name herald does not know (a newer herald's, or
    /// a hand edit) is an error naming the value and what herald expects, never silently the default.
    #[tokio::test]
    async fn named_columns_round_trip_and_unknown_names_are_errors() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let row = ChannelSettingsRow {
            style: Style::Llm,
            length: Some(Length::Headlines),
            post_in: Placement::Thread,
            nothing_new: Some(NothingNew::Say),
            images: Some(Images::Off),
            ..ChannelSettingsRow::default()
        };
        store
            .set_channel_settings(1, 10, &row, 5, now)
            .await
            .unwrap();
        assert_eq!(store.channel_settings(10).await.unwrap(), Some(row));
        on!(store, pool => sqlx::query("UPDATE channel_settings SET style = 'fancy' WHERE channel_id = 10")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        let err = store.channel_settings(10).await.unwrap_err().to_string();
        assert!(
            err.contains("\"fancy\"") && err.contains("extractive, llm"),
            "{err}"
        );
        assert_eq!(
            Length::from_stored("tiny").unwrap_err().expected,
            "headlines, short, full"
        );
        assert_eq!(Placement::from_stored("forum"), Ok(Placement::Forum));
    }
}
