#!/usr/bin/env bash
# Load test of a release build with the demo data: wrk at 64 connections against each page.
# Usage: bash benches/http.sh   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=$(mktemp -d)
port=18080
CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn ./target/release/campus &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
echo "RSS at idle: $(ps -o rss= -p $pid) KiB"
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "http://127.0.0.1:$port/login"
cookie=$(awk '/campus_session/ {print $7}' "$jar")
for path in /health /login / /me/messages; do
  echo "== GET $path"
  wrk -t2 -c64 -d10s --latency -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
echo "RSS after load: $(ps -o rss= -p $pid) KiB"
