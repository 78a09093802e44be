#!/usr/bin/env bash
# Mall load test: release build, SQLite with 10,000 products and 50,000 orders, wrk at 64
# connections for 10 s per page, signed in as the demo student.
# Usage: bash benches/mall.sh   (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=$(mktemp -d)
port=18081
export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn
start=$(date +%s.%N)
./target/release/campus seed-demo --products 10000 --orders 50000 >/dev/null
echo "seeded 10,000 products and 50,000 orders in $(echo "$(date +%s.%N) - $start" | bc) s"
./target/release/campus &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
echo "RSS at idle: $(ps -o rss= -p $pid) KiB"
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "http://127.0.0.1:$port/login"
cookie=$(awk '/campus_session/ {print $7}' "$jar")
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("充电宝"))')
for path in /mall /mall/categories/1 /mall/categories/2?sort=price_asc /mall/products/5000 "/mall/search?q=$q" "/mall/search?q=$q&sort=price_asc&min=10&max=100"; do
  echo "== GET $path"
  wrk -t2 -c64 -d10s --latency -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
echo "RSS after load: $(ps -o rss= -p $pid) KiB"
