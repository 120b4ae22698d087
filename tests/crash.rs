//! Exactly once across crashes: the real `herald run` binary against the fake Discord and the fixture feed
//! server, killed with SIGKILL at 20 points across one delivery round of 50 channels and restarted each time.
//! Every channel must end with exactly one message for the slot — none missing, none doubled.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::support::fake_discord::FakeDiscord;
use crate::support::fleet::{Procs, Round, kill, spawn_command};
use chrono::Utc;
use herald::store::DeliveryState;

const CHANNELS: u64 = 50;
const KILLS: usize = 20;

fn spawn_herald(dir: &crate::support::TestDir, fake: &FakeDiscord) -> Child {
    spawn_command(dir, fake)
        .spawn()
        .expect("herald binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_at_twenty_points_and_every_channel_gets_exactly_one_briefing() {
    let fake = FakeDiscord::start().await;
    // Answers come 40 ms after the message is created, so many kills land while an answer is in flight:
    // Discord has the message, herald has not recorded it.
    fake.channels.lock().unwrap().answer_delay = Duration::from_millis(40);
    // 50 channels due this minute (a real slot of their "HH:MM" schedule), each with the two fixture stories.
    let round = Round::start(CHANNELS).await;
    let (dir, store, slot) = (&round.dir, &round.store, round.slot);

    let posted = |fake: &FakeDiscord| fake.channels.lock().unwrap().posted.len();
    let mut kills_mid_round = 0;
    for i in 0..KILLS {
        let mut child = spawn_herald(dir, &fake);
        let deadline = Instant::now() + Duration::from_secs(30);
        // Kill 0 lands once slots are claimed but before anything is posted; the others when the round has
        // reached its next twentieth.
        let target = (i * CHANNELS as usize).div_ceil(KILLS);
        loop {
            let ready = if i == 0 {
                !store.channel_deliveries(1).await.unwrap().is_empty()
                    || !store
                        .open_deliveries(Utc::now(), 1)
                        .await
                        .unwrap()
                        .is_empty()
            } else {
                posted(&fake) >= target
            };
            if ready || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        kill(&mut child);
        if posted(&fake) < CHANNELS as usize {
            kills_mid_round += 1;
        }
    }

    // The last restart finishes the round.
    let mut child = spawn_herald(dir, &fake);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut open = 0;
        for c in 1..=CHANNELS {
            match store.delivery(c, slot).await.unwrap() {
                Some(d) if d.state == DeliveryState::Sent => {}
                _ => open += 1,
            }
        }
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} channels still not delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    kill(&mut child);

    let (posted, nonce_hits) = {
        let c = fake.channels.lock().unwrap();
        (c.posted.clone(), c.nonce_hits)
    };
    let mut counts = std::collections::BTreeMap::new();
    for p in &posted {
        *counts.entry(p.channel_id).or_insert(0) += 1;
    }
    let missing: Vec<u64> = (1..=CHANNELS).filter(|c| !counts.contains_key(c)).collect();
    let doubled: Vec<(&u64, &i32)> = counts.iter().filter(|(_, n)| **n != 1).collect();
    eprintln!(
        "crash test: {KILLS} kills ({kills_mid_round} mid-round), {} messages for {CHANNELS} channels, \
         {} repeated posts answered by nonce, missing {missing:?}, doubled {doubled:?}",
        posted.len(),
        nonce_hits
    );
    assert!(missing.is_empty(), "missing: {missing:?}");
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert_eq!(posted.len(), CHANNELS as usize);
    assert!(
        kills_mid_round >= 15,
        "kills spread across the round: {kills_mid_round}"
    );
    for c in 1..=CHANNELS {
        let d = store.delivery(c, slot).await.unwrap().unwrap();
        let message = posted.iter().find(|p| p.channel_id == c).unwrap();
        assert_eq!(
            d.message_id,
            Some(message.id),
            "channel {c} recorded its message"
        );
    }
}

/// Many processes, one bot: three `herald run` processes share one PostgreSQL database (each running its own
/// range of gateway shards), 200 channels fall due in the same minute, and the fake Discord holds every REST
/// call to a global limit. One process is killed with SIGKILL mid-round and restarted. Every channel must end
/// with exactly one message: the ledger's unique slot and the lease on each claimed delivery (taken over only
/// once its holder stopped renewing it) keep the processes from posting a channel twice, and the message nonce
/// is the last guard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_a_round_and_one_killed_loses_and_doubles_nothing() {
    const MANY: u64 = 200;
    if dir_needs_postgres().is_none() {
        return;
    }
    let fake = FakeDiscord::start().await;
    {
        let mut c = fake.channels.lock().unwrap();
        c.answer_delay = Duration::from_millis(20);
        c.per_second = Some(50);
    }
    // Due at once: the processes claim the round as they come up.
    let round = Round::start(MANY).await;
    let (dir, store, slot) = (&round.dir, &round.store, round.slot);
    let spawn = |shards: &str| {
        let mut cmd = spawn_command(dir, &fake);
        // Leases long enough to outlast the waits a shared global limit causes, short enough for the test.
        cmd.env("HERALD_DISCORD__SHARDS", shards)
            .env("HERALD_SCHEDULE__LEASE_SECS", "8");
        cmd.spawn().expect("herald binary runs")
    };
    let mut procs = Procs(["0-1/6", "2-3/6", "4-5/6"].into_iter().map(spawn).collect());
    let posted = |fake: &FakeDiscord| fake.channels.lock().unwrap().posted.len();
    // Kill one process a third of the way through the round, then start it again.
    let deadline = Instant::now() + Duration::from_secs(150);
    while posted(&fake) < (MANY / 3) as usize {
        assert!(Instant::now() < deadline, "the round never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kill(&mut procs.0[0]);
    let at_kill = posted(&fake);
    procs.0[0] = spawn("0-1/6");
    loop {
        let mut open = 0;
        for c in 1..=MANY {
            match store.delivery(c, slot).await.unwrap() {
                Some(d) if d.state == DeliveryState::Sent => {}
                _ => open += 1,
            }
        }
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} channels still not delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(procs);
    let (posted, nonce_hits, limited) = {
        let c = fake.channels.lock().unwrap();
        (c.posted.clone(), c.nonce_hits, c.rate_limited)
    };
    let mut counts = std::collections::BTreeMap::new();
    for p in &posted {
        *counts.entry(p.channel_id).or_insert(0) += 1;
    }
    let missing: Vec<u64> = (1..=MANY).filter(|c| !counts.contains_key(c)).collect();
    let doubled: Vec<(&u64, &i32)> = counts.iter().filter(|(_, n)| **n != 1).collect();
    eprintln!(
        "multi-process crash test: 3 processes, 1 killed after {at_kill} of {MANY} posts and restarted; \
         {} messages, {nonce_hits} repeated posts answered by nonce, {limited} 429s, missing {missing:?}, \
         doubled {doubled:?}",
        posted.len()
    );
    assert!(missing.is_empty(), "missing: {missing:?}");
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert_eq!(posted.len(), MANY as usize);
}

/// `Some(())` when the suite runs on PostgreSQL; otherwise says on the terminal that the test was skipped.
fn dir_needs_postgres() -> Option<()> {
    use std::io::Write;
    let on = std::env::var(herald::store::scratch::TEST_DATABASE_ENV).unwrap_or_default();
    if on.trim().is_empty() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\nSKIPPED (no PostgreSQL): three_processes_share_a_round_and_one_killed_loses_and_doubles_nothing"
        );
        return None;
    }
    Some(())
}
