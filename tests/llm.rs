//! LLM summaries against a fake OpenAI-compatible endpoint: citations, the faithfulness check and its one
//! retry, fallbacks on 429 / 500 / timeout / malformed answers, the cache shared across channels and servers,
//! the daily budgets counted from `usage`, and map-reduce for a story too large for one call.

use chrono::Utc;
use herald::brief::channel_settings::Length;
use herald::brief::llm::{LlmAsk, LlmRound, LlmSummarizer};
use herald::brief::{Briefing, Options, SummaryBy, build_briefing};
use herald::config::Config;
use herald::item::Item;
use herald::store::Store;

use crate::support::article_paragraphs;
use crate::support::llm::{Answer, FakeLlm};

/// Three reports of event a and three of event b, with their article texts.
fn reports() -> Vec<Item> {
    let mut items = Vec::new();
    for (k, event) in ["a", "b"].into_iter().enumerate() {
        for n in 1..=3 {
            let id = (k * 10 + n) as i64;
            items.push(Item {
                id,
                source_id: n as i64,
                source_name: format!("Outlet {n}"),
                guid: id.to_string(),
                url: Some(format!("https://outlet{n}.example/{event}")),
                title: if event == "a" {
                    format!("Envoys meet in Istanbul, report {n}")
                } else {
                    format!("Kakhovka evacuation, report {n}")
                },
                author: None,
                published_at: Some(Utc::now() - chrono::Duration::minutes(id)),
                fetched_at: Utc::now(),
                snippet: String::new(),
                body: String::new(),
                article: article_paragraphs(event, n).join("\n"),
                canonical_url: None,
                image: None,
                from_search: false,
            });
        }
    }
    items
}

struct World {
    fake: FakeLlm,
    store: Store,
    config: Config,
    items: Vec<Item>,
    _dir: crate::support::TestDir,
}

async fn world(tweak: impl FnOnce(&mut Config)) -> World {
    let fake = FakeLlm::start().await;
    let dir = crate::support::test_dir();
    let mut config = Config::defaults();
    dir.database(&mut config.database, "h.db");
    config.llm.base_url = fake.base_url();
    config.llm.model = "test-model".into();
    config.llm.api_key = "sk-test".into();
    config.llm.timeout_secs = 1;
    tweak(&mut config);
    let store = Store::open(&config.database).await.unwrap();
    World {
        fake,
        store,
        config,
        items: reports(),
        _dir: dir,
    }
}

impl World {
    fn briefing(&self) -> Briefing {
        build_briefing(
            &self.items,
            &[],
            Options::from(&self.config.brief),
            Utc::now(),
        )
    }

