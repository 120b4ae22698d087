//! Settings: `config/default.toml` compiled in, then `--config FILE`, then `HERALD_<SECTION>__<KEY>` env vars.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file was named but could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file named.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A value has the wrong type, a key is unknown, or the TOML is malformed.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// All of herald's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[database]`
    pub database: DatabaseConfig,
    /// `[fetch]`
    pub fetch: FetchConfig,
    /// `[sources]`
    pub sources: SourcesConfig,
    /// `[brief]`
    pub brief: BriefConfig,
    /// `[discord]`
    pub discord: DiscordConfig,
    /// `[schedule]`
    pub schedule: ScheduleConfig,
    /// `[poll]`
    pub poll: PollConfig,
    /// `[articles]`
    pub articles: ArticlesConfig,
    /// `[search]`
    pub search: SearchConfig,
    /// `[llm]`
    pub llm: LlmConfig,
    /// `[retention]`
    pub retention: RetentionConfig,
    /// `[metrics]`
    pub metrics: MetricsConfig,
    /// `[log]`
    pub log: LogConfig,
}

/// `[schedule]`: defaults for channel schedules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Zone used when /schedule names none.
    pub default_timezone: String,
    /// How old a missed slot may be and still be delivered, in minutes.
    pub grace_minutes: u32,
    /// What a channel with nothing new gets at its time.
    pub nothing_new: NothingNew,
    /// How often the scheduler looks for due channels, in milliseconds.
    pub tick_ms: u64,
    /// Messages posted per second at most, over all channels.
    pub posts_per_second: u32,
    /// Tries of one message (on 429, 5xx or a network error) before the delivery waits a minute.
    pub post_attempts: u32,
    /// Seconds a process holds a delivery it is posting (renewed as it posts) before another may take over.
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
}

fn default_lease_secs() -> u64 {
    120
}

/// What a channel with nothing new gets at its scheduled time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NothingNew {
    /// One line: "Nothing new on … since …".
    Say,
    /// No message.
    Silent,
}

/// `[poll]`: how the poller keeps sources fresh.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollConfig {
    /// Minutes between two fetches of one source.
    pub interval_minutes: u32,
    /// Longest wait after failures in a row, in hours.
    pub max_backoff_hours: u32,
    /// How often the poller looks for due sources, in milliseconds.
    pub tick_ms: u64,
}

/// `[articles]`: reading the article page behind each item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticlesConfig {
    /// Whether article pages are read at all.
    pub enabled: bool,
    /// Pages fetched at once, over all hosts.
    pub concurrency: usize,
    /// Pages fetched at once from one host.
    pub per_host: usize,
    /// Milliseconds between the starts of two fetches from one host.
    pub host_gap_ms: u64,
    /// An extracted article with fewer words than this is taken for a paywall or a stub.
    pub min_words: usize,
    /// Seconds `/briefing` waits for article pages before it briefs from what it has.
    pub briefing_wait_secs: u64,
}

/// `[metrics]`: the optional Prometheus and health listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address serving `/metrics` and `/healthz` (`127.0.0.1:9464`); empty: off.
    pub listen: String,
}

/// `[retention]`: how long herald keeps what it stores, and servers that removed it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Items first seen more than this many days ago are deleted (at least 7).
    pub items_days: u32,
    /// Finished deliveries older than this many days keep only their row (slot, state, message id).
    pub deliveries_days: u32,
    /// Days a server that removed herald keeps its data, in case herald is re-added.
    pub guild_grace_days: u32,
    /// Minutes between two retention passes.
    pub interval_minutes: u32,
}

