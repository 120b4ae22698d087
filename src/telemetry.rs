//! Metrics and health: counters and gauges through the `metrics` facade (a no-op until a recorder is
//! installed), rendered in Prometheus text by `metrics-exporter-prometheus`, and an optional HTTP listener
//! (`[metrics] listen`) serving `/metrics` and `/healthz`.
//!
//! What is counted (all names start `herald_`): `polls_total{outcome}`, `items_stored_total`,
//! `articles_total{outcome}`, `deliveries_total{state}`, `posts_total`, `discord_429_total`,
//! `post_retries_total`, `llm_tokens_total`, `llm_calls_total`, `loop_lag_seconds{loop}` and
//! `gateway_latency_seconds`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::store::Store;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use (once per process; later calls share it).
pub fn recorder() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

/// Every counter and gauge herald reports, each label value included, at 0 (gauges too, until first set), so
/// dashboards and alerts see every series from the start rather than after its first event; with the help
/// line Prometheus shows. Call once, after [`recorder`], before the loops start.
pub fn declare() {
    // (name, help, label key, label values): every counter herald counts into.
    const COUNTERS: &[(&str, &str, &str, &[&str])] = &[
        (
            "herald_polls_total",
            "Source fetches, by outcome",
            "outcome",
            &["ok", "not_modified", "waiting", "failed"],
        ),
        (
            "herald_items_stored_total",
            "Items stored for the first time",
            "",
            &[],
        ),
        (
            "herald_articles_total",
            "Article pages read, by outcome",
            "outcome",
            &["read", "failed"],
        ),
        (
            "herald_deliveries_total",
            "Scheduled deliveries, by state",
            "state",
            &["claimed", "empty", "sent", "failed"],
        ),
        ("herald_posts_total", "Messages posted to Discord", "", &[]),
        (
            "herald_discord_429_total",
            "429 answers from Discord (10,000 in 10 minutes ban the bot's IP for an hour)",
            "",
            &[],
        ),
        (
            "herald_post_retries_total",
            "Message posts tried again",
            "",
            &[],
        ),
        (
            "herald_llm_calls_total",
            "Calls to the LLM endpoint",
            "",
            &[],
        ),
        (
            "herald_llm_tokens_total",
            "LLM tokens spent (prompt and answer)",
            "",
            &[],
        ),
        (
            "herald_llm_fallbacks_total",
            "LLM summaries not used (extractive instead)",
            "",
            &[],
        ),
        (
            "herald_retention_deleted_total",
            "Rows deleted by retention",
            "what",
            &["items"],
        ),
    ];
    const GAUGES: &[(&str, &str, &str, &[&str])] = &[
        (
            "herald_loop_lag_seconds",
            "How late a background loop's last tick ran",
            "loop",
            &["poller", "scheduler"],
        ),
        (
            "herald_gateway_latency_seconds",
            "Discord gateway heartbeat latency",
            "",
            &[],
        ),
        (
            "herald_database_bytes",
            "Database size on disk (SQLite: file and WAL)",
            "",
            &[],
        ),
    ];
    for &(name, help, key, values) in COUNTERS {
        metrics::describe_counter!(name, help);
        if values.is_empty() {
            metrics::counter!(name).increment(0);
        }
        for &value in values {
            metrics::counter!(name, key => value).increment(0);
        }
    }
    for &(name, help, key, values) in GAUGES {
        metrics::describe_gauge!(name, help);
        if values.is_empty() {
            metrics::gauge!(name).set(0.0);
        }
        for &value in values {
            metrics::gauge!(name, key => value).set(0.0);
        }
    }
}

/// Whether the gateway is connected, for `/healthz` (set by the Discord client).
#[derive(Debug, Clone, Default)]
pub struct Health {
    gateway: Arc<AtomicBool>,
}

impl Health {
    /// Records whether the gateway is connected.
    pub fn set_gateway(&self, up: bool) {
        self.gateway.store(up, Ordering::Relaxed);
    }

    /// Whether the gateway is connected.
    pub fn gateway(&self) -> bool {
        self.gateway.load(Ordering::Relaxed)
    }
}

/// Why the metrics listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("[metrics] listen {addr}: {source}")]
pub struct ListenError {
    /// The address asked for.
    pub addr: String,
    /// What the OS said.
    pub source: std::io::Error,
}

/// Binds `[metrics] listen` and serves `/metrics` (Prometheus text) and `/healthz` (200 `ok` when the store
/// answers and the gateway is connected, else 503 saying which is not) until the process ends. Returns the
/// bound address (useful with port 0).
pub async fn serve(addr: &str, store: Store, health: Health) -> Result<SocketAddr, ListenError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ListenError {
            addr: addr.to_owned(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| ListenError {
        addr: addr.to_owned(),
        source,
    })?;
    let handle = recorder();
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let handle = handle.clone();
                async move {
                    let body = handle.map(|h| h.render()).unwrap_or_default();
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        body,
                    )
                }
            }),
        )
        .route(
            "/healthz",
            axum::routing::get(move || {
                let (store, health) = (store.clone(), health.clone());
                async move {
                    let db = store.ping().await.is_ok();
                    let gateway = health.gateway();
                    let status = if db && gateway {
                        axum::http::StatusCode::OK
                    } else {
                        axum::http::StatusCode::SERVICE_UNAVAILABLE
                    };
                    let body = format!(
                        "{}\nstore: {}\ngateway: {}\n",
                        if status.is_success() {
                            "ok"
                        } else {
                            "not ready"
                        },
                        if db { "ok" } else { "failing" },
                        if gateway {
                            "connected"
                        } else {
                            "not connected"
                        }
                    );
                    (status, body)
                }
            }),
        );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    tracing::info!(%bound, "metrics and health on http://{bound}/metrics and /healthz");
    Ok(bound)
}
