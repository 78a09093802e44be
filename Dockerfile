# syntax=docker/dockerfile:1
# The campus server as an image: built with the Rust toolchain, run on a slim Debian as a
# non-root user with its data (SQLite database, media, search index, backups) in /data.
#   docker build -t campus .
#   docker run -p 8080:8080 -v campus-data:/data campus
# A cluster on PostgreSQL + Redis behind nginx: deploy/compose.yaml.

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies come from the lock file alone, fetched in their own layer; the registry and
# target/ stay in BuildKit caches between builds, so a change to our code rebuilds our crate only.
COPY Cargo.toml Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    mkdir -p src tests/api && echo 'fn main() {}' > src/main.rs && touch src/lib.rs tests/api/main.rs \
    && cargo fetch --locked \
    && rm -rf src tests
COPY build.rs diesel.toml ./
COPY src src
COPY templates templates
COPY static static
COPY migrations migrations
COPY samples samples
COPY tests tests
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin campus \
    && cp target/release/campus /usr/local/bin/campus

FROM debian:bookworm-slim
# ca-certificates: WeChat and SMTP over TLS; libssl3: native-tls; postgresql-client: pg_dump and
# pg_restore for `campus backup` / `campus restore` (15, the same major as Debian's server);
# curl: the health check; fonts-wqy-zenhei: the Chinese font the PDF transcript embeds a subset of
# (CAMPUS_PDF_FONT).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates libssl3 postgresql-client curl fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin campus \
    && mkdir -p /data && chown campus:campus /data
COPY --from=build /usr/local/bin/campus /usr/local/bin/campus
USER campus
WORKDIR /data
ENV CAMPUS_BIND=0.0.0.0:8080 \
    CAMPUS_DATA_DIR=/data \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
# SIGTERM: the server stops taking connections and finishes the requests in flight.
STOPSIGNAL SIGTERM
ENTRYPOINT ["campus"]
CMD ["serve"]
