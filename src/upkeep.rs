//! Upkeep, the third loop beside the poller and the scheduler: every `[retention] interval_minutes` it deletes
//! the data of servers whose grace period after removing herald is over, applies retention
//! ([`Store::purge`]), and returns freed pages to the file system ([`Store::reclaim`]).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use crate::clock::Clock;
use crate::config::RetentionConfig;
use crate::store::{Purged, Store, StoreError};

/// What one upkeep pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpkeepReport {
    /// Servers whose data was deleted.
    pub guilds_forgotten: usize,
    /// What retention deleted.
    pub purged: Purged,
}

/// The upkeep loop; see the module docs.
pub struct Upkeep {
    store: Store,
    clock: Arc<dyn Clock>,
    cfg: RetentionConfig,
}

/// Pages returned to the file system per pass at most (4 KiB each: 32 MiB).
const RECLAIM_PAGES: u32 = 8192;

impl Upkeep {
    /// Upkeep of `store` by `cfg`, on `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, cfg: RetentionConfig) -> Self {
        Self { store, clock, cfg }
    }

    /// Runs a pass every `interval_minutes`, the first at once. Errors are logged; a panic in a pass is caught
    /// and logged, and the loop carries on.
    pub async fn run(self) {
        let every = Duration::from_secs(u64::from(self.cfg.interval_minutes) * 60);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match AssertUnwindSafe(self.pass()).catch_unwind().await {
                Ok(Ok(r)) if r != UpkeepReport::default() => tracing::info!(?r, "upkeep pass"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "upkeep pass failed"),
                Err(_) => tracing::error!("upkeep pass panicked; carrying on"),
            }
        }
    }

    /// One pass: departed servers past their grace period, then retention, then reclaiming space.
    pub async fn pass(&self) -> Result<UpkeepReport, StoreError> {
        let now = self.clock.now();
        let days = |d: u32| chrono::Duration::days(i64::from(d));
        let mut report = UpkeepReport::default();
        for guild in self
            .store
            .departed_before(now - days(self.cfg.guild_grace_days), 100)
            .await?
        {
            let gone = self.store.forget_guild(guild).await?;
            tracing::info!(guild, ?gone, "grace period over: server data deleted");
            report.guilds_forgotten += 1;
        }
        report.purged = self
            .store
            .purge(
                now - days(self.cfg.items_days),
                now - days(self.cfg.deliveries_days),
            )
            .await?;
        self.store.reclaim(RECLAIM_PAGES).await?;
        metrics::counter!("herald_retention_deleted_total", "what" => "items")
            .increment(report.purged.items);
        metrics::gauge!("herald_database_bytes").set(self.store.size_bytes().await? as f64);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::test_util::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_during_a_delivery_round_is_consistent() {
        let w = world(|_| {}).await;
        if w.store.backend() == crate::store::Backend::Postgres {
            // `herald backup` copies SQLite; PostgreSQL is backed up with pg_dump (and says so).
            assert!(w.store.backup(std::path::Path::new("x.db")).await.is_err());
            return;
        }
        let items: Vec<_> = (0..40)
            .map(|i| {
                item(
                    &format!("c{i}"),
                    &format!("Ceasefire report {i} from region {i}"),
                    "Talks.",
                )
            })
            .collect();
        w.publish(0, &items).await;
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.db");
        let (_, backup) = tokio::join!(w.run_at(at(8, 0)), w.store.backup(&copy));
        backup.unwrap();
        let mut cfg = crate::config::Config::defaults().database;
        cfg.path = copy;
        let restored = Store::open(&cfg).await.unwrap();
        let check = restored.integrity_check().await.unwrap();
        assert_eq!(check, "ok");
        assert!(restored.schedule(CHANNEL).await.unwrap().is_some());
        assert_eq!(
            restored
                .items_of_sources(&[w.sources[0]], None, 100)
                .await
                .unwrap()
                .len(),
            40
        );
        assert!(
            w.store.backup(&cfg.path).await.is_err(),
            "never over an existing file"
        );
    }

    #[tokio::test]
    async fn a_departed_server_is_forgotten_after_its_grace_period_and_restored_within_it() {
        let w = world(|_| {}).await;
        let cfg = crate::config::Config::defaults().retention;
        let upkeep = Upkeep::new(w.store.clone(), w.clock.clone(), cfg);
        w.clock.set(at(7, 30));
        assert!(w.store.guild_left(GUILD, at(7, 30)).await.unwrap());
        let s = w.store.schedule(CHANNEL).await.unwrap().unwrap();
        assert_eq!(
            (s.paused, s.paused_reason.as_deref()),
            (true, Some(crate::store::REMOVED_REASON))
        );
        assert_eq!(
            w.run_at(at(8, 0)).await,
            crate::delivery::TickReport::default(),
            "paused"
        );
        // Re-added within the grace period: everything back.
        assert!(w.store.guild_present(GUILD).await.unwrap());
        assert!(!w.store.schedule(CHANNEL).await.unwrap().unwrap().paused);
        assert!(!w.store.guild_present(GUILD).await.unwrap(), "once");
        // Removed again, and the grace period passes: the server's data is deleted, its feeds stop being polled.
        w.store.guild_left(GUILD, at(9, 0)).await.unwrap();
        w.clock.set(at(9, 0) + chrono::Duration::days(6));
        assert_eq!(
            upkeep.pass().await.unwrap().guilds_forgotten,
            0,
            "still in grace"
        );
        w.clock.set(at(9, 0) + chrono::Duration::days(8));
        assert_eq!(upkeep.pass().await.unwrap().guilds_forgotten, 1);
        assert!(w.store.schedule(CHANNEL).await.unwrap().is_none());
        assert!(
            w.store
                .channel_subscriptions(CHANNEL)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(w.store.polled_source_count().await.unwrap(), 0);
    }
}
