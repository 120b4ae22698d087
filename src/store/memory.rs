//! Reader memory: the stories herald told each reader (a Discord channel, or a name given to
//! `herald brief --reader`), the items each story told and the sentences its summaries said, so the next
//! briefing tells only what is new.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::items::{ItemRow, JOIN_SOURCE, SELECT_ITEMS, items};
use super::{DbOptId, DbTime, Store, StoreError, WriteTx, for_both_tx, id_in, limit, on, to_secs};
use crate::item::Item;

/// A story told to a reader before, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ToldStory {
    /// Its id in the reader's memory.
    pub id: i64,
    /// The headline it was first told with.
    pub headline: String,
    /// When it was first told.
    #[sqlx(try_from = "DbTime")]
    pub first_told_at: DateTime<Utc>,
    /// When it was last told (first, or as an update).
    #[sqlx(try_from = "DbTime")]
    pub last_told_at: DateTime<Utc>,
    /// The server its first telling was posted in (Discord readers).
    #[sqlx(try_from = "DbOptId")]
    pub guild_id: Option<u64>,
    /// The channel (or the thread) its first telling was posted in.
    #[sqlx(try_from = "DbOptId")]
    pub channel_id: Option<u64>,
    /// The message of its first telling, once posted.
    #[sqlx(try_from = "DbOptId")]
    pub message_id: Option<u64>,
}

impl ToldStory {
    /// A link to the message that first told it, when it was posted on Discord.
    pub fn message_link(&self) -> Option<String> {
        match (self.guild_id, self.channel_id, self.message_id) {
            (Some(g), Some(c), Some(m)) => {
                Some(format!("https://discord.com/channels/{g}/{c}/{m}"))
            }
            _ => None,
        }
    }
}

/// What a reader was told recently: the items (whole, to compare today's news with), which story each
/// belongs to, the stories, and the sentences their summaries said.
#[derive(Debug, Clone, Default)]
pub struct Recall {
    /// The items told, newest telling first.
    pub items: Vec<Item>,
    /// Item id → the story it was told with.
    pub story_of: HashMap<i64, i64>,
    /// The stories, by id.
    pub stories: HashMap<i64, ToldStory>,
    /// Story id → the sentences its summaries said, in the order told.
    pub sentences: HashMap<i64, Vec<String>>,
}

impl Recall {
    /// Whether the reader was told nothing (a new reader, or one whose memory expired).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// One story told now, to remember.
#[derive(Debug, Clone, PartialEq)]
pub struct Telling {
    /// The story in the reader's memory this one continues (an update), or `None` for a new story.
    pub story_id: Option<i64>,
    /// Its headline.
    pub headline: String,
    /// The items it told (listed, and those told with them as the same page).
    pub item_ids: Vec<i64>,
    /// What its summary said.
    pub sentences: Vec<String>,
}

/// Where a briefing was posted, so an update can link to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// The server.
    pub guild_id: Option<u64>,
    /// The channel (or thread).
    pub channel_id: Option<u64>,
    /// The message, when known now (a /briefing reply).
    pub message_id: Option<u64>,
    /// The scheduled delivery that posts it (its first message becomes the link once posted).
    pub delivery_id: Option<i64>,
}

/// The reader key of a Discord channel.
pub fn channel_reader(channel_id: u64) -> String {
    format!("channel:{channel_id}")
}

/// The reader key of a name given to `herald brief --reader`.
pub fn named_reader(name: &str) -> String {
    format!("name:{name}")
}

