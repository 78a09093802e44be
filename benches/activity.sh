#!/usr/bin/env bash
# Activity benchmark, on SQLite and on PostgreSQL: a release build with the demo data and 500
# extra students. First the rush (benches/activity_rush.py): 500 simultaneous registrations for
# 100 seats must give exactly 100 registered and 400 waitlisted in arrival order with no error
# responses, then 10 simultaneous cancellations promote exactly the first 10 in line. Then wrk
# -t2 -c64 for $DURATION on /activities and on the rushed activity's page, signed in as the demo
# student. Prints one table: page, backend, req/s, p50, p99, errors; and the server's RSS.
# Usage: bash benches/activity.sh [sqlite|postgres|both]   (needs wrk, python3, sqlite3, psql;
#        PostgreSQL on 127.0.0.1:5432)
# Env: DURATION (default 10s), STUDENTS (500), SEATS (100), SKIP_BUILD=1 to use the existing
#      binary, BIN to name another one (a debug build for a quick check of the script itself).
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
duration="${DURATION:-10s}"
students="${STUDENTS:-500}"
seats="${SEATS:-100}"
[ "${SKIP_BUILD:-0}" = 1 ] || [ -n "${BIN:-}" ] || cargo build --release -q
bin="${BIN:-$PWD/target/release/campus}"
port=18084
base="http://127.0.0.1:$port"
results=$(mktemp)
status=0
printf '%-24s %-9s %9s %9s %9s %7s\n' page backend req/s p50 p99 errors >"$results"

measure() { # backend path cookie
  local out errors
  out=$(wrk -t2 -c64 -d"$duration" --latency -H "Cookie: campus_session=$3" "$base$2")
  errors=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {for (i=4;i<=NF;i+=2) n+=$i} END {print n+0}')
  printf '%-24s %-9s %9s %9s %9s %7s\n' "$2" "$1" \
    "$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$errors" >>"$results"
}

run() { # backend database_url sql-command
  local backend=$1 url=$2 sql=$3 data pid jar token cookie out activity
  data=$(mktemp -d)
  export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn DATABASE_URL="$url"
  "$bin" seed-demo >/dev/null
  # The rushing students: demo students with the demo password (the student's hash).
  $sql >/dev/null <<SQL
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $students)
INSERT INTO users (nickname, verified, status, created_at, updated_at)
SELECT '压测同学' || i, TRUE, 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n;
INSERT INTO user_roles (user_id, role) SELECT id, 'student' FROM users WHERE nickname LIKE '压测同学%';
INSERT INTO user_auth (user_id, auth_type, auth_key, secret_hash, created_at)
SELECT id, 'password', replace(nickname, '压测同学', 'rush'), (SELECT secret_hash FROM user_auth WHERE auth_key = 'student'), CURRENT_TIMESTAMP
FROM users WHERE nickname LIKE '压测同学%';
SQL
  "$bin" &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "$base/ready" >/dev/null && break; sleep 0.2; done
  echo "$backend: RSS at idle $(ps -o rss= -p $pid) KiB"
  out=$(python3 benches/activity_rush.py --port "$port" --sql "$sql" --students "$students" --seats "$seats") || status=1
  echo "$out" | sed "s/^/$backend: /"
  activity=$(echo "$out" | awk -F= '/^activity=/ {print $2}')
  [ -n "$activity" ] || { echo "$backend: the rush published no activity" >&2; status=1; activity=1; }
  jar="$data/cookies"
  token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "$base/login"
  cookie=$(awk '/campus_session/ {print $7}' "$jar")
  for path in /activities "/activities/$activity"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: campus_session=$cookie" "$base$path")" = 200 ] || status=1
    measure "$backend" "$path" "$cookie"
  done
  echo "$backend: RSS after the load $(ps -o rss= -p $pid) KiB"
  kill $pid
  wait $pid 2>/dev/null || true
  rm -rf "$data"
}

if [ "$which" = sqlite ] || [ "$which" = both ]; then
  dir=$(mktemp -d)
  run sqlite "sqlite://$dir/bench.db" "sqlite3 $dir/bench.db"
  rm -rf "$dir"
fi
if [ "$which" = postgres ] || [ "$which" = both ]; then
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS campus_bench WITH (FORCE)" -c "CREATE DATABASE campus_bench"
  run postgres "postgres://postgres@127.0.0.1:5432/campus_bench" "psql -q -At -v ON_ERROR_STOP=1 postgres://postgres@127.0.0.1:5432/campus_bench"
fi
cat "$results"
rm -f "$results"
exit $status
