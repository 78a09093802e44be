#!/usr/bin/env bash
# The scaled-out setup against one instance, in one run: `/mall` and a product page, signed in
# as the demo student, wrk at 64 and 256 connections for 10 s each, through
#   1. nginx with 2 instances on PostgreSQL + Redis (deploy/cluster.sh),
#   2. one of those instances directly (PostgreSQL + Redis, the other one idle),
#   3. one instance on SQLite (cookie sessions), the two-command default.
# Release build; prints one markdown table row per measurement (for benches/RESULTS.md).
# Usage: bash benches/cluster.sh   (needs wrk, nginx, PostgreSQL and Redis on loopback)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/campus ] || cargo build --release -q
export CAMPUS_BIN=$PWD/target/release/campus
export CLUSTER_DIR=$PWD/target/cluster-bench CLUSTER_PORT=18680
export CLUSTER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/campus_cluster_bench
sqlite_port=18690
sqlite_data=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  deploy/cluster.sh down || true
  rm -rf "$sqlite_data"
}
trap cleanup EXIT

deploy/cluster.sh up --fresh

# The SQLite instance.
CAMPUS_DATA_DIR="$sqlite_data" RUST_LOG=warn "$CAMPUS_BIN" seed-demo >/dev/null
CAMPUS_DATA_DIR="$sqlite_data" CAMPUS_BIND="127.0.0.1:$sqlite_port" RUST_LOG=warn "$CAMPUS_BIN" serve &
pid=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$sqlite_port/ready" >/dev/null && break; sleep 0.2; done

signin() { # port -> the session cookie of the demo student
  local jar token
  jar=$(mktemp)
  token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$1/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "http://127.0.0.1:$1/login"
  awk '/campus_session/ {print $7}' "$jar"
  rm -f "$jar"
}

product=$(psql -Atq "$CLUSTER_DATABASE_URL" -c "SELECT id FROM products ORDER BY id LIMIT 1")
echo "| setup | page | connections | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for target in "nginx + 2 instances, PostgreSQL:$CLUSTER_PORT" "1 instance, PostgreSQL:$((CLUSTER_PORT + 1))" "1 instance, SQLite:$sqlite_port"; do
  name=${target%:*} port=${target##*:}
  cookie=$(signin "$port")
  for path in /mall "/mall/products/$product"; do
    for c in 64 256; do
      out=$(wrk -t2 -c"$c" -d10s --latency -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$path")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
      non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
      echo "| $name | \`GET $path\` | $c | ${rps%.*} | $p50 | $p99 | ${non2xx:-0} |"
      sleep 2
    done
  done
done
