//! Settings: `config/default.toml` compiled in, then `--config FILE`, then `HERALD_<SECTION>__<KEY>` env vars.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Why the configuration could not be loaded. Each message is one line that names the file or variable, the
/// key, and what to write instead.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file was named but could not be read.
    #[error("cannot read config file {}: {reason}", path.display())]
    Read {
        /// The file named.
        path: PathBuf,
        /// What the OS said (without its error number).
        reason: String,
    },
    /// The file is not TOML.
    #[error(
        "config file {}, line {line}, column {column}: {message}; TOML is `key = value` lines under `[section]` \
         headers, strings in quotes",
        path.display()
    )]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where (1-based).
        line: usize,
        /// Where (1-based).
        column: usize,
        /// What the TOML parser said, on one line.
        message: String,
    },
    /// A value has the wrong type, a key is unknown, or a value is out of range.
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
    /// Minutes between two briefings of one channel at least: `/schedule set` refuses a schedule whose runs
    /// come closer, and a stored one is held to it.
    #[serde(default = "default_min_interval_minutes")]
    pub min_interval_minutes: u32,
    /// This process's slot in a fleet; empty: its host name and `[discord] shards`. A process restarted in
    /// the same slot resumes the deliveries its previous run had claimed at once.
    #[serde(default)]
    pub process_slot: String,
}

fn default_lease_secs() -> u64 {
    120
}

fn default_min_interval_minutes() -> u32 {
    60
}

impl ScheduleConfig {
    /// `min_interval_minutes` as a duration.
    pub fn min_interval(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.min_interval_minutes))
    }
}

/// What a channel with nothing new gets at its scheduled time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NothingNew {
    /// One line: "Nothing new on … since …".
    Say,
    /// No message (the default: a quiet day is not news).
    #[default]
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
    /// Article pages one `herald brief` reads at most, the newest items first; the others keep their feed's
    /// text. Over 10,000 feeds a run would otherwise try every page of every feed.
    #[serde(default = "default_max_per_run")]
    pub max_per_run: usize,
}

fn default_max_per_run() -> usize {
    300
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
    /// The endpoint's base URL, with or without its `/v1` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434` for Ollama); empty: no LLM, `/settings style:llm` is refused.
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
    /// Seconds `/briefing` waits for the searches and feeds it refreshes before it answers; those still running
    /// are named, and followed up when they finish.
    pub briefing_search_wait_secs: u64,
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
    pub fn parse(s: &str) -> Result<Self, ShardsError> {
        let s = s.trim();
        match s {
            "" => return Ok(Self::One),
            "auto" => return Ok(Self::Auto),
            _ => {}
        }
        let bad = || ShardsError::NotARange(s.to_owned());
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
            return Err(ShardsError::OutOfRange {
                given: s.to_owned(),
                total,
            });
        }
        Ok(Self::Range { first, last, total })
    }
}

/// Why `[discord] shards` was refused; the message says what works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardsError {
    /// Not of the form `first-last/total`.
    #[error(
        "[discord] shards = {0:?} is not a shard range; write \"0-3/16\" (shards 0 to 3 of 16), \"5/16\", \
         \"auto\" or \"\" (one shard)"
    )]
    NotARange(String),
    /// A range outside `0..total`, or backwards.
    #[error("[discord] shards = {given:?}: shards are numbered 0 to {} of {total}, first to last", .total.saturating_sub(1))]
    OutOfRange {
        /// The value given.
        given: String,
        /// Shards over all processes.
        total: u32,
    },
}

