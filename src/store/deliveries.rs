//! The delivery ledger: `deliveries` (one row per channel and due time) and `delivered_items` (what each
//! channel was briefed on). A claim also moves the channel's schedule on, in the same transaction.

use chrono::{DateTime, Utc};

use super::memory::RememberTx;
use super::names::{Named, stored_by_name};
use super::{
    DbId, DbOptId, DbOptTime, DbTime, Store, StoreError, WriteTx, builder, from_secs, id_in, limit,
    on, to_secs,
};

/// Where a delivery stands, stored as its lowercase name; any other stored value is a decoding error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Written before posting; not yet (fully) posted.
    Claimed,
    /// Every part posted.
    Sent,
    /// Nothing new and herald was told to stay quiet: nothing posted.
    Empty,
    /// Given up (channel gone, Discord refused, or past the grace window); its items were released.
    Failed,
}

impl DeliveryState {
    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Sent => "sent",
            Self::Empty => "empty",
            Self::Failed => "failed",
        }
    }
}

impl Named for DeliveryState {
    const ALL: &'static [Self] = &[Self::Claimed, Self::Sent, Self::Empty, Self::Failed];
    fn stored_name(self) -> &'static str {
        self.as_str()
    }
}
stored_by_name!(DeliveryState);

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The channel.
    #[sqlx(try_from = "DbId")]
    pub channel_id: u64,
    /// Its server.
    #[sqlx(try_from = "DbId")]
    pub guild_id: u64,
    /// The schedule slot it answers.
    #[sqlx(try_from = "DbTime")]
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub state: DeliveryState,
    /// The briefing to post, as JSON (fixed at claim time, so a retry posts the same thing).
    pub payload: String,
    /// Parts (messages) already posted.
    #[sqlx(try_from = "i64")]
    pub parts_sent: usize,
    /// The first message's id, once posted.
    #[sqlx(try_from = "DbOptId")]
    pub message_id: Option<u64>,
    /// Failed attempts so far.
    #[sqlx(try_from = "i64")]
    pub attempts: u32,
    /// The last error, if any.
    pub error: Option<String>,
    /// The thread or forum post it posts into, once created.
    #[sqlx(try_from = "DbOptId")]
    pub thread_id: Option<u64>,
    /// Until when the process posting it holds it (no other process takes it before), or when a retry is due.
    #[sqlx(try_from = "DbOptTime")]
    pub retry_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, channel_id, guild_id, due_at, state, payload, parts_sent, message_id, attempts, \
     error, thread_id, retry_at";

/// What the scheduler claims for one channel's slot.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The channel.
    pub channel_id: u64,
    /// Its server.
    pub guild_id: u64,
    /// The slot.
    pub due_at: DateTime<Utc>,
    /// The briefing as JSON.
    pub payload: &'a str,
    /// Every item the briefing tells (all reports of each story).
    pub item_ids: &'a [i64],
    /// `true` when there is nothing to post (state `empty` at once).
    pub empty: bool,
    /// The schedule's next run as the scheduler read it; the claim only lands if it is still that.
    pub expected_next_run: DateTime<Utc>,
    /// The run after this slot.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Until when the claiming process holds the delivery to post it (see [`Store::claim_open_deliveries`]).
    pub lease_until: DateTime<Utc>,
    /// The claiming process (see [`Store::claim_open_deliveries`]).
    pub owner: &'a str,
    /// The stories it tells, for the channel's memory (recorded with the claim; taken back if it fails).
    pub tellings: &'a [super::Telling],
}

