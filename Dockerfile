# herald: multi-stage build, slim non-root runtime, SQLite on the /data volume.
#   docker build -t herald .
#   docker run -d --name herald -e DISCORD_TOKEN=... -v herald-data:/data herald
# Any setting can be overridden with HERALD_<SECTION>__<KEY> env vars (see config/default.toml, baked in).

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
COPY config config
COPY benches benches
COPY tests tests
RUN cargo build --release --locked --bin herald

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin herald \
    && mkdir -p /data && chown herald:herald /data
COPY --from=build /src/target/release/herald /usr/local/bin/herald
USER herald
WORKDIR /data
ENV HERALD_DATABASE__PATH=/data/herald.db
# /metrics and /healthz (ready: database answers and the Discord gateway is connected).
ENV HERALD_METRICS__LISTEN=0.0.0.0:9464
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["herald", "healthz"]
VOLUME ["/data"]
ENTRYPOINT ["herald"]
CMD ["run"]
