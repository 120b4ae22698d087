//! Which slot of a schedule is due: after downtime, the latest missed slot within the grace window, once.

use chrono::{DateTime, Utc};

use super::schedule::Schedule;

/// The slot to deliver when a schedule due at `expected` is looked at `now`: the latest slot at or before
/// `now` that is within `grace`, and how many earlier slots are skipped. `None` when every missed slot is too
/// old. The schedule's next run is then `schedule.next_after(slot or now)`.
pub fn slot_to_deliver(
    schedule: &Schedule,
    expected: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: chrono::Duration,
) -> (Option<DateTime<Utc>>, usize) {
    let oldest = now - grace;
    let mut skipped = 0;
    let mut slot = if expected >= oldest {
        Some(expected)
    } else {
        // Everything from `expected` up to the grace window is too old; counted as one skipped run.
        skipped += 1;
        schedule
            .next_after(oldest - chrono::Duration::seconds(1))
            .filter(|s| *s <= now)
    };
    while let Some(s) = slot {
        match schedule.next_after(s) {
            Some(n) if n <= now => {
                skipped += 1;
                slot = Some(n);
            }
            _ => break,
        }
    }
    (slot, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::test_util::*;

    #[test]
    fn slots_after_downtime_within_grace_once_older_skipped() {
        let s = Schedule::parse("08:00,08:30", "UTC").unwrap();
        let grace = chrono::Duration::minutes(60);
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(8, 0), grace),
            (Some(at(8, 0)), 0)
        );
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(8, 45), grace),
            (Some(at(8, 30)), 1),
            "two missed slots within grace: only the latest is delivered"
        );
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(9, 15), grace),
            (Some(at(8, 30)), 1)
        );
        assert_eq!(slot_to_deliver(&s, at(8, 0), at(11, 0), grace), (None, 1));
        // A slot every minute, down for a year: bounded work, the latest minute delivered.
        let every = Schedule::parse("* * * * *", "UTC").unwrap();
        let now = at(8, 0) + chrono::Duration::days(365);
        let (slot, skipped) = slot_to_deliver(&every, at(8, 0), now, grace);
        assert_eq!(slot, Some(now));
        assert_eq!(skipped, 61);
    }

    #[tokio::test]
    async fn downtime_past_grace_skips_the_slot_without_posting() {
        let w = world(|_| {}).await;
        w.publish(0, &[item("a", "Ceasefire holds", "The ceasefire held.")])
            .await;
        let r = w.run_at(at(10, 0)).await;
        assert_eq!((r.claimed, r.skipped), (0, 1));
        assert!(w.mem.texts(CHANNEL).is_empty());
        assert_eq!(
            w.store
                .schedule(CHANNEL)
                .await
                .unwrap()
                .unwrap()
                .next_run_at,
            Some(at(8, 0) + chrono::Duration::days(1))
        );
        // The story is not lost: the next slot briefs it.
        w.run_at(at(8, 0) + chrono::Duration::days(1)).await;
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire holds"]);
    }
}
