#!/usr/bin/env bash
# A local cluster on loopback: 2 campus instances on PostgreSQL + Redis behind a real nginx.
#
#   deploy/cluster.sh up [--fresh]   start (--fresh: drop and recreate the database first)
#   deploy/cluster.sh status         each instance's pid, port and /ready; nginx's
#   deploy/cluster.sh restart N      rolling restart of instance N (1 or 2), see below
#   deploy/cluster.sh down           stop everything; nothing is left running
#
# Everything lives under CLUSTER_DIR (default target/cluster): one data dir per instance (its
# own search index; media/ is shared), logs, pids, nginx's generated config, temp files and logs.
# nginx's config is generated from deploy/nginx.conf (the lines marked @SERVERS@ and @LISTEN@).
# Settings (environment):
#   CAMPUS_BIN            the binary (default target/release/campus if built, else target/debug/campus)
#   CLUSTER_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/campus_cluster (created if missing)
#   CLUSTER_REDIS_URL     default redis://127.0.0.1:6379/0
#   CLUSTER_PORT          nginx's port (default 18480); the instances listen on the next ones
#   CLUSTER_INSTANCES     default 2
#   CAMPUS_DRAIN_SECS     drain of a stopping instance (default here 2)
#   CAMPUS_WORKERS        HTTP workers per instance (default 2)
#   CLUSTER_EXTRA_ENV     a file of more KEY=value settings for every instance
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ -z "${CAMPUS_BIN:-}" ]; then
  if [ -x target/release/campus ]; then CAMPUS_BIN=target/release/campus; else CAMPUS_BIN=target/debug/campus; fi
