#!/usr/bin/env bash
# Every main page of every module, signed in as the demo student (and the public pages also
# anonymously), on SQLite and on PostgreSQL: release build, 10,000 products and 50,000 orders,
# wrk -t2 -c64 for $DURATION per page. Prints one table: page, backend, who, req/s, p50, p99,
# errors; and the server's RSS at idle and after the load.
# Usage: bash benches/all.sh [sqlite|postgres|both]   (needs wrk; PostgreSQL on 127.0.0.1:5432)
# Env: DURATION (default 10s), SKIP_BUILD=1 to use the existing target/release/campus.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
duration="${DURATION:-10s}"
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -q
bin="$PWD/target/release/campus"
port=18083
base="http://127.0.0.1:$port"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("充电宝"))')
# page|who: who is "in" (signed in) or "both" (also measured anonymously).
pages=(
  "/|in" "/me|in" "/me/messages|in" "/mall|both" "/mall/categories/1|both" "/mall/categories/2?sort=price_asc|both"
  "/mall/products/5000|both" "/mall/search?q=$q|both" "/mall/search?q=$q&sort=price_asc&min=10&max=100|both"
  "/mall/cart|in" "/mall/orders|in" "/mall/coupons|in" "/mall/second-hand|in"
  "/forum|in" "/forum/ranking|in" "/activities|in" "/campus/news|in" "/campus/map|in"
  "/academic/schedule|in" "/academic/grades|in"
)
results=$(mktemp)
printf '%-52s %-9s %-5s %9s %9s %9s %7s\n' page backend who req/s p50 p99 errors >"$results"

measure() { # backend who path [cookie]
  local out errors
  if [ -n "${4:-}" ]; then
    out=$(wrk -t2 -c64 -d"$duration" --latency -H "Cookie: campus_session=$4" "$base$3")
  else
    out=$(wrk -t2 -c64 -d"$duration" --latency "$base$3")
  fi
  errors=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {for (i=4;i<=NF;i+=2) n+=$i} END {print n+0}')
  printf '%-52s %-9s %-5s %9s %9s %9s %7s\n' "$(python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$3")" "$1" "$2" \
    "$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$errors" >>"$results"
}

run() { # backend database_url
  local backend=$1 url=$2 data pid jar token cookie path who status
  data=$(mktemp -d)
  export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn DATABASE_URL="$url"
  local start; start=$(date +%s.%N)
  "$bin" seed-demo --products 10000 --orders 50000 >/dev/null
  echo "$backend: seeded 10,000 products and 50,000 orders in $(echo "$(date +%s.%N) - $start" | bc) s" >&2
  # The server then starts on a current search index, as an instance restarted in production does
  # (on a fresh index it would index 10,000 products first, loading the segmenter at start).
  "$bin" reindex >/dev/null
  "$bin" &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "$base/ready" >/dev/null && break; sleep 0.2; done
  sleep 2
  echo "$backend: RSS at idle $(ps -o rss= -p $pid) KiB" >&2
  jar="$data/cookies"
  token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "$base/login"
  cookie=$(awk '/campus_session/ {print $7}' "$jar")
  for entry in "${pages[@]}"; do
    path=${entry%|*}
    who=${entry##*|}
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: campus_session=$cookie" "$base$path")
    [ "$status" = 200 ] || continue # a module that does not exist (yet) is left out
    measure "$backend" in "$path" "$cookie"
    [ "$who" = both ] && measure "$backend" anon "$path"
  done
  echo "$backend: RSS after the load $(ps -o rss= -p $pid) KiB" >&2
  kill $pid
  wait $pid 2>/dev/null || true
  rm -rf "$data"
}

if [ "$which" = sqlite ] || [ "$which" = both ]; then
  run sqlite "sqlite://$(mktemp -d)/bench.db"
fi
if [ "$which" = postgres ] || [ "$which" = both ]; then
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS campus_bench WITH (FORCE)" -c "CREATE DATABASE campus_bench"
  run postgres "postgres://postgres@127.0.0.1:5432/campus_bench"
fi
cat "$results"
rm -f "$results"
