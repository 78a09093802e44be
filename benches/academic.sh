#!/usr/bin/env bash
# Academic benchmark on a release build: import 20,000 students and 200,000 grade rows through
# `campus import` (the admin page's importer) into the demo database, timing each file and the
# importer's peak memory (`/usr/bin/time -v`), then wrk -t2 -c64 for $DURATION, signed in as the
# demo student, on the timetable, the grades page (now with her grades among 200,000) and the
# free-classroom finder. Prints the import times and one table: page, backend, req/s, p50, p99,
# errors; and the server's RSS.
# Usage: bash benches/academic.sh [sqlite|postgres|both]   (default sqlite; needs wrk, python3;
#        PostgreSQL on 127.0.0.1:5432 for postgres)
# Env: DURATION (default 10s), STUDENTS (20000), PER_STUDENT (10 grades), SKIP_BUILD=1 to use the
#      existing binary, BIN to name another one, IMPORT_ONLY=1 to time the imports and skip the
#      pages.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-sqlite}"
duration="${DURATION:-10s}"
students="${STUDENTS:-20000}"
per="${PER_STUDENT:-10}"
[ "${SKIP_BUILD:-0}" = 1 ] || [ -n "${BIN:-}" ] || cargo build --release -q
bin="${BIN:-$PWD/target/release/campus}"
port=18086
base="http://127.0.0.1:$port"
files=$(mktemp -d)
results=$(mktemp)
status=0
printf '%-34s %-9s %9s %9s %9s %7s\n' page backend req/s p50 p99 errors >"$results"

python3 - "$files" "$students" "$per" <<'PY'
import sys
out, n, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{out}/courses.csv", "w") as f:
    f.write("课程代码,课程名称,学分\n")
    for c in range(per):
        f.write(f"BENCH{c:02d},压测课程{c},{2 + c % 3}\n")
with open(f"{out}/students.csv", "w") as f:
    f.write("学号,姓名,学院,专业,班级,入学年份\n")
    for i in range(n):
        f.write(f"B{i:07d},压测学生{i},计算机学院,软件工程,压测{i // 40:03d}班,2024\n")
with open(f"{out}/grades.csv", "w") as f:
    f.write("学号,学期,课程代码,平时成绩,期中成绩,期末成绩,总评成绩\n")
    for i in range(n):
        for c in range(per):
            s = 55 + (i * 7 + c * 13) % 45
            f.write(f"B{i:07d},2025-2026-1,BENCH{c:02d},{s},{s},{s},{s}\n")
PY
echo "files: $(wc -l <"$files/students.csv") student lines, $(wc -l <"$files/grades.csv") grade lines, $(du -h "$files/grades.csv" | cut -f1) of grades"

measure() { # backend path cookie
  local out errors
  out=$(wrk -t2 -c64 -d"$duration" --latency -H "Cookie: campus_session=$3" "$base$2")
  errors=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {for (i=4;i<=NF;i+=2) n+=$i} END {print n+0}')
  printf '%-34s %-9s %9s %9s %9s %7s\n' "$2" "$1" \
    "$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$errors" >>"$results"
}

timed_import() { # backend kind file
  local log
  log=$(mktemp)
  /usr/bin/time -v "$bin" import "$2" "$files/$3" >"$log.out" 2>"$log" || { cat "$log.out" "$log" >&2; status=1; }
  echo "$1: import $2: $(tail -n +1 "$log.out" | head -1); wall $(awk -F': ' '/Elapsed/ {print $2}' "$log"), peak RSS $(awk -F': ' '/Maximum resident/ {print $2}' "$log") KiB"
  rm -f "$log" "$log.out"
}

run() { # backend database_url
  local backend=$1 url=$2 data pid jar token cookie day
  data=$(mktemp -d)
  export CAMPUS_DATA_DIR="$data" CAMPUS_BIND="127.0.0.1:$port" RUST_LOG=warn DATABASE_URL="$url"
  "$bin" seed-demo >/dev/null
  timed_import "$backend" courses courses.csv
  timed_import "$backend" students students.csv
  timed_import "$backend" grades grades.csv
  timed_import "$backend" grades grades.csv   # again: every row unchanged
  # Every tenth grade changed: updates through the same upsert.
  awk -F, 'NR > 1 && NR % 10 == 0 { $7 = ($7 == 99 ? 60 : $7 + 1) } 1' OFS=, "$files/grades.csv" >"$files/changed.csv"
  timed_import "$backend" grades changed.csv
  if [ "${IMPORT_ONLY:-0}" = 1 ]; then
    rm -rf "$data"
    return
  fi
  "$bin" &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "$base/ready" >/dev/null && break; sleep 0.2; done
  jar="$data/cookies"
  token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=student&password=campus2026&csrf_token=$token" "$base/login"
  cookie=$(awk '/campus_session/ {print $7}' "$jar")
  day=$(date -d '+3 days' +%F)
  for path in "/academic/schedule?week=13" /academic/grades "/academic/classrooms?date=$day&from=3&to=4"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: campus_session=$cookie" "$base$path")" = 200 ] || { echo "$path is not 200" >&2; status=1; }
    measure "$backend" "$path" "$cookie"
  done
  echo "$backend: RSS after the load $(ps -o rss= -p $pid) KiB"
  kill $pid
  wait $pid 2>/dev/null || true
  rm -rf "$data"
}

if [ "$which" = sqlite ] || [ "$which" = both ]; then
  dir=$(mktemp -d)
  run sqlite "sqlite://$dir/bench.db"
  rm -rf "$dir"
fi
if [ "$which" = postgres ] || [ "$which" = both ]; then
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS campus_bench WITH (FORCE)" -c "CREATE DATABASE campus_bench"
  run postgres "postgres://postgres@127.0.0.1:5432/campus_bench"
fi
cat "$results"
rm -rf "$files" "$results"
exit $status