/// `[llm]`: optional LLM summaries through an OpenAI-compatible chat-completions endpoint.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// The endpoint's base URL, up to and including `/v1` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1` for Ollama); empty: no LLM, `/settings style:llm` is refused.
    pub base_url: String,
    /// The model asked.
    pub model: String,
    /// The key, sent as a Bearer token; set it with HERALD_LLM__API_KEY, never in a file. Empty: none sent.
    pub api_key: String,
    /// Seconds one call may take.
    pub timeout_secs: u64,
    /// Tokens of article text one call may carry (about 4 characters a token); a larger story is summarised
    /// in parts, then the parts' summaries together.
    pub max_input_tokens: usize,
    /// Tokens (prompt and answer, as the endpoint counts them) herald may spend in a UTC day, over all servers.
    pub daily_token_budget: u64,
    /// Tokens one server's channels may spend in a UTC day.
    pub guild_daily_token_budget: u64,
}

impl std::fmt::Debug for LlmConfig {
    /// The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field(
                "api_key",
                &if self.api_key.is_empty() { "" } else { "<set>" },
            )
            .field("timeout_secs", &self.timeout_secs)
            .field("max_input_tokens", &self.max_input_tokens)
            .field("daily_token_budget", &self.daily_token_budget)
            .field("guild_daily_token_budget", &self.guild_daily_token_budget)
            .finish()
    }
}

/// `[search]`: the keyless news-search providers behind every subscription.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Providers a server searches until an admin changes its list (`bing`, `gdelt`, `google`, `hn`).
    pub providers: Vec<String>,
    /// News language until a server sets its own (ISO 639-1).
    pub language: String,
    /// News region until a server sets its own (ISO 3166-1 alpha-2).
    pub country: String,
    /// Results kept from one search response at most (in the provider's order).
    pub max_results: usize,
    /// Where Bing News is asked.
    pub bing_url: String,
    /// Where the GDELT DOC 2.0 API is asked.
    pub gdelt_url: String,
    /// Where Google News is asked.
    pub google_url: String,
    /// Where the Hacker News search (Algolia) is asked.
    pub hn_url: String,
}

/// `[database]`: where the SQLite file lives and how the pool behaves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL (`postgres://user@host/db`) to run on PostgreSQL; empty: SQLite at `path`.
    #[serde(default)]
    pub url: String,
    /// The SQLite file; its folder is created if missing.
    pub path: PathBuf,
    /// Connections in the pool.
    pub max_connections: u32,
    /// Milliseconds a statement waits for a lock.
    pub busy_timeout_ms: u64,
}

/// `[fetch]`: limits of the one shared HTTP client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchConfig {
    /// Seconds to connect.
    pub connect_timeout_secs: u64,
    /// Seconds for a whole request.
    pub timeout_secs: u64,
    /// Largest body in bytes, after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Whether private and loopback addresses may be fetched.
    pub allow_private_addresses: bool,
    /// Sources fetched at once.
    pub concurrency: usize,
}

/// `[sources]`: the feeds used when none are named.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// Feed URLs `herald brief` reads without `--feed`.
    pub default: Vec<String>,
}

/// `[brief]`: the shape of a briefing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefConfig {
    /// Stories per briefing at most.
    pub max_stories: usize,
    /// Summary sentences per story.
    pub sentences: usize,
    /// Words of summary per story instead of sentences; 0 uses `sentences`.
    pub summary_words: usize,
    /// Similarity at which two items are one story.
    pub cluster_threshold: f64,
    /// Hours of items a briefing on Discord covers.
    pub window_hours: u32,
}

/// `[discord]`: where the bot talks to Discord.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// Base URL for REST calls; anything but `https://discord.com` is treated as a rate-limiting proxy.
    pub api_base: String,
    /// Guild to register commands in while developing; 0 for global registration.
    pub dev_guild: u64,
    /// Topics per server.
    pub max_topics_per_guild: usize,
    /// Sources per server.
    pub max_sources_per_guild: usize,
    /// Seconds a member waits between two `/briefing`s.
    pub briefing_cooldown_secs: u64,
    /// Seconds a server waits between two `/briefing`s, whoever asks.
    pub briefing_guild_cooldown_secs: u64,
    /// The gateway shards this process runs: `""` (one shard, all of a small bot), `"auto"` (as many as
    /// Discord recommends, all here), or a range of a total, `"0-3/16"` (shards 0 to 3 of 16) or `"5/16"`.
    #[serde(default)]
    pub shards: String,
}

