#!/usr/bin/env bash
# Back-office load: the merchant's product list with 5,000 products (wrk, 64 connections) and
# an import of 5,000 CSV rows. Release build, SQLite.
# Usage: bash benches/merchant.sh   (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
data=$(mktemp -d)
port=18082
export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn
./target/release/campus seed-demo --products 5000 --orders 0 >/dev/null
./target/release/campus &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=merchant&password=campus2026&csrf_token=$token" "http://127.0.0.1:$port/login"
cookie=$(awk '/campus_session/ {print $7}' "$jar")
for path in /merchant/products "/merchant/products?page=50" /merchant; do
  echo "== GET $path"
  wrk -t2 -c64 -d10s --latency -H "Cookie: campus_session=$cookie" "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
python3 - "$data/import.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("商品名称,分类,规格,价格,库存,描述\n")
    for i in range(5000):
        f.write(f"导入商品 {i},零食,,{1 + i % 90}.90,{i % 300},批量导入\n")
PY
token=$(curl -s -b "$jar" "http://127.0.0.1:$port/merchant/products" | grep -o '"X-CSRF-Token": "[^"]*"' | head -1 | sed 's/.*: "//;s/"$//')
start=$(date +%s.%N)
where=$(curl -s -b "$jar" -o /dev/null -w '%{redirect_url}' -F "file=@$data/import.csv;type=text/csv" "http://127.0.0.1:$port/merchant/products/import?csrf_token=$token")
echo "== import accepted after $(echo "$(date +%s.%N) - $start" | bc) s; progress at $where"
until curl -s -b "$jar" -o "$data/report.html" "$where" && grep -q '导入完成' "$data/report.html"; do
  grep -o '已处理 [0-9]* / [0-9]* 行' "$data/report.html" | head -1 || true
  sleep 0.5
done
echo "== import of 5,000 rows: $(echo "$(date +%s.%N) - $start" | bc) s, $(grep -o '新建规格</p><p class="stat__value">[0-9]*' "$data/report.html" | grep -o '[0-9]*$') created"
