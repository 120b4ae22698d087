# herald: multi-stage build, slim non-root runtime, SQLite on the /data volume.
#   docker build -t herald .
#   docker run -d --name herald -e DISCORD_TOKEN=... -v herald-data:/data -p 9464:9464 herald
# A host folder for /data must be writable by uid 10001 (sudo chown 10001 /srv/herald), or run the container as
# the folder's owner (--user "$(id -u):$(id -g)").
# Any setting can be overridden with HERALD_<SECTION>__<KEY> env vars (see config/default.toml, baked in).

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# 1. The dependencies alone, in a layer of their own: rebuilt only when Cargo.toml or Cargo.lock change, not on
#    every source change. Stub targets stand in for herald's own (cargo reads every target the manifest names);
#    build.rs needs the word lists it compiles.
COPY Cargo.toml Cargo.lock build.rs ./
COPY src/text/wordfreq src/text/wordfreq
RUN mkdir -p benches tests \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs tests/tests.rs \
    && for b in pipeline delivery retention ingest fleet; do echo 'fn main() {}' > "benches/$b.rs"; done \
    && cargo build --release --locked --bin herald \
    && rm -rf src/main.rs src/lib.rs benches tests
# 2. herald itself (touched, so cargo never takes the stub's build for it).
COPY src src
COPY migrations migrations
COPY config config
COPY benches benches
COPY tests tests
RUN touch src/lib.rs src/main.rs && cargo build --release --locked --bin herald

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