/// Which gateway shards a process runs (see [`DiscordConfig::shards`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// Shard 0 of 1: every server, one connection.
    One,
    /// As many as Discord recommends (`GET /gateway/bot`), all in this process.
    Auto,
    /// Shards `first..=last` of `total`.
    Range {
        /// The first shard this process runs.
        first: u32,
        /// The last shard this process runs.
        last: u32,
        /// Shards over all processes.
        total: u32,
    },
}

impl Shards {
    /// Parses `[discord] shards`; the error says what is wrong and what works.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "" => return Ok(Self::One),
            "auto" => return Ok(Self::Auto),
            _ => {}
        }
        let bad = || {
            format!(
                "[discord] shards = {s:?} is not a shard range; write \"0-3/16\" (shards 0 to 3 of 16), \"5/16\", \
                 \"auto\" or \"\" (one shard)"
            )
        };
        let (range, total) = s.split_once('/').ok_or_else(bad)?;
        let total: u32 = total.trim().parse().map_err(|_| bad())?;
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            ),
            None => {
                let one: u32 = range.trim().parse().map_err(|_| bad())?;
                (one, one)
            }
        };
        if total == 0 || first > last || last >= total {
            return Err(format!(
                "[discord] shards = {s:?}: shards are numbered 0 to {} of {total}, first to last",
                total.saturating_sub(1)
            ));
        }
        Ok(Self::Range { first, last, total })
    }
}

impl DiscordConfig {
    /// Whether REST calls go through a proxy rather than to Discord itself.
    pub fn uses_proxy(&self) -> bool {
        self.api_base.trim_end_matches('/') != "https://discord.com"
    }
}

/// `[log]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing env-filter directive.
    pub filter: String,
}

