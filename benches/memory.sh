#!/usr/bin/env bash
# Resident memory of a server as it runs (issue 26, point 5): on SQLite with 10,000 products and
# 50,000 orders, restarted on a current search index; prints the server's own notes of each
# start-up step (`RUST_LOG=campus::memory=debug`: start, database, index, reader, segmenter),
# then VmRSS after start, after the first search (segmenter loaded), after the first change
# (index writer open), and after LOAD seconds of wrk on a few pages.
# Usage: bash benches/memory.sh   (needs wrk)
# Env: SKIP_BUILD=1 / BIN as in the other scripts; LOAD (default 5, seconds per page).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || [ -n "${BIN:-}" ] || cargo build --release -q
bin="${BIN:-$PWD/target/release/campus}"
load="${LOAD:-5}"
port=18094
base="http://127.0.0.1:$port"
data=$(mktemp -d)
export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" DATABASE_URL="sqlite://$data/bench.db" RUST_LOG=warn
"$bin" seed-demo --products 10000 --orders 50000 >/dev/null
"$bin" reindex >/dev/null
RUST_LOG=warn,campus::memory=debug "$bin" 2>"$data/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "$base/ready" >/dev/null && break; sleep 0.2; done
sleep 3
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
sed 's/\x1b\[[0-9;]*m//g' "$data/log" | grep -o 'campus::memory: .*' || true
echo "after start (index current, segmenter loaded in the background): $(rss) KiB"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("充电宝"))')
curl -s -o /dev/null "$base/mall/search?q=$q"
echo "after the first search: $(rss) KiB"
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "$base/login"
cookie=$(awk '/campus_session/ {print $7}' "$jar")
# A new forum post is indexed on the next job tick: the index writer opens.
page=$(curl -s -b "$jar" -c "$jar" "$base/me")
token=$(echo "$page" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o "$data/post" -w "new post (token ${#token} chars): %{http_code}\n" -H "X-CSRF-Token: $token" \
  -F "board_id=1" -F "title=内存测量的帖子" -F "body=索引写入器在第一次改动时打开，这一帖就是那第一次改动。" "$base/forum/new"
grep -o '<h1[^<]*<[^<]*' "$data/post" | head -2 || true
sleep 3
echo "after the first change indexed (writer open): $(rss) KiB"
for path in /mall "/mall/search?q=$q" /mall/products/5000 /forum /academic/schedule /me; do
  wrk -t2 -c64 -d"${load}s" -H "Cookie: campus_session=$cookie" "$base$path" >/dev/null
done
echo "after ${load}s of wrk on each of 6 pages: $(rss) KiB"
