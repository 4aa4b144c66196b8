#!/usr/bin/env bash
# Local Elasticsearch for adwatch's tests.
#
#   scripts/elasticsearch.sh install   fetch + unzip ES (cached; no download on a second run)
#   scripts/elasticsearch.sh up        install if needed, start on 127.0.0.1:$ES_PORT, wait for yellow
#   scripts/elasticsearch.sh wait      wait until the cluster answers yellow (ES_WAIT_TIMEOUT s)
#   scripts/elasticsearch.sh status    is it running? prints the health JSON (exit 0 up, 3 down)
#   scripts/elasticsearch.sh down      stop it (SIGTERM, then SIGKILL after ES_STOP_TIMEOUT s)
#
# The distribution is Elastic's own integ-test zip from Maven Central
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip).
# It has no bundled JDK, so the system JDK (17+) runs it. Its only modules are
# transport-netty4, x-pack-core, x-pack-security and apm: no analysis-common
# (language analyzers such as "danish"/"english", most token filters), no
# lang-painless (scripts), no reindex (_update_by_query/_delete_by_query/_reindex),
# no ingest-common, no mapper-extras.
#
# Everything lives under <repo>/.cache/elasticsearch/ (git-ignored via /.cache/):
#   elasticsearch-<version>/  the unzipped distribution (read-only use)
#   config/ data/ logs/ run/ tmp/  runtime state, owned by the user ES runs as
#
# ES refuses to run as root: as root the script creates the system user
# $ES_USER (default adwatch-es) and runs ES as that user; otherwise as you.
#
# Environment (all optional):
#   ES_PORT          HTTP port on 127.0.0.1 (default 9200)
#   ES_HEAP          heap size for -Xms/-Xmx (default 512m)
#   ES_JAVA_HOME     JDK to run ES with (default: JAVA_HOME if 17+, else the `java` on PATH)
#   ES_WAIT_TIMEOUT  seconds `up`/`wait` wait for yellow (default 120)
#   ES_STOP_TIMEOUT  seconds `down` waits after SIGTERM before SIGKILL (default 30)
#   ES_CACHE_DIR     where to keep everything (default <repo>/.cache/elasticsearch)
#   ES_USER          system user to run as when root (default adwatch-es)
set -euo pipefail
umask 022 # the unprivileged ES user must read what root unpacks here

# The newest 8.x that Maven Central serves (its metadata lists 8.19.21 as latest;
# 8.19.22/8.19.23 are not served). Matches github.com/elastic/go-elasticsearch/v8 v8.19.x.
ES_VERSION=8.19.21
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:-512m}"
ES_WAIT_TIMEOUT="${ES_WAIT_TIMEOUT:-120}"
ES_STOP_TIMEOUT="${ES_STOP_TIMEOUT:-30}"
ES_USER="${ES_USER:-adwatch-es}"
ES_CLUSTER_NAME=adwatch-test
ES_HOST=127.0.0.1

log() { printf 'elasticsearch.sh: %s\n' "$*" >&2; }
die() { printf 'elasticsearch.sh: ERROR: %s\n' "$*" >&2; exit 1; }

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
repo_top="$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null || (cd "$script_dir/.." && pwd))"