    async fn summarize(
        &self,
        b: &mut Briefing,
        language: &str,
        length: Length,
        guild: u64,
    ) -> LlmRound {
        let llm = LlmSummarizer::new(&self.config.llm).expect("configured");
        llm.summarize(
            &self.store,
            b,
            &self.items,
            LlmAsk {
                language,
                length,
                guild_id: guild,
            },
            Utc::now(),
        )
        .await
        .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_cite_their_sources_and_are_cached_for_every_channel() {
    let w = world(|_| {}).await;
    let mut b = w.briefing();
    assert_eq!(b.stories.len(), 2);
    let round = w.summarize(&mut b, "uk", Length::Full, 1).await;
    assert_eq!(
        (round.calls, round.cached, round.fallbacks, round.tokens),
        (2, 0, 0, 200)
    );
    for s in &b.stories {
        assert_eq!(s.summary_by, SummaryBy::Llm);
        assert_eq!(s.summary.len(), 1);
        assert!(s.summary[0].ends_with("[1]."), "{:?}", s.summary);
        // Written as a real model writes in Ukrainian: its lead-in in the language, the outlet by name.
        assert!(
            s.summary[0].starts_with("За повідомленням Outlet "),
            "{:?}",
            s.summary
        );
    }
    let calls = w.fake.calls();
    assert_eq!(calls[0].model, "test-model");
    assert_eq!(calls[0].auth.as_deref(), Some("Bearer sk-test"));
    assert!(
        calls[0].system.contains("BCP 47 tag \"uk\""),
        "{}",
        calls[0].system
    );
    // Each source is labelled with its outlet and its date, as the faithfulness check then reads it.
    let date = Utc::now().format("%-d %B %Y").to_string();
    assert!(
        calls[0]
            .user
            .starts_with(&format!("[1] Outlet 1, {date} — ")),
        "{}",
        calls[0].user
    );
    assert!(
        calls[0].user.contains("\n[3] Outlet 3, "),
        "{}",
        calls[0].user
    );
    assert!(
        calls[0]
            .user
            .ends_with("in one paragraph of at most 100 words.")
    );

    // Another channel, another server, same stories, language and length: from the cache, no call.
    let mut again = w.briefing();
    let round = w.summarize(&mut again, "uk", Length::Full, 2).await;
    assert_eq!((round.calls, round.cached), (0, 2));
    assert_eq!(again.stories, b.stories);
    assert_eq!(w.fake.calls().len(), 2);
    // Another language is another summary.
    let mut en = w.briefing();
    assert_eq!(w.summarize(&mut en, "en", Length::Full, 2).await.calls, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfaithful_summary_is_asked_again_once_then_falls_back_marked() {
    let w = world(|_| {}).await;
    let good =
        "Envoys Rustem Umerov and Vladimir Medinsky met at Istanbul's Dolmabahce Palace [1][2].";
    w.fake.script([
        // Story 1: a hallucinated number, then a faithful answer.
        Answer::Text("The envoys agreed to swap 5000 prisoners [1].".into(), 50),
        Answer::Text(good.into(), 50),
        // Story 2: an invented name twice.
        Answer::Text(
            "Engineers met Mayor Klitschko at the reservoir [1].".into(),
            50,
        ),
        Answer::Text(
            "Engineers met Mayor Klitschko at the reservoir [2].".into(),
            50,
        ),
    ]);
    let mut b = w.briefing();
    let extractive = w.briefing();
    let round = w.summarize(&mut b, "en", Length::Short, 1).await;
    assert_eq!((round.calls, round.fallbacks, round.tokens), (4, 1, 200));
    let by: Vec<SummaryBy> = b.stories.iter().map(|s| s.summary_by).collect();
    assert!(
        by.contains(&SummaryBy::Llm) && by.contains(&SummaryBy::Fallback),
        "{by:?}"
    );
    for (s, e) in b.stories.iter().zip(&extractive.stories) {
        match s.summary_by {
            SummaryBy::Llm => assert_eq!(s.summary, [good]),
            _ => assert_eq!(s.summary, e.summary, "the extractive summary stands in"),
        }
    }
    // Only the faithful one is cached; the failed one is remembered for the day: no call until it changes.
    let mut again = w.briefing();
    let round = w.summarize(&mut again, "en", Length::Short, 1).await;
    assert_eq!((round.cached, round.calls, round.remembered), (1, 0, 1));
    let rendered = herald::brief::render::render(&b, herald::brief::render::Format::Text);
    assert!(
        rendered.contains("   (extractive: unfaithful: the name \"Mayor\" is in no source)\n"),
        "{rendered}"
    );
    let fell = again
        .stories
        .iter()
        .find(|s| s.summary_by == SummaryBy::Fallback)
        .unwrap();
    assert_eq!(
        fell.fallback.as_deref(),
        Some("unfaithful: the name \"Mayor\" is in no source")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_errors_fall_back_to_extractive() {
    let w = world(|_| {}).await;
    for (answer, language, reason) in [
        (Answer::Status(429), "de", "rate limited"),
        (Answer::Status(500), "fr", "endpoint error: HTTP 500"),
        (Answer::Malformed, "it", "malformed answer"),
        (
            Answer::Hang(std::time::Duration::from_secs(3)),
            "es",
            "timeout",
        ),
    ] {
        w.fake.script([answer.clone(), answer]);
        let mut b = w.briefing();
        let extractive = w.briefing();
        let round = w.summarize(&mut b, language, Length::Short, 1).await;
        for s in &b.stories {
            assert!(
                s.fallback.as_deref().is_some_and(|f| f.starts_with(reason)),
                "{language}: {:?}",
                s.fallback
            );
        }
        // A failed call costs once: the same stories are not asked again today.
        let calls = w.fake.calls().len();
        let again = w
            .summarize(&mut w.briefing(), language, Length::Short, 1)
            .await;
        assert_eq!((again.calls, again.remembered), (0, 2), "{language}");
        assert_eq!(w.fake.calls().len(), calls);
        assert_eq!(round.fallbacks, 2, "{round:?}");
        assert_eq!(round.calls, 2, "an error is not retried: {round:?}");
        for (s, e) in b.stories.iter().zip(&extractive.stories) {
            assert_eq!(s.summary_by, SummaryBy::Fallback);
            assert_eq!(s.summary, e.summary);
        }
    }
}

/// The worst case herald reserves for the first call of a briefing's first story: its prompt's estimate
/// (about four characters a token) and the answer's `max_tokens`.
fn worst_case(call: &crate::support::llm::Call) -> u64 {
    ((call.system.len() + call.user.len()) / 4) as u64
        + u64::from(herald::brief::summarize::llm::MAX_ANSWER_TOKENS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_reserve_each_calls_worst_case_and_settle_with_its_usage() {
    // Learn the worst case of the first story's call.
    let learn = world(|_| {}).await;
    learn
        .summarize(&mut learn.briefing(), "en", Length::Short, 1)
        .await;
    let worst = worst_case(&learn.fake.calls()[0]);

    let w = world(|c| {
        c.llm.guild_daily_token_budget = worst + 100;
        c.llm.daily_token_budget = 10 * worst;
    })
    .await;
    w.fake.set_tokens(300);
    let llm = LlmSummarizer::new(&w.config.llm).unwrap();
    let mut b = w.briefing();
    // The first call fits the server's budget and costs 300 (from `usage`); the second's worst case on top of
    // those 300 does not fit, so it is never sent.
    let round = w.summarize(&mut b, "en", Length::Short, 7).await;
    assert_eq!((round.calls, round.fallbacks, round.tokens), (1, 1, 300));
    assert_eq!(b.stories[1].fallback.as_deref(), Some("budget spent"));
    let ((mine, _), (all, _)) = llm.usage(&w.store, 7, Utc::now()).await.unwrap();
    assert_eq!((mine, all), (300, 300), "settled with the answer's usage");
    // A spent budget is not remembered: another server's budget still covers the story.
    let round = w.summarize(&mut w.briefing(), "en", Length::Short, 8).await;
    assert_eq!((round.cached, round.calls), (1, 1), "{round:?}");

    // A budget smaller than one call's worst case starts no call at all (it once let a story spend 4,499
    // tokens of a 10-token budget).
    let tiny = world(|c| c.llm.daily_token_budget = 10).await;
    let mut b = tiny.briefing();
    let round = tiny.summarize(&mut b, "en", Length::Short, 1).await;
    assert_eq!((round.calls, round.fallbacks), (0, 2));
    assert!(tiny.fake.calls().is_empty());
    let ((_, _), (all, _)) = LlmSummarizer::new(&tiny.config.llm)
        .unwrap()
        .usage(&tiny.store, 1, Utc::now())
        .await
        .unwrap();
    assert_eq!(all, 0, "a refused reservation leaves nothing counted");

    // An answer that costs more than its estimate passes the budget by that overshoot at most, once.
    let over = world(|c| c.llm.daily_token_budget = worst + 100).await;
    over.fake.set_tokens(worst + 500);
    let round = over
        .summarize(&mut over.briefing(), "en", Length::Short, 1)
        .await;
    assert_eq!(round.calls, 1, "{round:?}");
    let ((_, _), (all, cap)) = LlmSummarizer::new(&over.config.llm)
        .unwrap()
        .usage(&over.store, 1, Utc::now())
        .await
        .unwrap();
    assert!(all > cap && all - cap <= 500, "{all} of {cap}");
}

/// A model that invents a fact is refused twice, then the story is remembered for the day; a model that
/// writes faithfully in its own words is used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invented_fact_fails_and_costs_once() {
    let w = world(|_| {}).await;
    w.fake.script([Answer::Invent(80), Answer::Invent(80)]);
    let mut b = w.briefing();
    let round = w.summarize(&mut b, "en", Length::Short, 1).await;
    // Story 1: invented twice; story 2: the realistic, faithful answer.
    assert_eq!((round.calls, round.fallbacks), (3, 1), "{round:?}");
    assert_eq!(
        b.stories[0].fallback.as_deref(),
        Some("unfaithful: the number 4321 is in no source")
    );
    assert_eq!(b.stories[1].summary_by, SummaryBy::Llm);
    assert!(
        b.stories[1].summary[0].starts_with("As Outlet "),
        "{:?}",
        b.stories[1].summary
    );
    let json = herald::brief::render::render(&b, herald::brief::render::Format::Json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["stories"][0]["style"], "extractive");
    assert_eq!(
        v["stories"][0]["fallback"],
        "unfaithful: the number 4321 is in no source"
    );
    assert_eq!(v["stories"][1]["style"], "llm");
    assert!(v["stories"][1].get("fallback").is_none());
    let round = w.summarize(&mut w.briefing(), "en", Length::Short, 1).await;
    assert_eq!((round.calls, round.cached, round.remembered), (0, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_too_large_for_one_call_is_summarised_in_parts() {
    let w = world(|c| c.llm.max_input_tokens = 200).await;
    let mut items = w.items.clone();
    // One story of six reports: the same event told six times.
    for (n, i) in items.iter_mut().enumerate() {
        i.title = format!("Envoys meet in Istanbul, report {}", n + 1);
        i.article = article_paragraphs("a", n + 1).join("\n");
    }
    let mut b = build_briefing(&items, &[], Options::from(&w.config.brief), Utc::now());
    assert_eq!(b.stories.len(), 1);
    let llm = LlmSummarizer::new(&w.config.llm).unwrap();
    // Map answers cite their sources; the reduce answer keeps citations.
    let round = llm
        .summarize(
            &w.store,
            &mut b,
            &items,
            LlmAsk {
                language: "en",
                length: Length::Short,
                guild_id: 1,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let calls = w.fake.calls();
    assert!(calls.len() >= 3, "map calls and a reduce call: {round:?}");
    assert_eq!(round.calls, calls.len());
    assert_eq!(
        b.stories[0].summary_by,
        SummaryBy::Llm,
        "{:?}",
        b.stories[0]
    );
    assert!(
        calls
            .last()
            .unwrap()
            .user
            .contains("These are notes on one story")
    );
    assert!(calls[0].user.contains("keeping their numbers as citations"));
}

/// An update's LLM summary is asked for what its new reports add to what the reader was told, and is cached
/// apart from the same reports summarised for a reader who was told nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_summarised_against_what_the_reader_knows() {
    let w = world(|_| {}).await;
    let mut plain = w.briefing();
    assert_eq!(
        w.summarize(&mut plain, "en", Length::Short, 1).await.calls,
        2
    );
    let mut update = w.briefing();
    update.stories[0].update = true;
    update.stories[0].known = vec!["Envoys met in Istanbul on Friday.".to_owned()];
    let round = w.summarize(&mut update, "en", Length::Short, 1).await;
    assert_eq!(
        (round.calls, round.cached),
        (1, 1),
        "the update is its own summary"
    );
    let calls = w.fake.calls();
    let asked = &calls.last().unwrap().user;
    assert!(
        asked.contains("The reader was already told:\n- Envoys met in Istanbul on Friday.\n"),
        "{asked}"
    );
    assert!(
        asked.contains("Summarise only what the sources above add"),
        "{asked}"
    );
    assert_eq!(update.stories[0].summary_by, SummaryBy::Llm);
}