/// Why `[metrics] listen` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "[metrics] listen = {0:?} is not an address to listen on; write host:port, e.g. \"127.0.0.1:9464\" (this \
     machine only) or \"0.0.0.0:9464\" (all interfaces), or \"\" for off"
)]
pub struct ListenError(String);

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
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                path: path.to_owned(),
                reason: crate::report::one_line(&e),
            })?;
            // The syntax first, so its error names the file and the line (figment's would not).
            if let Err(e) = text.parse::<toml::Table>() {
                let (line, column) = e
                    .span()
                    .map_or((1, 1), |span| line_column(&text, span.start));
                return Err(ConfigError::Syntax {
                    path: path.to_owned(),
                    line,
                    column,
                    message: e
                        .message()
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(": "),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // HERALD_TEST_DATABASE_URL belongs to the test suite (store::scratch), not to herald's settings.
        figment = figment.merge(
            Env::prefixed("HERALD_")
                .ignore(&["TEST_DATABASE_URL"])
                .split("__"),
        );
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(explain(e)))?;
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
        let zone = self.schedule.default_timezone.trim();
        if zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "[schedule] default_timezone: unknown time zone {zone:?}: use an IANA name such as \
                 Europe/Kyiv, America/New_York or UTC"
            )));
        }
        if !(1..=1440).contains(&self.schedule.min_interval_minutes) {
            return bad(
                "[schedule] min_interval_minutes must be from 1 to 1440 (a day); 60 keeps a channel to one \
                 briefing an hour",
            );
        }
        if self.schedule.tick_ms == 0 || self.poll.tick_ms == 0 {
            return bad("[schedule] and [poll] tick_ms must be at least 1");
        }
        if let Err(e) = Shards::parse(&self.discord.shards) {
            return bad(&e.to_string());
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
        use crate::locale::{Locale, PROVIDERS};
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
        if let Err(e) = check_listen(&self.metrics.listen) {
            return Err(ConfigError::Invalid(e.to_string()));
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

/// Checks `[metrics] listen` as `herald run` will bind it: empty, or `host:port` (an IP address, `[::1]:9464`,
/// or a host name such as `localhost`) with a port from 0 to 65535.
fn check_listen(listen: &str) -> Result<(), ListenError> {
    let listen = listen.trim();
    if listen.is_empty() || listen.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    let name_ok = |host: &str| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
    };
    match listen.rsplit_once(':') {
        Some((host, port)) if name_ok(host) && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(ListenError(listen.to_owned())),
    }
}

/// The 1-based line and column of byte `at` in `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// figment's errors as herald says them: one line each, naming where the value came from (the file, or the
/// `HERALD_…` variable), the key as `[section] key`, and what to write.
fn explain(errors: figment::Error) -> String {
    errors
        .into_iter()
        .map(|e| explain_one(&e))
        .collect::<Vec<_>>()
        .join("; ")
}

fn explain_one(e: &figment::Error) -> String {
    use figment::Source;
    use figment::error::Kind;
    let path: Vec<&str> = e.path.iter().map(String::as_str).collect();
    let (section, key) = match path.as_slice() {
        [] => (None, String::new()),
        [one] => (None, (*one).to_owned()),
        [section, rest @ ..] => (Some(*section), rest.join(".")),
    };
    let named = match section {
        Some(section) => format!("[{section}] {key}"),
        None if key.is_empty() => "a setting".to_owned(),
        None => format!("[{key}]"),
    };
    let from_env = e
        .metadata
        .as_ref()
        .is_some_and(|md| md.name.contains("environment variable"));
    let variable = format!(
        "HERALD_{}",
        path.iter()
            .map(|p| p.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join("__")
    );
    let origin = match e.metadata.as_ref().and_then(|md| md.source.as_ref()) {
        _ if from_env => variable.clone(),
        Some(Source::File(p)) => format!("config file {}", p.display()),
        Some(other) => other.to_string(),
        None => "config/default.toml (built in)".to_owned(),
    };
    let what = match &e.kind {
        Kind::UnknownField(field, expected) => {
            let unknown = match section {
                Some(section) if path.len() == 2 => format!("[{section}] {field}"),
                _ => format!("{field:?}"),
            };
            let close = expected
                .iter()
                .map(|k| (strsim::jaro_winkler(field, k), *k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            format!(
                "{unknown} is not a setting; {close}the keys there are {}",
                expected.join(", ")
            )
        }
        Kind::InvalidType(actual, expected) => {
            let form = if expected.contains("sequence") {
                let example = match actual {
                    figment::error::Actual::Str(v) => format!("'[\"{v}\"]'"),
                    _ => "'[\"a\", \"b\"]'".to_owned(),
                };
                if from_env {
                    format!(" (a list: {variable}={example})")
                } else {
                    " (a list: key = [\"a\", \"b\"])".to_owned()
                }
            } else {
                String::new()
            };
            format!("{named} must be {expected}{form}, not {actual}")
        }
        Kind::InvalidValue(actual, expected) => {
            format!("{named} must be {expected}, not {actual}")
        }
        Kind::UnknownVariant(actual, expected) => {
            format!("{named}: {actual:?} is not one of {}", expected.join(", "))
        }
        Kind::MissingField(field) => format!("[{key}] {field} is missing"),
        other => format!("{named}: {other}"),
    };
    format!("{origin}: {what}")
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

    /// Each config error is one line naming the file or variable, the key, and the fix.
    #[test]
    fn config_errors_name_the_file_or_variable_the_key_and_the_fix() {
        figment::Jail::expect_with(|jail| {
            let one_line = |e: ConfigError| {
                let text = crate::report::one_line(&e);
                assert!(!text.contains('\n'), "{text}");
                text
            };
            let err = one_line(Config::load(Some(Path::new("missing.toml"))).unwrap_err());
            assert_eq!(
                err, "cannot read config file missing.toml: No such file or directory",
                "the OS error once"
            );
            jail.create_file("broken.toml", "[brief]\nmax_stories = \n")?;
            let err = one_line(Config::load(Some(Path::new("broken.toml"))).unwrap_err());
            assert!(
                err.starts_with("config file broken.toml, line 2, column"),
                "{err}"
            );
            assert!(err.contains("key = value"), "{err}");
            jail.create_file("typo.toml", "[brief]\nmax_storys = 3\n")?;
            let err = one_line(Config::load(Some(Path::new("typo.toml"))).unwrap_err());
            assert!(err.contains("config file typo.toml"), "{err}");
            assert!(err.contains("[brief] max_storys is not a setting"), "{err}");
            assert!(err.contains("did you mean `max_stories`?"), "{err}");
            assert!(!err.contains("default."), "{err}");
            jail.set_env("HERALD_SEARCH__PROVIDERS", "bing");
            let err = one_line(Config::load(None).unwrap_err());
            assert!(err.contains("HERALD_SEARCH__PROVIDERS"), "{err}");
            assert!(
                err.contains("HERALD_SEARCH__PROVIDERS='[\"bing\"]'"),
                "{err}"
            );
            jail.set_env("HERALD_SEARCH__PROVIDERS", "[\"bing\"]");
            Config::load(None).map_err(|e| e.to_string())?;
            Ok(())
        });
    }

    /// `herald check` validates what `herald run` will use, so a listen address run refuses fails here.
    #[test]
    fn metrics_listen_is_an_address_or_empty() {
        for ok in [
            "",
            "127.0.0.1:9464",
            "0.0.0.0:9464",
            "[::1]:9464",
            "localhost:9464",
        ] {
            assert!(check_listen(ok).is_ok(), "{ok}");
        }
        for bad in [
            "nonsense",
            "9464",
            "127.0.0.1:99999",
            ":9464",
            "http://127.0.0.1:9464",
        ] {
            let err = check_listen(bad).unwrap_err().to_string();
            assert!(err.contains("write host:port"), "{bad}: {err}");
        }
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
