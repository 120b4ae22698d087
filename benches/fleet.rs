//! Many processes, one bot: N `herald run` processes (3 by default, each with its own range of gateway shards)
//! on one PostgreSQL database deliver a round of 10,000 channels due in the same minute to the fake Discord,
//! which holds all of them together to Discord's global limit of 50 requests per second. Reports the total time
//! against the 200 s that 10,000 posts at 50/s need at best, the 429s the fake sent, and checks every channel
//! got exactly one message.
//!
//! `HERALD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench fleet`
//! (HERALD_BENCH_CHANNELS for a smaller round, HERALD_BENCH_PROCESSES for another count,
//! HERALD_BENCH_POSTS_PER_SECOND for another pace than `[schedule] posts_per_second`'s default,
//! HERALD_BENCH_KILLS=N to SIGKILL a process N times during the round, in turn, each restarted at once with
//! the same shards, as a supervisor would). With
//! HERALD_BENCH_PROXY_BIN naming a REST proxy binary that reads `HOST`, `PORT`, `DISCORD_TOKEN` and its upstream
//! from `UPSTREAM` (twilight-http-proxy with its upstream made configurable), the processes send their REST
//! calls through that one proxy, which then holds the shared rate limit.

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the bench uses the fake Discord and the fleet helpers only
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use herald::store::DeliveryState;
use support::fake_discord::{FakeDiscord, GOOD_TOKEN};
use support::fleet::{Procs, Round, herald_command, kill};

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let on = std::env::var(herald::store::scratch::TEST_DATABASE_ENV).unwrap_or_default();
    if on.trim().is_empty() {
        eprintln!(
            "fleet: SKIPPED — the processes share a PostgreSQL database; run with \
             HERALD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench fleet"
        );
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let channels = env_num("HERALD_BENCH_CHANNELS", 10_000);
    let processes = env_num("HERALD_BENCH_PROCESSES", 3).max(1);
    let default_pace = herald::config::Config::defaults().schedule.posts_per_second;
    let pace = env_num("HERALD_BENCH_POSTS_PER_SECOND", default_pace.into());
    let kills = env_num("HERALD_BENCH_KILLS", 0);
    let fake = FakeDiscord::start().await;
    fake.channels.lock().unwrap().per_second = Some(50);

    let setup = Instant::now();
    let round = Round::start(channels).await;
    eprintln!(
        "setup: {channels} channels due at {} in {:.1} s",
        round.slot,
        setup.elapsed().as_secs_f64()
    );

    // The REST proxy, when one is named: one process every herald process sends its REST calls to.
    let mut api_base = fake.base.clone();
    let mut proxy = Procs(Vec::new());
    if let Ok(bin) = std::env::var("HERALD_BENCH_PROXY_BIN") {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        proxy.0.push(
            Command::new(&bin)
                .env("HOST", "127.0.0.1")
                .env("PORT", port.to_string())
                .env("DISCORD_TOKEN", format!("Bot {GOOD_TOKEN}"))
                .env("UPSTREAM", fake.base.trim_end_matches('/'))
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start the proxy {bin}: {e}")),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the proxy never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        api_base = format!("http://127.0.0.1:{port}");
        eprintln!("REST through the proxy at {api_base}");
    }

    let shards = processes * 2;
    let spawn = |i: u64| {
        let mut cmd = herald_command(&round.dir, &api_base);
        cmd.env(
            "HERALD_DISCORD__SHARDS",
            format!("{}-{}/{shards}", 2 * i, 2 * i + 1),
        )
        .env("HERALD_SCHEDULE__LEASE_SECS", "120")
        .env("HERALD_SCHEDULE__POSTS_PER_SECOND", pace.to_string())
        .env("HERALD_SCHEDULE__TICK_MS", "1000")
        // Warnings and errors on the terminal.
        .stderr(Stdio::inherit());
        cmd.spawn().expect("herald binary runs")
    };
    let start = Instant::now();
    let mut procs = Procs((0..processes).map(spawn).collect());
    // The kills, spread over the round's expected length; and exits nobody caused.
    let every = Duration::from_secs_f64(channels as f64 / pace.max(1) as f64 / (kills + 1) as f64);
    let (mut killed, mut exits) = (0u64, 0u64);
    let posted = || fake.channels.lock().unwrap().posted.len() as u64;
    let mut first = None;
    let mut last_report = Instant::now();
    let deadline = start + Duration::from_secs(channels / 50 * 3 + 180);
    loop {
        let n = posted();
        if n > 0 && first.is_none() {
            first = Some(start.elapsed());
        }
        if n >= channels {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} of {channels} channels posted"
        );
        for (i, p) in procs.0.iter_mut().enumerate() {
            if let Ok(Some(status)) = p.try_wait() {
                eprintln!("  process {i} exited by itself ({status}); restarted");
                exits += 1;
                *p = spawn(i as u64);
            }
        }
        if killed < kills && start.elapsed() >= every * (killed as u32 + 1) {
            let i = (killed % processes) as usize;
            kill(&mut procs.0[i]);
            procs.0[i] = spawn(i as u64);
            killed += 1;
            eprintln!(
                "  {:>5.0} s: process {i} killed (SIGKILL) and restarted",
                start.elapsed().as_secs_f64()
            );
        }
        if last_report.elapsed() >= Duration::from_secs(20) {
            let limited = fake.channels.lock().unwrap().rate_limited;
            eprintln!(
                "  {:>5.0} s: {n} posted, {limited} 429s",
                start.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total = start.elapsed();
    let first = first.unwrap_or_default();
    // Let anything still in flight land before counting doubles.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (posted, nonce_hits, limited, requests) = {
        let c = fake.channels.lock().unwrap();
        (
            c.posted.clone(),
            c.nonce_hits,
            c.rate_limited,
            c.limited_requests,
        )
    };
    let mut counts = std::collections::HashMap::new();
    for p in &posted {
        *counts.entry(p.channel_id).or_insert(0u32) += 1;
    }
    let missing = (1..=channels).filter(|c| !counts.contains_key(c)).count();
    let doubled = counts.values().filter(|n| **n > 1).count();
    let mut sent = 0;
    for c in 1..=channels {
        if let Ok(Some(d)) = round.store.delivery(c, round.slot).await {
            if d.state == DeliveryState::Sent {
                sent += 1;
            }
        }
    }
    let bound = channels as f64 / 50.0;
    let posting = (total - first).as_secs_f64();
    println!(
        "fleet: {processes} processes{}, {pace} posts/s in all, {channels} channels due at once: first message after \
         {:.1} s, all posted {:.1} s after start ({posting:.1} s of posting; bound {bound:.0} s at 50/s: {:.2}x); \
         {killed} kills, {exits} exits nobody caused; {} messages, {missing} missing, {doubled} doubled, \
         {nonce_hits} repeats answered by nonce, {sent} recorded sent; 429s from the fake: {limited} of \
         {requests} requests",
        if api_base == fake.base {
            ""
        } else {
            " through one REST proxy"
        },
        first.as_secs_f64(),
        total.as_secs_f64(),
        posting / bound,
        posted.len(),
    );
    assert_eq!(missing, 0, "every channel got its message");
    assert_eq!(doubled, 0, "no channel got two");
    assert_eq!(exits, 0, "no process ended by itself");
}