fi
case "$CAMPUS_BIN" in /*) ;; *) CAMPUS_BIN="$root/$CAMPUS_BIN" ;; esac
dir=${CLUSTER_DIR:-$root/target/cluster}
db_url=${CLUSTER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/campus_cluster}
redis_url=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/0}
port=${CLUSTER_PORT:-18480}
count=${CLUSTER_INSTANCES:-2}
nginx_bin=${NGINX:-/usr/sbin/nginx}
ngx="$dir/nginx"

say() { printf 'cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

instance_port() { echo $((port + $1)); }
pid_of() { cat "$1" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# The /ready answer of a port: "200 ready", "503 draining", "no answer".
ready_of() {
  local code
  code=$(curl -s -o "$dir/.ready.$1" -w '%{http_code}' --max-time 3 "http://127.0.0.1:$1/ready" || true)
  if [ "$code" = 000 ] || [ -z "$code" ]; then printf 'no answer'; else printf '%s %s' "$code" "$(cat "$dir/.ready.$1" 2>/dev/null)"; fi
  rm -f "$dir/.ready.$1"
}

wait_ready() { # port, seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/ready")" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

env_file() { # the settings every instance shares
  cat <<EOF
DATABASE_URL=$db_url
CAMPUS_REDIS_URL=$redis_url
CAMPUS_REDIS_PREFIX=campus-cluster:
CAMPUS_SECRET_KEY=$(cat "$dir/secret.key")
CAMPUS_DATA_KEY=$(cat "$dir/data.key")
CAMPUS_TRUST_PROXY=1
CAMPUS_SEED_DEMO=0
CAMPUS_DRAIN_SECS=${CAMPUS_DRAIN_SECS:-2}
CAMPUS_WORKERS=${CAMPUS_WORKERS:-2}
CAMPUS_JOB_POLL_MS=${CAMPUS_JOB_POLL_MS:-500}
RUST_LOG=${RUST_LOG:-warn,campus=info}
EOF
  # More settings for every instance (e.g. CAMPUS_WXPAY_*), one KEY=value a line.
  if [ -n "${CLUSTER_EXTRA_ENV:-}" ]; then cat "$CLUSTER_EXTRA_ENV"; fi
}

start_instance() { # N
  local n=$1 p; p=$(instance_port "$1")
  local home="$dir/app$n"
  mkdir -p "$home/data" "$dir/media"
  [ -e "$home/data/media" ] || ln -s "$dir/media" "$home/data/media"
  alive "$(pid_of "$home/pid")" && die "instance $n already runs (pid $(pid_of "$home/pid"))"
  # The subshell writes its own pid, then becomes the server (exec keeps the pid).
  (
    set -a
    # shellcheck disable=SC1091
    . "$dir/env"
    set +a
    export CAMPUS_DATA_DIR="$home/data" CAMPUS_BIND="127.0.0.1:$p"
    exec setsid nohup bash -c 'echo $$ > "$1"; exec "$2" serve' _ "$home/pid" "$CAMPUS_BIN" >>"$home/log" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 50); do [ -s "$home/pid" ] && break; sleep 0.1; done
}

stop_instance() { # N [quick]: SIGTERM (drain, then in-flight requests finish), wait for the exit
  local n=$1 home="$dir/app$1" pid
  pid=$(pid_of "$home/pid")
  if alive "$pid"; then
    kill -TERM "$pid"
    # A second signal cuts the drain short (`down`: nobody is sending any more).
    if [ "${2:-}" = quick ]; then sleep 0.2; kill -TERM "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then say "instance $n did not stop within 30 s: SIGKILL"; kill -KILL "$pid"; fi
  fi
  rm -f "$home/pid"
}

# nginx's config: the main part here, the site from deploy/nginx.conf. Instances listed in
# CLUSTER_DOWN (e.g. "1") get `down`: nginx sends them nothing.
write_nginx_conf() {
  mkdir -p "$ngx/tmp" "$ngx/logs"
  local servers="" n
  for n in $(seq 1 "$count"); do
    local mark=""
    case " ${CLUSTER_DOWN:-} " in *" $n "*) mark=" down" ;; esac
    servers+="server 127.0.0.1:$(instance_port "$n") max_fails=1 fail_timeout=3s$mark; "
  done
  sed -e "s|^.*# @SERVERS@\$|    $servers|" -e "s|^.*# @LISTEN@\$|    listen 127.0.0.1:$port;|" \
    deploy/nginx.conf >"$ngx/campus.conf"
  grep -q "listen 127.0.0.1:$port;" "$ngx/campus.conf" || die "deploy/nginx.conf has no line marked @LISTEN@"
  local user=""
  [ "$(id -u)" = 0 ] && user="user root;"
  cat >"$ngx/nginx.conf" <<EOF
# Generated by deploy/cluster.sh; the site is in campus.conf (from deploy/nginx.conf).
daemon off;
$user
worker_processes 2;
worker_rlimit_nofile 16384;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 8192; }
http {
    access_log $ngx/logs/access.log;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    include $ngx/campus.conf;
}
EOF
  "$nginx_bin" -t -q -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log"
}

reload_nginx() {
  write_nginx_conf
  "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" -s reload
  sleep 0.5 # old workers finish what they hold; new ones use the new upstream list
}

cmd_up() {
  command -v "$nginx_bin" >/dev/null || die "nginx not found at $nginx_bin (apt-get install -y nginx)"
  [ -x "$CAMPUS_BIN" ] || die "no campus binary at $CAMPUS_BIN (cargo build, or set CAMPUS_BIN)"
  mkdir -p "$dir"
  # One session secret and one data key (sealed phone numbers, addresses) for every instance.
  [ -s "$dir/secret.key" ] || (umask 077 && od -An -tx1 -N64 /dev/urandom | tr -d ' \n' >"$dir/secret.key")
  [ -s "$dir/data.key" ] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$dir/data.key")
  env_file >"$dir/env"
  redis-cli -u "$redis_url" ping >/dev/null 2>&1 || die "Redis does not answer at $redis_url"
  local admin_url=${db_url%/*}/postgres name=${db_url##*/}
  name=${name%%\?*}
  if [ "${1:-}" = --fresh ]; then
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
    rm -rf "$dir/media" "$dir"/app*/data "$dir/seed"
  fi
  if [ -z "$(psql -Atq "$admin_url" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql -q "$admin_url" -c "CREATE DATABASE \"$name\""
    say "created database $name"
  fi
  (
    set -a; . "$dir/env"; set +a
    export CAMPUS_DATA_DIR="$dir/seed"
    mkdir -p "$dir/seed" "$dir/media"
    [ -e "$dir/seed/media" ] || ln -s "$dir/media" "$dir/seed/media"
    # Migrations run once here, before any instance starts (two at once would race).
    "$CAMPUS_BIN" migrate >/dev/null
    # Demo data once: only into a database without users.
    if [ "$(psql -Atq "$db_url" -c 'SELECT count(*) FROM users')" = 0 ]; then
      "$CAMPUS_BIN" seed-demo >/dev/null
      say "demo data loaded (student, teacher, merchant, admin; password campus2026)"
    fi
  )
  local n
  for n in $(seq 1 "$count"); do
    alive "$(pid_of "$dir/app$n/pid")" || start_instance "$n"
  done
  if ! alive "$(pid_of "$ngx/nginx.pid")"; then
    write_nginx_conf
    (exec setsid nohup "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" \
      >>"$ngx/logs/stderr.log" 2>&1 </dev/null) &
  fi
  for n in $(seq 1 "$count"); do
    wait_ready "$(instance_port "$n")" 120 || { tail -20 "$dir/app$n/log" >&2; die "instance $n not ready"; }
  done
  wait_ready "$port" 30 || { tail -20 "$ngx/logs/error.log" >&2; die "nginx not ready on $port"; }
  say "up: http://127.0.0.1:$port/ (instances on $(for n in $(seq 1 "$count"); do printf '%s ' "$(instance_port "$n")"; done | sed 's/ $//'))"
}