impl Config {
    /// Loads defaults, then `file` if given, then `HERALD_*` variables from the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            figment = figment.merge(Toml::string(&text));
        }
        // HERALD_TEST_DATABASE_URL belongs to the test suite (store::scratch), not to herald's settings.
        figment = figment.merge(
            Env::prefixed("HERALD_")
                .ignore(&["TEST_DATABASE_URL"])
                .split("__"),
        );
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Only the compiled-in defaults: what tests and benches start from.
    pub fn defaults() -> Self {
        Figment::from(Toml::string(DEFAULT_TOML))
            .extract()
            .expect("config/default.toml is valid: a unit test checks it")
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if self.database.max_connections == 0 {
            return bad("[database] max_connections must be at least 1");
        }
        if self.fetch.timeout_secs == 0 || self.fetch.connect_timeout_secs == 0 {
            return bad("[fetch] timeouts must be at least 1 second");
        }
        if self.fetch.max_body_bytes == 0 {
            return bad("[fetch] max_body_bytes must be positive");
        }
        if self.fetch.concurrency == 0 {
            return bad("[fetch] concurrency must be at least 1");
        }
        if !(1..=3).contains(&self.brief.sentences) {
            return bad("[brief] sentences must be 1, 2 or 3");
        }
        if self.brief.max_stories == 0 {
            return bad("[brief] max_stories must be at least 1");
        }
        match url::Url::parse(&self.discord.api_base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.path() == "/" => {}
            _ => {
                return bad(
                    "[discord] api_base must be a scheme and host, like https://discord.com",
                );
            }
        }
        if let Err(e) = crate::delivery::schedule::parse_zone(&self.schedule.default_timezone) {
            return Err(ConfigError::Invalid(format!(
                "[schedule] default_timezone: {e}"
            )));
        }
        if self.schedule.tick_ms == 0 || self.poll.tick_ms == 0 {
            return bad("[schedule] and [poll] tick_ms must be at least 1");
        }
        if let Err(e) = Shards::parse(&self.discord.shards) {
            return bad(&e);
        }
        if self.schedule.posts_per_second == 0 || self.schedule.post_attempts == 0 {
            return bad("[schedule] posts_per_second and post_attempts must be at least 1");
        }
        if self.poll.interval_minutes == 0 || self.poll.max_backoff_hours == 0 {
            return bad("[poll] interval_minutes and max_backoff_hours must be at least 1");
        }
        if self.articles.concurrency == 0 || self.articles.per_host == 0 {
            return bad("[articles] concurrency and per_host must be at least 1");
        }
        if !(0.0..=1.0).contains(&self.brief.cluster_threshold) {
            return bad("[brief] cluster_threshold must be between 0 and 1");
        }
        if !self.llm.base_url.is_empty()
            && !url::Url::parse(&self.llm.base_url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return bad(
                "[llm] base_url must be empty or an http(s) URL such as https://api.openai.com/v1",
            );
        }
        if self.retention.items_days < 7 || self.retention.deliveries_days < 3 {
            return bad(
                "[retention] items_days must be at least 7 and deliveries_days at least 3 (a briefing compares new \
                 items with what was told in the last 3 days)",
            );
        }
        if self.retention.interval_minutes == 0 {
            return bad("[retention] interval_minutes must be at least 1");
        }
        if self.llm.timeout_secs == 0 || self.llm.max_input_tokens < 200 {
            return bad("[llm] timeout_secs must be at least 1 and max_input_tokens at least 200");
        }
        use crate::sources::search::{Locale, PROVIDERS};
        if let Some(p) = self
            .search
            .providers
            .iter()
            .find(|p| !PROVIDERS.contains(&p.as_str()))
        {
            return Err(ConfigError::Invalid(format!(
                "[search] providers: {p:?} is not a provider; herald knows {}",
                PROVIDERS.join(", ")
            )));
        }
        if let Err(e) = Locale::new(&self.search.language, &self.search.country) {
            return Err(ConfigError::Invalid(format!("[search] {e}")));
        }
        for (key, url) in [
            ("bing_url", &self.search.bing_url),
            ("gdelt_url", &self.search.gdelt_url),
            ("google_url", &self.search.google_url),
            ("hn_url", &self.search.hn_url),
        ] {
            if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError::Invalid(format!(
                    "[search] {key} must be an http(s) URL, not {url:?}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_validate() {
        let c = Config::defaults();
        c.validate().unwrap();
        assert_eq!(c.database.path, PathBuf::from("data/herald.db"));
        assert!(!c.fetch.allow_private_addresses);
        assert_eq!(c.fetch.max_redirects, 5);
    }

    #[test]
    fn file_then_env_override() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "my.toml",
                "[brief]\nmax_stories = 3\n[fetch]\ntimeout_secs = 7\n",
            )?;
            jail.set_env("HERALD_FETCH__ALLOW_PRIVATE_ADDRESSES", "true");
            jail.set_env("HERALD_DATABASE__PATH", "/tmp/x.db");
            jail.set_env("HERALD_FETCH__TIMEOUT_SECS", "9");
            let c = Config::load(Some(Path::new("my.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(c.brief.max_stories, 3);
            assert_eq!(c.fetch.timeout_secs, 9, "env beats file");
            assert!(c.fetch.allow_private_addresses);
            assert_eq!(c.database.path, PathBuf::from("/tmp/x.db"));
            assert_eq!(c.brief.sentences, 2, "untouched keys keep defaults");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "[brief]\nsentences = 9\n")?;
            let err = Config::load(Some(Path::new("bad.toml"))).unwrap_err();
            assert!(err.to_string().contains("sentences"), "{err}");
            jail.create_file("typo.toml", "[fetch]\ntimeout = 1\n")?;
            let err = Config::load(Some(Path::new("typo.toml"))).unwrap_err();
            assert!(err.to_string().contains("timeout"), "{err}");
            let err = Config::load(Some(Path::new("missing.toml"))).unwrap_err();
            assert!(err.to_string().contains("missing.toml"), "{err}");
            Ok(())
        });
    }
}