/// Recording tellings inside a caller's transaction (a delivery's claim records them with it).
pub(super) trait RememberTx {
    /// Records `tellings` for `reader` at `now`, posted at `place`.
    async fn remember_in(
        &mut self,
        reader: &str,
        tellings: &[Telling],
        place: Place,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error>;
}

for_both_tx!(RememberTx {
    async fn remember_in(
        &mut self,
        reader: &str,
        tellings: &[Telling],
        place: Place,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        for t in tellings {
            // An update continues its story (when the story is still remembered); anything else starts one.
            let existing = match t.story_id {
                Some(id) => sqlx::query_scalar::<_, i64>(
                    "UPDATE told_stories SET last_told_at = $1 WHERE id = $2 AND reader = $3 RETURNING id",
                )
                .bind(to_secs(now))
                .bind(id)
                .bind(reader)
                .fetch_optional(&mut **self)
                .await?,
                None => None,
            };
            let story_id = match existing {
                Some(id) => id,
                None => sqlx::query_scalar::<_, i64>(
                    "INSERT INTO told_stories (reader, headline, first_told_at, last_told_at, guild_id, \
                     channel_id, message_id, delivery_id) VALUES ($1, $2, $3, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(reader)
                .bind(&t.headline)
                .bind(to_secs(now))
                .bind(place.guild_id.map(id_in))
                .bind(place.channel_id.map(id_in))
                .bind(place.message_id.map(id_in))
                .bind(place.delivery_id)
                .fetch_one(&mut **self)
                .await?,
            };
            for item in &t.item_ids {
                // An item deleted meanwhile (retention) is simply not remembered.
                sqlx::query(
                    "INSERT INTO told_items (reader, item_id, story_id, told_at, delivery_id) \
                     SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM items WHERE id = $2) \
                     ON CONFLICT (reader, item_id) DO NOTHING",
                )
                .bind(reader)
                .bind(item)
                .bind(story_id)
                .bind(to_secs(now))
                .bind(place.delivery_id)
                .execute(&mut **self)
                .await?;
            }
            for sentence in &t.sentences {
                sqlx::query(
                    "INSERT INTO told_sentences (story_id, sentence, told_at, delivery_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(story_id)
                .bind(sentence)
                .bind(to_secs(now))
                .bind(place.delivery_id)
                .execute(&mut **self)
                .await?;
            }
        }
        Ok(())
    }
});

/// A told item's story, as sqlx maps it.
#[derive(sqlx::FromRow)]
struct StoryOf {
    item_id: i64,
    story_id: i64,
}

/// A told sentence, as sqlx maps it.
#[derive(sqlx::FromRow)]
struct SentenceRow {
    story_id: i64,
    sentence: String,
}

impl Store {
    /// What `reader` was told at or after `since`: up to `max` items (newest telling first), their stories
    /// and what those stories' summaries said.
    pub async fn recall(
        &self,
        reader: &str,
        since: DateTime<Utc>,
        max: usize,
    ) -> Result<Recall, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, ItemRow>(&format!(
            "{SELECT_ITEMS} FROM told_items t JOIN items i ON i.id = t.item_id {JOIN_SOURCE} \
             WHERE t.reader = $1 AND t.told_at >= $2 ORDER BY t.told_at DESC, i.id DESC LIMIT $3"
        ))
        .bind(reader)
        .bind(to_secs(since))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        let told = items(rows);
        if told.is_empty() {
            return Ok(Recall::default());
        }
        let pairs = on!(self, pool => sqlx::query_as::<_, StoryOf>(
            "SELECT item_id, story_id FROM told_items WHERE reader = $1 AND told_at >= $2",
        )
        .bind(reader)
        .bind(to_secs(since))
        .fetch_all(pool)
        .await)?;
        let stories = on!(self, pool => sqlx::query_as::<_, ToldStory>(
            "SELECT s.id, s.headline, s.first_told_at, s.last_told_at, s.guild_id, \
             COALESCE(d.thread_id, s.channel_id) AS channel_id, COALESCE(s.message_id, d.message_id) AS message_id \
             FROM told_stories s LEFT JOIN deliveries d ON d.id = s.delivery_id \
             WHERE s.reader = $1 AND s.id IN (SELECT story_id FROM told_items WHERE reader = $1 AND told_at >= $2)",
        )
        .bind(reader)
        .bind(to_secs(since))
        .fetch_all(pool)
        .await)?;
        let sentences = on!(self, pool => sqlx::query_as::<_, SentenceRow>(
            "SELECT t.story_id, t.sentence FROM told_sentences t JOIN told_stories s ON s.id = t.story_id \
             WHERE s.reader = $1 AND s.last_told_at >= $2 ORDER BY t.told_at, t.story_id",
        )
        .bind(reader)
        .bind(to_secs(since))
        .fetch_all(pool)
        .await)?;
        let mut recall = Recall {
            story_of: pairs.into_iter().map(|p| (p.item_id, p.story_id)).collect(),
            stories: stories.into_iter().map(|s| (s.id, s)).collect(),
            ..Recall::default()
        };
        recall.items = told
            .into_iter()
            .filter(|i| recall.story_of.contains_key(&i.id))
            .collect();
        for s in sentences {
            recall
                .sentences
                .entry(s.story_id)
                .or_default()
                .push(s.sentence);
        }
        Ok(recall)
    }

    /// Records that `reader` was told `tellings` at `now`, posted at `place`, in one transaction.
    pub async fn remember(
        &self,
        reader: &str,
        tellings: &[Telling],
        place: Place,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if tellings.is_empty() {
            return Ok(());
        }
        on!(self, pool => {
            let mut tx = pool.write_tx().await?;
            tx.remember_in(reader, tellings, place, now).await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// How many stories `reader` remembers (for tests and `herald stats`-style checks).
    pub async fn told_story_count(&self, reader: &str) -> Result<u64, StoreError> {
        let n: i64 = on!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM told_stories WHERE reader = $1",
        )
        .bind(reader)
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::NewItem;
    use crate::store::test_util::{temp_config, temp_store};
    use chrono::{Duration, TimeZone};

    fn item(guid: &str, title: &str) -> NewItem {
        NewItem {
            guid: guid.into(),
            url: Some(format!("https://a.example/{guid}")),
            title: title.into(),
            author: None,
            published_at: None,
            snippet: format!("{title} in detail."),
            body: String::new(),
            lang: None,
            outlet: None,
            image: None,
        }
    }

    async fn two_items(store: &Store, now: DateTime<Utc>) -> Vec<i64> {
        let feed = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        store
            .insert_items(
                feed.id,
                &[item("a", "Talks open"), item("b", "Talks go on")],
                false,
                now,
            )
            .await
            .unwrap();
        let mut ids: Vec<i64> = store
            .items_of_sources(&[feed.id], None, 10)
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn each_reader_remembers_its_own_stories_and_an_update_continues_one() {
        let (store, _dir) = temp_store().await;
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let ids = two_items(&store, now).await;
        let place = Place {
            guild_id: Some(1),
            channel_id: Some(9),
            message_id: Some(55),
            delivery_id: None,
        };
        let first = Telling {
            story_id: None,
            headline: "Talks open".into(),
            item_ids: vec![ids[0]],
            sentences: vec!["Talks opened in Istanbul.".into()],
        };
        store
            .remember(&channel_reader(9), &[first], place, now)
            .await
            .unwrap();
        let r = store
            .recall(&channel_reader(9), now - Duration::days(7), 100)
            .await
            .unwrap();
        assert_eq!(r.items.len(), 1);
        let story = r.story_of[&ids[0]];
        assert_eq!(
            r.stories[&story].message_link().as_deref(),
            Some("https://discord.com/channels/1/9/55")
        );
        assert_eq!(r.sentences[&story], ["Talks opened in Istanbul."]);
        assert!(
            store
                .recall(&named_reader("week"), now - Duration::days(7), 100)
                .await
                .unwrap()
                .is_empty(),
            "another reader was told nothing"
        );
        assert!(
            store
                .recall(&channel_reader(10), now - Duration::days(7), 100)
                .await
                .unwrap()
                .is_empty(),
            "nor another channel"
        );
        // A day later the story is updated: same story, its new item and sentence added.
        let later = now + Duration::days(1);
        let update = Telling {
            story_id: Some(story),
            headline: "Talks go on".into(),
            item_ids: vec![ids[1]],
            sentences: vec!["A prisoner swap was agreed.".into()],
        };
        store
            .remember(&channel_reader(9), &[update], Place::default(), later)
            .await
            .unwrap();
        let r = store
            .recall(&channel_reader(9), now - Duration::days(7), 100)
            .await
            .unwrap();
        assert_eq!(r.stories.len(), 1);
        assert_eq!(r.story_of[&ids[1]], story);
        assert_eq!(
            (
                r.stories[&story].first_told_at,
                r.stories[&story].last_told_at
            ),
            (now, later)
        );
        assert_eq!(r.sentences[&story].len(), 2);
        assert_eq!(store.told_story_count(&channel_reader(9)).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn memory_survives_a_restart_and_goes_with_retention() {
        let (cfg, _dir) = temp_config();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let reader = named_reader("week");
        {
            let store = Store::open(&cfg).await.unwrap();
            let ids = two_items(&store, now).await;
            let told = Telling {
                story_id: None,
                headline: "Talks open".into(),
                item_ids: ids,
                sentences: vec!["Talks opened.".into()],
            };
            store
                .remember(&reader, &[told], Place::default(), now)
                .await
                .unwrap();
            store.close().await;
        }
        let store = Store::open(&cfg).await.unwrap();
        let r = store
            .recall(&reader, now - Duration::days(7), 100)
            .await
            .unwrap();
        assert_eq!(r.items.len(), 2, "remembered across a restart");
        // Retention keeps what was told within the kept deliveries' days, and forgets the rest.
        store
            .purge(now - Duration::days(30), now - Duration::days(14))
            .await
            .unwrap();
        assert_eq!(store.told_story_count(&reader).await.unwrap(), 1);
        store
            .purge(now - Duration::days(30), now + Duration::days(1))
            .await
            .unwrap();
        assert_eq!(store.told_story_count(&reader).await.unwrap(), 0);
        assert!(
            store
                .recall(&reader, now - Duration::days(7), 100)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
