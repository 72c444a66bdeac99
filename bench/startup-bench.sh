#!/usr/bin/env bash
# Restart to ready and idle footprint of Sluice on the embedded default (README command 1).
#
#   bench/startup-bench.sh [RESTARTS=3] [VARIANTS="default cds-only no-cds"]
#
# First start on a fresh data directory (binaries unpacked, initdb, migrations), stopped; then, for
# each variant, RESTARTS restarts on that existing data directory, each timed from process start
# to the first 200 of /q/health/ready (polled every 20 ms); after BENCH_IDLE_S (10) s idle, the RSS of
# the Sluice JVM and of its embedded PostgreSQL (the postmaster and its children). Medians are printed.
# Variants:
#   default       README command 1: java @target/quarkus-app/sluice.jvm -jar … (the JVM options the build
#                 writes, see pom.xml: the class-data-sharing archive its training run wrote, JIT and heap)
#   cds-only      java -XX:SharedArchiveFile=target/quarkus-app/app-cds.jsa -jar … (command 1 before sluice.jvm)
#   no-cds        java -jar target/quarkus-app/quarkus-run.jar (no archive: every class loaded from the jars)
#   +OPT,OPT…     cds-only + these options, e.g. "+-XX:TieredStopAtLevel=1,-XX:+UseSerialGC" (trying options out)
#   readme-flags  cds-only + the flags the README recommends for copy-heavy deployments
#                 (-Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -Xss512k, MALLOC_ARENA_MAX=2)
#   c1            cds-only + -XX:TieredStopAtLevel=1 (C1 only: less JIT work at start, slower peak)
#   serial        cds-only + -XX:+UseSerialGC
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] && [ -f target/quarkus-app/sluice.jvm ] || mvn -B -q package -DskipTests
RESTARTS=${1:-3}
VARIANTS=${2:-default cds-only no-cds}
IDLE_S=${BENCH_IDLE_S:-10}
COMMAND1=(@target/quarkus-app/sluice.jvm)
CDS=(-XX:SharedArchiveFile=target/quarkus-app/app-cds.jsa)
[ -f target/quarkus-app/app-cds.jsa ] || echo "no target/quarkus-app/app-cds.jsa (built with -Dsluice.cds.skip?): default runs without it"
WORK=$PWD/target/bench-startup
rm -rf "$WORK"; mkdir -p "$WORK"
export SLUICE_DATA_DIR=$WORK/data SLUICE_CONSOLE_USER=bench SLUICE_CONSOLE_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
postgres_rss_kb() { # the postmaster this Sluice started, and its children
  local pm; pm=$(pgrep -f -- "-D $WORK/data/postgres" | head -1 || true)
  [ -n "$pm" ] || { echo 0; return; }
  { rss_kb "$pm"; for c in $(pgrep -P "$pm"); do rss_kb "$c"; done; } | awk '{ s += $1 } END { print s }'
}

# start [java options…]: starts Sluice, waits for ready; sets PID, READY_S
start() {
  local port; port=$(free_port)
  local t0; t0=$(now)
  SLUICE_HTTP_PORT=$port SLUICE_JOLOKIA_PORT=$(free_port) java "$@" -jar target/quarkus-app/quarkus-run.jar >"$WORK/sluice.log" 2>&1 &
  PID=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready" || true)" = 200 ]; do
    kill -0 $PID 2>/dev/null || { echo "Sluice stopped:"; tail -20 "$WORK/sluice.log"; exit 1; }
    sleep 0.02
  done
  READY_S=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
}
stop() { kill -TERM $PID; wait $PID 2>/dev/null || true; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start "${COMMAND1[@]}"
echo "first start (fresh data directory): ready in ${READY_S} s"
stop
for variant in $VARIANTS; do
  unset MALLOC_ARENA_MAX
  case $variant in
    default) opts=("${COMMAND1[@]}") ;;
    cds-only) opts=("${CDS[@]}") ;;
    no-cds) opts=() ;;
    +*) IFS=, read -ra extra <<<"${variant#+}"; opts=("${CDS[@]}" "${extra[@]}") ;;
    readme-flags) opts=("${CDS[@]}" -Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -Xss512k); export MALLOC_ARENA_MAX=2 ;;
    c1) opts=("${CDS[@]}" -XX:TieredStopAtLevel=1) ;;
    serial) opts=("${CDS[@]}" -XX:+UseSerialGC) ;;
    *) echo "unknown variant $variant"; exit 1 ;;
  esac
  times=(); jvm=(); pg=()
  for ((i = 0; i < RESTARTS; i++)); do
    start "${opts[@]}"
    times+=("$READY_S")
    sleep "$IDLE_S"
    jvm+=("$(( $(rss_kb $PID) / 1024 ))"); pg+=("$(( $(postgres_rss_kb) / 1024 ))")
    stop
  done
  printf '%-13s restart → ready: %s s (median of %s), idle RSS: Sluice JVM %s MiB, embedded PostgreSQL %s MiB   target ≤ 2.5 s, ≤ 300 MiB\n' \
    "$variant" "$(echo "${times[*]}" | median)" "${times[*]}" "$(echo "${jvm[*]}" | median)" "$(echo "${pg[*]}" | median)"
done
