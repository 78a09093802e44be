#!/usr/bin/env bash
# Forum load test: release build, SQLite with 100,000 generated posts and 1,000,000 comments,
# wrk at 64 connections for 10 s per page, signed in as the demo student; then 1,000 concurrent
# likes and unlikes on one post (benches/forum_likes.py).
# Usage: bash benches/forum.sh [posts] [comments]   (needs wrk, python3, sqlite3)
# Env: SKIP_BUILD=1 to use the existing target/release/campus.
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-100000}
comments=${2:-1000000}
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -q
data=$(mktemp -d)
port=18082
export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn
start=$(date +%s.%N)
./target/release/campus seed-demo --posts "$posts" --comments "$comments"
echo "seeded $posts posts and $comments comments in $(echo "$(date +%s.%N) - $start" | bc) s (with the demo data)"
start=$(date +%s.%N)
./target/release/campus reindex
echo "indexed in $(echo "$(date +%s.%N) - $start" | bc) s"
./target/release/campus &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
echo "RSS at idle: $(ps -o rss= -p $pid) KiB"
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "http://127.0.0.1:$port/login"
cookie=$(awk '/campus_session/ {print $7}' "$jar")
get() { curl -s -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$1"; }
# The first generated post (after the 31 demo posts) holds 600 of the comments.
big=$(sqlite3 "$data/campus.db" "SELECT id FROM forum_posts ORDER BY comment_count DESC LIMIT 1" 2>/dev/null || echo 32)
# A board page 500 posts deep: follow the keyset cursor 25 pages of 20.
deep="/forum/boards/2?sort=newest"
for _ in $(seq 1 25); do
  deep=$(get "$deep" | grep -o 'hx-get="/forum/boards/[^"]*"' | head -1 | sed 's/^hx-get="//;s/"$//;s/&amp;/\&/g;s/&#38;/\&/g')
done
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("考研"))')
for path in /forum "$deep" "/forum/posts/$big" /forum/ranking "/forum/search?q=$q"; do
  echo "== GET $path"
  wrk -t2 -c64 -d10s --latency -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
echo "RSS after load: $(ps -o rss= -p $pid) KiB"
kill $pid; wait $pid 2>/dev/null || true
trap 'rm -rf "$data"' EXIT
python3 benches/forum_likes.py
