//! Discord's rate-limit answers as herald reads them: a 429's `retry_after` and `global` (body and headers)
//! reach the scheduler, so the shared pace holds for as long as Discord asked, and start-up calls wait out a
//! 429 instead of ending the process.

use std::sync::Arc;
use std::time::Duration;

use herald::config::Config;
use herald::delivery::{Outbox, PostError};
use herald::discord::http::build_http;
use herald::discord::outbox::{DiscordOutbox, Part};

use crate::support::fake_discord::{FakeDiscord, GOOD_TOKEN};

fn outbox(fake: &FakeDiscord) -> DiscordOutbox {
    let mut cfg = Config::defaults().discord;
    cfg.api_base = fake.base.clone();
    DiscordOutbox::new(Arc::new(build_http(GOOD_TOKEN, &cfg)))
}

/// Past the global limit, the fake answers 429 as Discord does, and the outbox hands the scheduler the
/// `retry_after` and `global` it said (serenity's error had dropped both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_429_says_how_long_to_wait() {
    let fake = FakeDiscord::start().await;
    fake.channels.lock().unwrap().per_second = Some(3);
    let out = outbox(&fake);
    let part = Part::Text("hello".into());
    let mut answers = Vec::new();
    for n in 0..4 {
        answers.push(out.post(77, &part, &format!("nonce-{n}")).await);
    }
    assert!(answers[..3].iter().all(Result::is_ok), "{answers:?}");
    match &answers[3] {
        Err(PostError::RateLimited {
            retry_after: Some(wait),
            global: true,
        }) => assert!(
            *wait > Duration::ZERO && *wait <= Duration::from_secs(1),
            "{wait:?}"
        ),
        other => panic!("expected a global 429 with its retry_after: {other:?}"),
    }
    // Waiting what Discord asked is enough: the next post goes through.
    if let Err(PostError::RateLimited {
        retry_after: Some(wait),
        ..
    }) = answers[3]
    {
        tokio::time::sleep(wait + Duration::from_millis(20)).await;
    }
    assert!(out.post(77, &part, "nonce-5").await.is_ok());
    assert_eq!(fake.channels.lock().unwrap().rate_limited, 1);
}

/// A round paced at the limit meets the fake's strict sliding window with (almost) no
/// 429s: every one it meets is waited out for its `retry_after`, never retried at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_stays_under_the_global_limit() {
    let fake = FakeDiscord::start().await;
    fake.channels.lock().unwrap().per_second = Some(10);
    let out = Arc::new(outbox(&fake));
    let pacer = Arc::new(herald::delivery::Pacer::new(10));
    let mut posted = 0;
    for n in 0..30u64 {
        loop {
            pacer.wait().await;
            match out
                .post(100 + n, &Part::Text("x".into()), &format!("r-{n}"))
                .await
            {
                Ok(_) => break,
                Err(PostError::RateLimited {
                    retry_after,
                    global,
                }) => {
                    let wait = retry_after.expect("Discord said how long");
                    if global {
                        pacer.hold(wait).await;
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
        posted += 1;
    }
    assert_eq!(posted, 30);
    let limited = fake.channels.lock().unwrap().rate_limited;
    assert!(limited <= 3, "{limited} 429s for 30 posts");
}

/// A 429 at start-up is waited out for its `retry_after`, never the end of `herald run`; `herald check`
/// (one call) says what it is in one line; a refused token still ends at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_at_start_up_is_waited_out() {
    use herald::discord::http::{DiscordError, whoami, whoami_patiently};
    let fake = FakeDiscord::start().await;
    let mut cfg = Config::defaults().discord;
    cfg.api_base = fake.base.clone();
    let http = build_http(GOOD_TOKEN, &cfg);
    fake.channels.lock().unwrap().me_rate_limited = 1;
    match whoami(&http, &cfg).await {
        Err(e @ DiscordError::RateLimited { .. }) => {
            assert!(
                e.to_string()
                    .contains("rate limiting this bot (HTTP 429) for 0.2 s"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    fake.channels.lock().unwrap().me_rate_limited = 3;
    let start = std::time::Instant::now();
    let name = whoami_patiently(&http, &cfg)
        .await
        .expect("waits, then logs in");
    assert_eq!(name, "herald-test");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(3),
        "three waits of retry_after (0.2 s): {took:?}"
    );
    let bad = build_http("wrong", &cfg);
    assert!(matches!(
        whoami_patiently(&bad, &cfg).await,
        Err(DiscordError::BadToken)
    ));
}
