#!/usr/bin/env bash
# PostgreSQL against SQLite, page by page, in one alternating run (issue 26, point 3): one server
# on SQLite and one on PostgreSQL, the same demo data on each (10,000 products, 50,000 orders),
# both started on a current search index and left running; then for every page wrk measures the
# SQLite server and at once the PostgreSQL one, so that whatever else the machine is doing
# weighs on both alike. Prints one table: page, who, SQLite req/s and p99, PostgreSQL req/s and
# p99, and the ratio PostgreSQL / SQLite; and each server's RSS.
# Usage: bash benches/pg_vs_sqlite.sh   (needs wrk; PostgreSQL on 127.0.0.1:5432, the database
#        campus_bench is dropped and made again)
# Env: DURATION (default 5s), CONNECTIONS (64), SKIP_BUILD=1 to use the existing
#      target/release/campus, BIN to name another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-5s}"
connections="${CONNECTIONS:-64}"
[ "${SKIP_BUILD:-0}" = 1 ] || [ -n "${BIN:-}" ] || cargo build --release -q
bin="${BIN:-$PWD/target/release/campus}"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("充电宝"))')
# page|who: "in" (signed in) or "both" (also anonymously).
pages=(
  "/|in" "/me|in" "/me/messages|in" "/mall|both" "/mall/categories/1|both" "/mall/categories/2?sort=price_asc|both"
  "/mall/products/5000|both" "/mall/search?q=$q|both" "/mall/cart|in" "/mall/orders|in" "/mall/coupons|in"
  "/mall/second-hand|in" "/forum|in" "/forum/ranking|in" "/forum/posts/1|in" "/activities|in" "/campus/news|in"
  "/campus/map|in" "/academic/schedule|in" "/academic/grades|in" "/academic/exams|in" "/academic/classrooms|in"
)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name port database_url
  local data="$work/$1"
  mkdir -p "$data"
  export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$2" RUST_LOG=warn DATABASE_URL="$3"
  "$bin" seed-demo --products 10000 --orders 50000 >/dev/null
  "$bin" reindex >/dev/null
  "$bin" &
  pids+=($!)
  echo $! >"$work/$1.pid"
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$2/ready" >/dev/null && break; sleep 0.2; done
  local jar="$data/cookies" token
  token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$2/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "http://127.0.0.1:$2/login"
  awk '/campus_session/ {print $7}' "$jar" >"$work/$1.cookie"
}

wrk_one() { # port path [cookie] -> "req/s p99 errors"
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Cookie: campus_session=$3" "http://127.0.0.1:$1$2")
  else
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$1$2")
  fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}') $(echo "$out" | awk '$1=="99%" {print $2}') \
$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {for (i=4;i<=NF;i+=2) n+=$i} END {print n+0}')"
}

psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS campus_bench WITH (FORCE)" -c "CREATE DATABASE campus_bench"
start sqlite 18091 "sqlite://$work/bench.db"
start postgres 18092 "postgres://postgres@127.0.0.1:5432/campus_bench"
sleep 2
cs=$(cat "$work/sqlite.cookie")
cp=$(cat "$work/postgres.cookie")
echo "RSS at idle: sqlite $(ps -o rss= -p "$(cat "$work/sqlite.pid")") KiB, postgres $(ps -o rss= -p "$(cat "$work/postgres.pid")") KiB"
# One request of each page on each server first, so that neither run pays for filling caches.
for entry in "${pages[@]}"; do
  path=${entry%|*}
  curl -s -o /dev/null -H "Cookie: campus_session=$cs" "http://127.0.0.1:18091$path"
  curl -s -o /dev/null -H "Cookie: campus_session=$cp" "http://127.0.0.1:18092$path"
done
printf '%-40s %-5s %10s %9s %10s %9s %6s %6s\n' page who sqlite p99 postgres p99 pg/sq errors
for entry in "${pages[@]}"; do
  path=${entry%|*}
  who=${entry##*|}
  for w in in anon; do
    [ "$w" = anon ] && [ "$who" != both ] && continue
    if [ "$w" = in ]; then a=$cs; b=$cp; else a=""; b=""; fi
    read -r s s99 se <<<"$(wrk_one 18091 "$path" "$a")"
    read -r p p99 pe <<<"$(wrk_one 18092 "$path" "$b")"
    printf '%-40s %-5s %10s %9s %10s %9s %5s%% %6s\n' \
      "$(python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$path")" "$w" \
      "$s" "$s99" "$p" "$p99" "$(( s > 0 ? p * 100 / s : 0 ))" "$((se + pe))"
  done
done
echo "RSS after the load: sqlite $(ps -o rss= -p "$(cat "$work/sqlite.pid")") KiB, postgres $(ps -o rss= -p "$(cat "$work/postgres.pid")") KiB"