impl Store {
    /// Claims a slot in one transaction: the delivery row (with its briefing), the items it tells, and the
    /// schedule moved to its next run. Returns the delivery's id, or `None` when the slot was taken already or
    /// the schedule changed meanwhile (then nothing is written).
    pub async fn claim_delivery(
        &self,
        claim: &Claim<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        let moved = sqlx::query(
            "UPDATE schedules SET next_run_at = $1 WHERE channel_id = $2 AND next_run_at = $3 AND paused = 0",
        )
        .bind(claim.next_run_at.map(to_secs))
        .bind(id_in(claim.channel_id))
        .bind(to_secs(claim.expected_next_run))
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(None);
        }
        let state = if claim.empty {
            DeliveryState::Empty
        } else {
            DeliveryState::Claimed
        };
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO deliveries (channel_id, guild_id, due_at, state, payload, claimed_at, finished_at, \
             retry_at, claimed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (channel_id, due_at) DO NOTHING RETURNING id",
        )
        .bind(id_in(claim.channel_id))
        .bind(id_in(claim.guild_id))
        .bind(to_secs(claim.due_at))
        .bind(state.as_str())
        .bind(claim.payload)
        .bind(to_secs(now))
        .bind(claim.empty.then(|| to_secs(now)))
        .bind((!claim.empty).then(|| to_secs(claim.lease_until)))
        .bind(claim.owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = inserted else {
            // The slot was delivered before (the schedule was set back to it): keep the schedule moved on.
            tx.commit().await?;
            return Ok(None);
        };
        for item in claim.item_ids {
            sqlx::query(
                "INSERT INTO delivered_items (channel_id, item_id, delivery_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id_in(claim.channel_id))
            .bind(item)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let place = super::Place {
            guild_id: Some(claim.guild_id),
            channel_id: Some(claim.channel_id),
            message_id: None,
            delivery_id: Some(id),
        };
        tx.remember_in(&super::channel_reader(claim.channel_id), claim.tellings, place, now)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
        })
    }