# world_searchable DIR: can any user traverse DIR and all of its parents?
world_searchable() {
  local d="$1" mode
  while [[ -n "$d" && "$d" != / ]]; do
    mode="$(stat -c %a "$d" 2>/dev/null)" || return 1
    (( (8#$mode & 1) == 1 )) || return 1
    d="$(dirname "$d")"
  done
}

CACHE_DIR="${ES_CACHE_DIR:-$repo_top/.cache/elasticsearch}"
# As root, ES runs as an unprivileged user, which must reach the cache. A checkout
# under e.g. /root (mode 700) is out of its reach: keep everything in /var/tmp then.
if [[ -z "${ES_CACHE_DIR:-}" && "$(id -u)" -eq 0 ]] && ! world_searchable "$repo_top"; then
  CACHE_DIR="/var/tmp/adwatch-elasticsearch/$(printf '%s' "$repo_top" | cksum | cut -d' ' -f1)"
  printf 'elasticsearch.sh: %s is not reachable by other users; using %s instead (set ES_CACHE_DIR to choose)\n' \
    "$repo_top" "$CACHE_DIR" >&2
fi
ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
COMPLETE_MARK="$ES_HOME/.adwatch-install-complete"
CONF_DIR="$CACHE_DIR/config"
DATA_DIR="$CACHE_DIR/data"
LOGS_DIR="$CACHE_DIR/logs"
RUN_DIR="$CACHE_DIR/run"
TMP_DIR="$CACHE_DIR/tmp"
PID_FILE="$RUN_DIR/elasticsearch.pid"
LOG_FILE="$LOGS_DIR/$ES_CLUSTER_NAME.log"
BASE_URL="http://$ES_HOST:$ES_PORT"

[[ "$ES_PORT" =~ ^[0-9]+$ ]] || die "ES_PORT must be a port number, got '$ES_PORT'"
[[ "$ES_WAIT_TIMEOUT" =~ ^[0-9]+$ ]] || die "ES_WAIT_TIMEOUT must be whole seconds, got '$ES_WAIT_TIMEOUT'"
[[ "$ES_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "ES_STOP_TIMEOUT must be whole seconds, got '$ES_STOP_TIMEOUT'"

CLEANUP_DIR=""
trap '[[ -n "$CLEANUP_DIR" ]] && rm -rf "$CLEANUP_DIR"' EXIT

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# --- tools -------------------------------------------------------------------

apt_updated=0
# apt_install PKG...: install Debian packages; `apt-get update` only if the plain install fails.
apt_install() {
  if ! is_root; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      log "installing $* with sudo apt-get"
      sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 && return 0
      sudo -n apt-get update -q >&2 && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 && return 0
    fi
    die "missing package(s): $* - install them (apt-get install $*) or run this script as root"
  fi
  log "installing $* with apt-get"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; then return 0; fi
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >&2 || die "apt-get update failed; check the Debian package mirror is reachable"
    apt_updated=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 && return 0
  fi
  die "apt-get install $* failed; install it by hand and re-run"
}

# need CMD PKG: make sure CMD is on PATH, installing Debian package PKG if not.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "'$1' still not found after installing $2"
}

java_major() { # java_major /path/to/java -> prints e.g. 17
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = //p' | sed 's/^1\.//' | head -n1
}

# find_java: sets ES_JAVA_HOME to a JDK >= 17 (installs openjdk-17 if there is none).
find_java() {
  local cand home major
  local -a cands=()
  [[ -n "${ES_JAVA_HOME:-}" ]] && cands+=("$ES_JAVA_HOME")
  [[ -n "${JAVA_HOME:-}" ]] && cands+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for cand in "${cands[@]}"; do
    [[ -x "$cand/bin/java" ]] || continue
    major="$(java_major "$cand/bin/java" || true)"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17)); then
      ES_JAVA_HOME="$cand"; export ES_JAVA_HOME
      return 0
    fi
    if [[ -n "${ES_JAVA_HOME:-}" && "$cand" == "$ES_JAVA_HOME" ]]; then
      die "ES_JAVA_HOME=$ES_JAVA_HOME is Java '${major:-?}'; Elasticsearch $ES_VERSION needs Java 17 or newer"
    fi
  done
  log "no Java 17+ found; installing openjdk-17-jre-headless"
  apt_install openjdk-17-jre-headless
  home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  major="$(java_major "$home/bin/java" || true)"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "could not find a Java 17+ runtime; install one and set ES_JAVA_HOME to it"
  fi
  ES_JAVA_HOME="$home"; export ES_JAVA_HOME
}

# --- locking -------------------------------------------------------------------

lock() { # serialize install/up/down between concurrent invocations
  mkdir -p "$CACHE_DIR" || die "cannot create $CACHE_DIR"
  need flock util-linux
  exec 9>"$CACHE_DIR/.lock"
  flock -w 600 9 || die "another elasticsearch.sh holds $CACHE_DIR/.lock for 10 min; is one stuck? (remove the lock holder)"
}

# --- install -------------------------------------------------------------------

installed() {
  [[ -f "$COMPLETE_MARK" && -x "$ES_HOME/bin/elasticsearch" && -f "$ES_HOME/lib/elasticsearch-$ES_VERSION.jar" ]]
}

do_install() {
  if installed; then
    log "Elasticsearch $ES_VERSION already installed in $ES_HOME"
    return 0
  fi
  need unzip unzip
  find_java # maven needs a JDK too
  need mvn maven

  local dl="$CACHE_DIR/download.$$" out="$CACHE_DIR/install.log" zip
  rm -rf "$dl" && mkdir -p "$dl"
  CLEANUP_DIR="$dl"
  log "fetching $ES_ARTIFACT with Maven (cached in ~/.m2 after the first time)"
  if ! JAVA_HOME="$ES_JAVA_HOME" mvn -B -q -C "$MVN_DEPENDENCY_PLUGIN:copy" \
      -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$dl" \
      >"$out" 2>&1; then
    tail -n 30 "$out" >&2 || true
    die "Maven could not fetch $ES_ARTIFACT (full output in $out); check that Maven Central is reachable and that version $ES_VERSION exists"
  fi
  zip="$dl/elasticsearch-$ES_VERSION.zip"
  [[ -s "$zip" ]] || die "Maven reported success but $zip is missing; see $out"

  log "unzipping into $ES_HOME"
  local stage="$dl/unzip"
  mkdir -p "$stage"
  unzip -q "$zip" -d "$stage" || die "unzip of $zip failed (disk full? df -h $CACHE_DIR); delete ~/.m2/repository/org/elasticsearch/distribution/integ-test-zip to re-download"
  [[ -x "$stage/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] ||
    die "$zip does not contain elasticsearch-$ES_VERSION/bin/elasticsearch; delete ~/.m2/repository/org/elasticsearch/distribution/integ-test-zip and retry"
  rm -rf "$ES_HOME"
  mv "$stage/elasticsearch-$ES_VERSION" "$ES_HOME"
  chmod -R a+rX "$ES_HOME"
  date -u +%FT%TZ >"$COMPLETE_MARK"
  rm -rf "$dl"
  log "installed Elasticsearch $ES_VERSION in $ES_HOME"
}

# --- user and directories -----------------------------------------------------

RUN_AS=() # command prefix to run as the ES user
ensure_user() {
  RUN_AS=()
  is_root || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    need useradd passwd
    log "creating system user $ES_USER (Elasticsearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null ||
      id -u "$ES_USER" >/dev/null 2>&1 || # created meanwhile by a concurrent run
      die "useradd $ES_USER failed; create an unprivileged user and set ES_USER to it"
  fi
  need runuser util-linux
  RUN_AS=(runuser -u "$ES_USER" --)
}

# The user ES runs as must be able to reach ES_HOME and the state directories.
check_access() {
  ((${#RUN_AS[@]})) || return 0
  if ! "${RUN_AS[@]}" test -x "$ES_HOME/bin/elasticsearch" 2>/dev/null; then
    die "user $ES_USER cannot reach $ES_HOME (a parent directory is not world-searchable, e.g. /root); set ES_CACHE_DIR to a directory it can reach, e.g. ES_CACHE_DIR=/var/tmp/adwatch-elasticsearch"
  fi
}

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$TMP_DIR"
  # Distribution defaults (jvm.options, log4j2.properties, ...) then our settings.
  local f
  for f in jvm.options log4j2.properties; do
    cp -f "$ES_HOME/config/$f" "$CONF_DIR/$f"
  done
  mkdir -p "$CONF_DIR/jvm.options.d"
  # Only settings this distribution knows: an unknown setting stops ES at startup.
  cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Written by scripts/elasticsearch.sh on every 'up'; edits here are lost.
cluster.name: $ES_CLUSTER_NAME
node.name: adwatch-es-1
network.host: $ES_HOST
http.port: $ES_PORT
transport.port: 9300-9399
discovery.type: single-node
path.data: $DATA_DIR
path.logs: $LOGS_DIR
# The integ-test zip ships x-pack-security; off, so plain HTTP without auth works.
xpack.security.enabled: false
# The dev/CI disk may be nearly full: never block writes on disk watermarks.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests may delete indices with wildcards.
action.destructive_requires_name: false
EOF
  if ((${#RUN_AS[@]})); then
    chown -R "$ES_USER:" "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$TMP_DIR"
  fi
}

# --- process helpers ------------------------------------------------------------

# Pids of ES server processes started from our ES_HOME (pidfile first, else /proc scan).
es_pids() {
  local pid p
  if [[ -s "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    if [[ -n "$pid" ]] && is_our_es "$pid"; then echo "$pid"; return 0; fi
  fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    is_our_es "$pid" && echo "$pid"
  done
  return 0
}

is_our_es() { # is pid a java process of this ES_HOME?
  local cmd
  cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" || return 1
  [[ "$cmd" == *"-Des.path.home=$ES_HOME "* && "$cmd" == *org.elasticsearch.bootstrap.Elasticsearch* ]]
}

health_json() { # prints health JSON, fails if ES does not answer
  curl -fsS --max-time "${1:-5}" "$BASE_URL/_cluster/health${2:-}" 2>/dev/null
}

health_ok() { # yellow or green
  local j
  j="$(health_json 5 '?wait_for_status=yellow&timeout=3s')" || return 1
  [[ "$j" == *'"status":"green"'* || "$j" == *'"status":"yellow"'* ]] && [[ "$j" != *'"timed_out":true'* ]]
}

LOG_OFFSET=0 # bytes of $LOG_FILE that predate this start; only newer lines are shown

show_log_tail() {
  if [[ -s "$CACHE_DIR/startup.log" ]]; then
    log "last lines of $CACHE_DIR/startup.log (console output of bin/elasticsearch):"
    tail -n 25 "$CACHE_DIR/startup.log" >&2 || true
  fi
  if [[ -f "$LOG_FILE" ]]; then
    log "last lines of $LOG_FILE:"
    tail -c "+$((LOG_OFFSET + 1))" "$LOG_FILE" | tail -n 40 | cut -c1-1000 >&2 || true
  elif [[ -d "$LOGS_DIR" ]]; then
    log "no $LOG_FILE; files in $LOGS_DIR: $(find "$LOGS_DIR" -maxdepth 1 -type f -printf '%f ' 2>/dev/null)"
  fi
}

# --- commands -----------------------------------------------------------------

cmd_wait() {
  need curl curl
  local deadline=$((SECONDS + ES_WAIT_TIMEOUT)) pids
  log "waiting up to ${ES_WAIT_TIMEOUT}s for $BASE_URL to be yellow or green"
  while ((SECONDS < deadline)); do
    if health_ok; then
      log "Elasticsearch is up at $BASE_URL (after ${SECONDS}s of this script)"
      return 0
    fi
    # Fail fast when we started it and the process is gone.
    if [[ -n "${STARTED_PID:-}" ]] && ! kill -0 "$STARTED_PID" 2>/dev/null; then
      pids="$(es_pids)"
      if [[ -z "$pids" ]]; then
        show_log_tail
        die "Elasticsearch exited during startup; see the log above and $LOGS_DIR"
      fi
    fi
    sleep 1
  done
  if [[ -z "${STARTED_PID:-}" && -z "$(es_pids)" ]]; then
    die "nothing answers at $BASE_URL within ${ES_WAIT_TIMEOUT}s and no Elasticsearch from $ES_HOME is running; start it with '$0 up'"
  fi
  show_log_tail
  die "Elasticsearch did not become yellow within ${ES_WAIT_TIMEOUT}s at $BASE_URL; see the log above, raise ES_WAIT_TIMEOUT, or run '$0 down' and '$0 up' again"
}

cmd_up() {
  need curl curl
  lock
  local pids
  pids="$(es_pids)"
  if health_ok; then
    if [[ -n "$pids" ]]; then
      log "already up and healthy at $BASE_URL (pid ${pids//$'\n'/ })"
    else
      log "something already answers healthy at $BASE_URL (not started from $ES_HOME); using it"
    fi
    return 0
  fi
  if [[ -n "$pids" ]]; then
    log "Elasticsearch (pid ${pids//$'\n'/ }) is running but not yet healthy; waiting"
    STARTED_PID="$(echo "$pids" | head -n1)"
    cmd_wait
    return 0
  fi
  if curl -s --max-time 3 -o /dev/null "$BASE_URL/" 2>/dev/null; then
    die "port $ES_PORT on $ES_HOST is taken by something that is not a healthy Elasticsearch; stop it or set ES_PORT to a free port"
  fi

  do_install
  find_java
  ensure_user
  check_access
  rm -f "$PID_FILE"
  write_config

  local t0=$SECONDS
  LOG_OFFSET="$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)"
  log "starting Elasticsearch $ES_VERSION on $BASE_URL (heap $ES_HEAP, java $ES_JAVA_HOME${RUN_AS:+, as user $ES_USER})"
  # -d daemonizes after the node has started (or failed); -p writes the server pid.
  local rc=0
  (
    cd "$LOGS_DIR"
    unset JAVA_HOME JAVA_TOOL_OPTIONS _JAVA_OPTIONS JAVA_OPTS
    exec ${RUN_AS[@]+"${RUN_AS[@]}"} env \
      ES_JAVA_HOME="$ES_JAVA_HOME" \
      ES_PATH_CONF="$CONF_DIR" \
      ES_TMPDIR="$TMP_DIR" \
      ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${ES_JAVA_OPTS:-}" \
      "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE"
  ) >"$CACHE_DIR/startup.log" 2>&1 </dev/null || rc=$?
  if ((rc != 0)); then
    show_log_tail
    die "bin/elasticsearch -d exited with $rc; see the log above (full: $LOG_FILE, $CACHE_DIR/startup.log)"
  fi
  STARTED_PID="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  [[ -n "$STARTED_PID" ]] || { show_log_tail; die "Elasticsearch started but wrote no pid to $PID_FILE"; }
  log "started (pid $STARTED_PID) in $((SECONDS - t0))s; logs in $LOGS_DIR"
  cmd_wait
}

cmd_down() {
  lock
  local pids pid deadline
  pids="$(es_pids)"
  if [[ -z "$pids" ]]; then
    rm -f "$PID_FILE"
    log "Elasticsearch is not running (nothing started from $ES_HOME)"
    return 0
  fi
  log "stopping Elasticsearch (pid ${pids//$'\n'/ }) with SIGTERM"
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + ES_STOP_TIMEOUT))
  while ((SECONDS < deadline)); do
    local alive=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.5
  done
  for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid still alive after ${ES_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for _ in $(seq 1 20); do
    local alive=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.25
  done
  for pid in $pids; do
    kill -0 "$pid" 2>/dev/null && die "could not stop pid $pid; kill it by hand (kill -9 $pid)"
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pids j
  pids="$(es_pids)"
  if [[ -n "$pids" ]]; then
    echo "running: pid ${pids//$'\n'/ }, $ES_VERSION from $ES_HOME, $BASE_URL"
  else
    echo "not running (no Elasticsearch started from $ES_HOME)"
  fi
  if command -v curl >/dev/null 2>&1 && j="$(health_json 5)"; then
    echo "version: $(curl -fsS --max-time 5 "$BASE_URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null |
      sed -n 's/.*"version":"\([^"]*\)".*/\1/p')"
    echo "$j"
    return 0
  fi
  echo "no answer from $BASE_URL/_cluster/health"
  [[ -n "$pids" ]] && return 1
  return 3
}

usage() {
  cat >&2 <<EOF
usage: $0 {install|up|down|status|wait}
  install  fetch Elasticsearch $ES_VERSION from Maven Central into $CACHE_DIR (cached)
  up       install if needed, start on $ES_HOST:\$ES_PORT (now $ES_PORT), wait until yellow
  down     stop it
  status   running or not, and the cluster health JSON (exit 0 up, 1 unhealthy, 3 down)
  wait     wait up to \$ES_WAIT_TIMEOUT s (now $ES_WAIT_TIMEOUT) for yellow
EOF
}

case "${1:-}" in
  install) lock; do_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
