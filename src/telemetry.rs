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