    /// Records `owner` as the process now running `slot`, and frees at once the deliveries the slot's previous
    /// owner (this process's previous run: it crashed or was killed) had claimed, so they are taken up now
    /// rather than after their leases. Returns how many were freed. Should two live processes share a slot
    /// (misconfigured), the older one finds its deliveries no longer its own and leaves them: the same
    /// hand-over as a lapsed lease, and each message's nonce still keeps a part from being posted twice.
    pub async fn take_over_slot(
        &self,
        slot: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        let previous: Option<String> =
            sqlx::query_scalar("SELECT owner FROM process_slots WHERE slot = $1")
                .bind(slot)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO process_slots (slot, owner, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT (slot) DO UPDATE SET owner = excluded.owner, started_at = excluded.started_at",
        )
        .bind(slot)
        .bind(owner)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await?;
        let freed = match previous.filter(|p| p != owner) {
            Some(previous) => sqlx::query(
                "UPDATE deliveries SET retry_at = $1 WHERE state = 'claimed' AND claimed_by = $2",
            )
            .bind(to_secs(now))
            .bind(previous)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => 0,
        };
        tx.commit().await?;
        Ok(freed)
        })
    }

    /// Whether `channel` has a delivery of a slot before `due_at` that is claimed but not yet posted: its next
    /// slot waits for it, so one channel's briefings are posted in order.
    pub async fn has_earlier_open_delivery(
        &self,
        channel: u64,
        due_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n: Option<i64> = on!(self, pool => sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE channel_id = $1 AND state = 'claimed' AND due_at < $2 LIMIT 1",
        )
        .bind(id_in(channel))
        .bind(to_secs(due_at))
        .fetch_optional(pool)
        .await)?;
        Ok(n.is_some())
    }

    /// Takes claimed deliveries ready for a (re)try at `now` (oldest slot first) for this process until
    /// `lease_until`, as `owner`: no other process takes them before then, unless the lease lapses (the
    /// process died or stalled; it then finds the delivery no longer its own and stops).
    /// On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED`, so processes claiming at the same
    /// moment take different deliveries instead of queueing on each other; on SQLite the write lock does it.
    pub async fn claim_open_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        owner: &str,
        max: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let lock = self.skip_locked();
        let mut rows = on!(self, pool => sqlx::query_as::<_, Delivery>(&format!(
            "UPDATE deliveries SET retry_at = $1, claimed_by = $4 WHERE id IN (SELECT id FROM deliveries \
             WHERE state = 'claimed' AND COALESCE(retry_at, 0) <= $2 ORDER BY due_at, id LIMIT $3 {lock}) \
             RETURNING {COLUMNS}"
        ))
        .bind(to_secs(lease_until))
        .bind(to_secs(now))
        .bind(limit(max))
        .bind(owner)
        .fetch_all(pool)
        .await)?;
        rows.sort_by_key(|d| (d.due_at, d.id));
        Ok(rows)
    }

    /// Extends `owner`'s hold on a delivery to `until`; `false` when it no longer holds it (its lease lapsed
    /// and another process took the delivery over, or the delivery is finished).
    pub async fn renew_delivery_lease(
        &self,
        id: i64,
        owner: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = on!(self, pool => sqlx::query(
            "UPDATE deliveries SET retry_at = $1 WHERE id = $2 AND state = 'claimed' AND claimed_by = $3",
        )
        .bind(to_secs(until))
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Extends the lease on those of `ids` this process (`owner`) still holds to `until`: the deliveries it has
    /// claimed but not yet posted, so they stay its own while they wait their turn. Returns how many it held.
    pub async fn renew_delivery_leases(
        &self,
        ids: &[i64],
        owner: &str,
        until: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut held = 0;
        for chunk in ids.chunks(500) {
            held += on!(self, pool => {
                let mut q = builder(pool, "UPDATE deliveries SET retry_at = ");
                q.push_bind(to_secs(until))
                    .push(" WHERE state = 'claimed' AND claimed_by = ")
                    .push_bind(owner)
                    .push(" AND id IN (");
                let mut ids = q.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                q.push(")");
                q.build().execute(pool).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(held)
    }

    /// Claimed deliveries ready for a (re)try at `now`, oldest slot first (read only; see
    /// [`Store::claim_open_deliveries`] to take them).
    pub async fn open_deliveries(
        &self,
        now: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, Delivery>(&format!(
            "SELECT {COLUMNS} FROM deliveries WHERE state = 'claimed' AND COALESCE(retry_at, 0) <= $1 \
             ORDER BY due_at, id LIMIT $2"
        ))
        .bind(to_secs(now))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// A channel's delivery for one slot, if any.
    pub async fn delivery(
        &self,
        channel_id: u64,
        due_at: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let row = on!(self, pool => sqlx::query_as::<_, Delivery>(&format!(
            "SELECT {COLUMNS} FROM deliveries WHERE channel_id = $1 AND due_at = $2"
        ))
        .bind(id_in(channel_id))
        .bind(to_secs(due_at))
        .fetch_optional(pool)
        .await)?;
        Ok(row)
    }

    /// A channel's deliveries, oldest slot first.
    pub async fn channel_deliveries(&self, channel_id: u64) -> Result<Vec<Delivery>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, Delivery>(&format!(
            "SELECT {COLUMNS} FROM deliveries WHERE channel_id = $1 ORDER BY due_at"
        ))
        .bind(id_in(channel_id))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// The slot of a channel's latest delivery that posted or claimed something (not failed ones).
    pub async fn last_delivery_due(
        &self,
        channel_id: u64,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let due: Option<i64> = on!(self, pool => sqlx::query_scalar(
            "SELECT MAX(due_at) FROM deliveries WHERE channel_id = $1 AND state != 'failed'",
        )
        .bind(id_in(channel_id))
        .fetch_one(pool)
        .await)?;
        Ok(due.map(from_secs))
    }

    /// Records the thread (or forum post) a delivery posts into.
    pub async fn delivery_thread(&self, id: i64, thread_id: u64) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query("UPDATE deliveries SET thread_id = $1 WHERE id = $2")
            .bind(id_in(thread_id))
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records one more posted part (and the first message's id).
    pub async fn delivery_part_sent(
        &self,
        id: i64,
        parts_sent: usize,
        message_id: u64,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "UPDATE deliveries SET parts_sent = $1, message_id = COALESCE(message_id, $2) WHERE id = $3",
        )
        .bind(i64::try_from(parts_sent).unwrap_or(i64::MAX))
        .bind(id_in(message_id))
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks a delivery as fully posted.
    pub async fn delivery_sent(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "UPDATE deliveries SET state = 'sent', error = NULL, retry_at = NULL, finished_at = $1 WHERE id = $2",
        )
        .bind(to_secs(now))
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt; the delivery is tried again at `retry_at`.
    pub async fn delivery_retry(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, error = $1, retry_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(to_secs(retry_at))
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Gives a delivery up: state `failed` with the reason, and its items released for a later briefing.
    pub async fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', error = $1, retry_at = NULL, finished_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(to_secs(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // What it was to tell is taken back: its items may be told later, and its new stories are not known.
        for sql in [
            "DELETE FROM delivered_items WHERE delivery_id = $1",
            "DELETE FROM told_items WHERE delivery_id = $1",
            "DELETE FROM told_sentences WHERE delivery_id = $1",
            "DELETE FROM told_stories WHERE delivery_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::NewItem;
    use crate::store::test_util::temp_store;
    use chrono::{Duration, SubsecRound};

    fn item(guid: &str) -> NewItem {
        NewItem {
            guid: guid.into(),
            url: None,
            title: guid.into(),
            author: None,
            published_at: None,
            snippet: String::new(),
            body: String::new(),
            lang: None,
            outlet: None,
            image: None,
        }
    }

    /// Server 1 reads one source holding one fresh item; channel 9 is due at `due`. Returns the source id.
    async fn one_channel_one_item(store: &Store, due: DateTime<Utc>) -> i64 {
        store
            .set_schedule(1, 9, "08:00", "UTC", Some(due), 5, due)
            .await
            .unwrap();
        let src = store
            .upsert_source("https://a.example/f", "feed", due)
            .await
            .unwrap();
        store.add_guild_source(1, src.id, 5, due).await.unwrap();
        store
            .insert_items(src.id, &[item("g")], false, due)
            .await
            .unwrap();
        src.id
    }

    fn claim<'a>(due: DateTime<Utc>, ids: &'a [i64], next: Option<DateTime<Utc>>) -> Claim<'a> {
        Claim {
            channel_id: 9,
            guild_id: 1,
            due_at: due,
            payload: "{}",
            item_ids: ids,
            empty: false,
            expected_next_run: due,
            next_run_at: next,
            lease_until: due,
            owner: "test",
            tellings: &[],
        }
    }

    #[tokio::test]
    async fn states_round_trip_and_an_unknown_one_is_an_error() {
        let (store, _dir) = temp_store().await;
        let due = Utc::now().trunc_subsecs(0);
        one_channel_one_item(&store, due).await;
        let id = store
            .claim_delivery(&claim(due, &[], None), due)
            .await
            .unwrap()
            .unwrap();
        store.delivery_sent(id, due).await.unwrap();
        let d = store.delivery(9, due).await.unwrap().unwrap();
        assert_eq!(
            (d.state, d.channel_id, d.guild_id),
            (DeliveryState::Sent, 9, 1)
        );
        // A state herald never writes (a newer version's, or a hand edit) must not read as `claimed` and be
        // posted again.
        on!(store, pool => sqlx::query("UPDATE deliveries SET state = 'archived' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        assert!(matches!(
            store.delivery(9, due).await,
            Err(StoreError::Sql(sqlx::Error::ColumnDecode { .. }))
        ));
    }

    /// A process restarted in its slot resumes its previous run's claims at once, not after their leases; the
    /// slot's first start and a restart under the same owner free nothing, and other slots' claims stay. A
    /// channel's later slot waits while an earlier one is open.
    #[tokio::test]
    async fn a_restart_in_the_same_slot_resumes_its_claims_at_once() {
        let (store, _dir) = temp_store().await;
        let due = Utc::now().trunc_subsecs(0);
        one_channel_one_item(&store, due).await;
        assert_eq!(
            store
                .take_over_slot("host/0-0/3", "run-1", due)
                .await
                .unwrap(),
            0
        );
        let mut c = claim(due, &[], Some(due + Duration::days(1)));
        c.lease_until = due + Duration::seconds(120);
        c.owner = "run-1";
        let id = store.claim_delivery(&c, due).await.unwrap().unwrap();
        assert!(
            store
                .has_earlier_open_delivery(9, due + Duration::hours(1))
                .await
                .unwrap()
        );
        assert!(!store.has_earlier_open_delivery(9, due).await.unwrap());
        // run-1 is killed; another slot's process starting changes nothing for it.
        let later = due + Duration::seconds(5);
        assert_eq!(
            store
                .take_over_slot("host/1-1/3", "other", later)
                .await
                .unwrap(),
            0
        );
        assert!(
            store
                .claim_open_deliveries(later, later + Duration::seconds(120), "other", 10)
                .await
                .unwrap()
                .is_empty()
        );
        // Its slot restarts as run-2: the claim is free now, 115 s before its lease would lapse.
        assert_eq!(
            store
                .take_over_slot("host/0-0/3", "run-2", later)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .take_over_slot("host/0-0/3", "run-2", later)
                .await
                .unwrap(),
            0
        );
        let resumed = store
            .claim_open_deliveries(later, later + Duration::seconds(120), "run-2", 10)
            .await
            .unwrap();
        assert_eq!(resumed.iter().map(|d| d.id).collect::<Vec<_>>(), [id]);
        store.delivery_sent(id, later).await.unwrap();
        assert!(
            !store
                .has_earlier_open_delivery(9, due + Duration::hours(1))
                .await
                .unwrap()
        );
    }

    /// Two processes on one database: the holder of a delivery keeps it while it renews its lease; another
    /// takes it over only once the lease has lapsed, and the old holder then finds it is no longer its own.
    #[tokio::test]
    async fn a_delivery_is_taken_over_only_when_its_lease_lapses() {
        let (store, _dir) = temp_store().await;
        let due = Utc::now().trunc_subsecs(0);
        one_channel_one_item(&store, due).await;
        let mut c = claim(due, &[], Some(due + Duration::days(1)));
        c.lease_until = due + Duration::seconds(60);
        c.owner = "a";
        let id = store.claim_delivery(&c, due).await.unwrap().unwrap();
        let later = due + Duration::seconds(30);
        assert!(
            store
                .claim_open_deliveries(later, later + Duration::seconds(60), "b", 10)
                .await
                .unwrap()
                .is_empty(),
            "held by a"
        );
        // The waiting-delivery renewal touches only what the caller holds.
        assert_eq!(
            store
                .renew_delivery_leases(&[id, id + 1000], "b", later + Duration::seconds(600))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .renew_delivery_leases(&[id, id + 1000], "a", later + Duration::seconds(60))
                .await
                .unwrap(),
            1
        );
        let lapsed = later + Duration::seconds(61);
        let taken = store
            .claim_open_deliveries(lapsed, lapsed + Duration::seconds(60), "b", 10)
            .await
            .unwrap();
        assert_eq!(taken.iter().map(|d| d.id).collect::<Vec<_>>(), [id]);
        assert!(
            !store
                .renew_delivery_lease(id, "a", lapsed + Duration::seconds(60))
                .await
                .unwrap(),
            "a stops: b holds it now"
        );
        assert!(
            store
                .renew_delivery_lease(id, "b", lapsed + Duration::seconds(90))
                .await
                .unwrap()
        );
        store.delivery_sent(id, lapsed).await.unwrap();
        assert!(
            !store
                .renew_delivery_lease(id, "b", lapsed + Duration::seconds(90))
                .await
                .unwrap(),
            "a finished delivery is nobody's to hold"
        );
    }

    #[tokio::test]
    async fn claim_is_once_per_slot_and_moves_the_schedule() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let due = now.trunc_subsecs(0);
        let next = due + Duration::days(1);
        one_channel_one_item(&store, due).await;
        let fresh = store
            .fresh_items_for_channel(1, 9, due - Duration::hours(1), 10)
            .await
            .unwrap();
        assert_eq!(fresh.len(), 1);
        let ids = [fresh[0].id];
        let claim = claim(due, &ids, Some(next));
        assert_eq!(store.due_schedules(now, 10).await.unwrap().len(), 1);
        let id = store.claim_delivery(&claim, now).await.unwrap().unwrap();
        assert!(
            store.claim_delivery(&claim, now).await.unwrap().is_none(),
            "schedule moved on: a second claim of the slot lands nothing"
        );
        assert!(store.due_schedules(now, 10).await.unwrap().is_empty());
        assert_eq!(
            store.schedule(9).await.unwrap().unwrap().next_run_at,
            Some(next)
        );
        assert!(
            store
                .fresh_items_for_channel(1, 9, due - Duration::hours(1), 10)
                .await
                .unwrap()
                .is_empty(),
            "a briefed item is not fresh for the channel again"
        );
        assert_eq!(
            store
                .fresh_items_for_channel(1, 10, due - Duration::hours(1), 10)
                .await
                .unwrap()
                .len(),
            1,
            "but still is for another channel"
        );

        assert_eq!(store.open_deliveries(now, 10).await.unwrap().len(), 1);
        store.delivery_part_sent(id, 1, 777).await.unwrap();
        store.delivery_sent(id, now).await.unwrap();
        assert!(store.open_deliveries(now, 10).await.unwrap().is_empty());
        let d = store.delivery(9, due).await.unwrap().unwrap();
        assert_eq!(
            (d.state, d.parts_sent, d.message_id),
            (DeliveryState::Sent, 1, Some(777))
        );
        assert_eq!(store.last_delivery_due(9).await.unwrap(), Some(due));
    }

    #[tokio::test]
    async fn failing_releases_the_items_and_retry_waits() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now().trunc_subsecs(0);
        one_channel_one_item(&store, now).await;
        let fresh = store.fresh_items_for_channel(1, 9, now, 10).await.unwrap();
        let ids = [fresh[0].id];
        let claim = claim(now, &ids, None);
        let id = store.claim_delivery(&claim, now).await.unwrap().unwrap();
        store
            .delivery_retry(id, "HTTP 502", now + Duration::seconds(30))
            .await
            .unwrap();
        assert!(store.open_deliveries(now, 10).await.unwrap().is_empty());
        let open = store
            .open_deliveries(now + Duration::seconds(30), 10)
            .await
            .unwrap();
        assert_eq!(
            (open[0].attempts, open[0].error.as_deref()),
            (1, Some("HTTP 502"))
        );
        store
            .delivery_failed(id, "channel gone", now)
            .await
            .unwrap();
        assert_eq!(
            store
                .fresh_items_for_channel(1, 9, now, 10)
                .await
                .unwrap()
                .len(),
            1,
            "the items of a failed delivery can be briefed later"
        );
        assert_eq!(store.last_delivery_due(9).await.unwrap(), None);
    }

    #[tokio::test]
    async fn backlog_items_are_never_fresh() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let src = store
            .upsert_source("https://a.example/f", "feed", now)
            .await
            .unwrap();
        store.add_guild_source(1, src.id, 5, now).await.unwrap();
        store
            .insert_items(src.id, &[item("old")], true, now)
            .await
            .unwrap();
        store
            .insert_items(src.id, &[item("new")], false, now)
            .await
            .unwrap();
        let fresh = store
            .fresh_items_for_channel(1, 9, now - Duration::hours(1), 10)
            .await
            .unwrap();
        assert_eq!(
            fresh.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
            ["new"]
        );
    }
}