cmd_status() {
  local n pid p running=0
  for n in $(seq 1 "$count"); do
    pid=$(pid_of "$dir/app$n/pid"); p=$(instance_port "$n")
    if alive "$pid"; then running=$((running + 1)); else pid="-"; fi
    printf 'instance %s  pid %-8s port %s  /ready %s\n' "$n" "$pid" "$p" "$(ready_of "$p")"
  done
  pid=$(pid_of "$ngx/nginx.pid")
  alive "$pid" || pid="-"
  printf 'nginx       pid %-8s port %s  /ready %s\n' "$pid" "$port" "$(ready_of "$port")"
  [ "$running" = "$count" ] && [ "$pid" != - ]
}

# Rolling restart of one instance, as an operator does it with nginx (which does not poll
# /ready): take it out of nginx's upstream (reload), SIGTERM it (it drains, then finishes what is
# in flight), wait for the exit, start it, wait until /ready, put it back (reload).
cmd_restart() {
  local n=${1:?restart N}
  [ -d "$dir/app$n" ] || die "no instance $n"
  CLUSTER_DOWN="$n" reload_nginx
  stop_instance "$n"
  start_instance "$n"
  wait_ready "$(instance_port "$n")" 120 || { tail -20 "$dir/app$n/log" >&2; die "instance $n not ready after restart"; }
  CLUSTER_DOWN="" reload_nginx
  say "instance $n restarted (pid $(pid_of "$dir/app$n/pid"))"
}

cmd_down() {
  local n pid
  pid=$(pid_of "$ngx/nginx.pid")
  if alive "$pid"; then
    kill -QUIT "$pid"
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid"
  fi
  rm -f "$ngx/nginx.pid"
  for n in $(seq 1 "$count"); do stop_instance "$n" quick & done
  wait
  say "down"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  status) cmd_status ;;
  restart) shift; cmd_restart "$@" ;;
  down) cmd_down ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
