#!/usr/bin/env bash
# Landing-load benchmark: Sluice's landing route vs psql \copy and pgloader on the same PostgreSQL, same run.
#
#   bench/landing-load.sh [ROWS]        (default 10,000,000 rows; needs psql and pgloader:
#                                        apt-get install postgresql-client pgloader)
#
# 1. initial load : Sluice (heap capped at 256 MB) vs `\copy` and vs pgloader, each into an identical
#                   empty keyed table (same columns, same primary key, same lineage column)
# 2. correction   : the same keys with changed values, Sluice vs what a DBA runs by hand
#                   (`\copy` into an unlogged staging table + INSERT … ON CONFLICT DO UPDATE)
# 3. naive route  : a split + one INSERT per row Camel route on a 100k-row slice
# Sluice's time is its ingest_run.duration_ms: from taking the file (after the inbox poll and the
# stable-file check) through sha256, ledger claim, parse, validate and COPY with the lineage column. The
# run row is written inside the file's transaction, so the commit after it (3-15 ms) is not in it; \copy's
# time has psql's start and login (~30 ms) instead. The end-to-end time from drop to archived-in-the-bucket
# (poll, stable check, load, commit, upload of the original, the script's 0.1/0.2 s polls) is printed beside it.
# pgloader's time is its whole run (it reads, converts and COPYs in parallel; its own summary is in
# target/bench/pgloader.log). BENCH_INITIAL_ONLY=1 stops after step 1; SLUICE_JAR measures another build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
NAIVE_ROWS=100000
WORK=target/bench
JAR=${SLUICE_JAR:-target/quarkus-app/quarkus-run.jar}

command -v psql >/dev/null || { echo "psql is missing: apt-get install postgresql-client" >&2; exit 1; }
command -v pgloader >/dev/null || { echo "pgloader is missing: apt-get install pgloader" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q package -DskipTests

rm -rf "$WORK"; mkdir -p "$WORK/naive-inbox"
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "generating $ROWS rows…"
java bench/GenerateRainCsv.java "$WORK/rain-bench.csv" "$ROWS" original
java bench/GenerateRainCsv.java "$WORK/rain-bench-corrected.csv" "$ROWS" corrected
head -n $((NAIVE_ROWS + 1)) "$WORK/rain-bench.csv" > "$WORK/naive-slice.csv"
echo "file: $(du -h "$WORK/rain-bench.csv" | cut -f1)"

SLUICE_DATA_DIR="$WORK/data" SLUICE_STABLE_FOR_MS=300 SLUICE_POLL_MS=100 SLUICE_HTTP_PORT=0 \
  java -Xmx256m -Dbench.naive.inbox="$WORK/naive-inbox" \
       -Dcamel.main.routes-include-pattern=file:routes/*.camel.yaml,file:bench/routes/*.camel.yaml \
       -jar "$JAR" > "$WORK/sluice.log" 2>&1 &
SLUICE=$!
trap 'kill $SLUICE 2>/dev/null; wait $SLUICE 2>/dev/null || true' EXIT
until grep -q "Started bench-naive-insert" "$WORK/sluice.log"; do
  kill -0 $SLUICE 2>/dev/null || { cat "$WORK/sluice.log"; exit 1; }; sleep 0.5
done
PGPORT=$(grep -o 'started embedded PostgreSQL at jdbc:postgresql://localhost:[0-9]*' "$WORK/sluice.log" | grep -o '[0-9]*$')
# the embedded PostgreSQL wants the password Sluice generated (0600, beside its data)
PGPASSWORD=$(cat "$WORK/data/postgres-password")
export PGHOST=localhost PGPORT PGUSER=postgres PGPASSWORD PGDATABASE=postgres PGTZ=America/Phoenix
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"; }
# Sluice made rain_readings from its declaration (and Flyway): the references load into copies of it
sql "create table bench_copy (like rain_readings including all);
     create table bench_pgloader (like rain_readings including all);
     create table bench_naive (like rain_readings including all);
     create unlogged table bench_stage (like rain_readings)"
CSV_COLUMNS="gauge_id, observed_at, rainfall_in, quality"
# before each timed load the server is quiet: the table the previous load filled is vacuumed and analyzed
# now, untimed (else autovacuum does it a few seconds later, on the cores the next loader is being timed
# on: Sluice, loading last, met it on pgloader's or \copy's table), and a checkpoint is taken
settle() {
  if [ $# -gt 0 ]; then sql "vacuum analyze $(IFS=,; echo "$*")"; fi
  sql "checkpoint"
}
settle

# drops a file, waits until the ledger shows it archived; sets LOAD_S (ingest_run duration) and E2E
sluice_load() {
  local name=$1 start end
  start=$(now)
  mv "$WORK/$name" "$WORK/data/landing/inbox/$name"
  # the file leaves the inbox once loaded and archived: watched without a query, because a psql per poll
  # (a process, a connection, its SCRAM handshake) would take CPU from the load being timed
  while [ -e "$WORK/data/landing/inbox/$name" ]; do
    kill -0 $SLUICE 2>/dev/null || { tail -50 "$WORK/sluice.log"; exit 1; }; sleep 0.1
  done
  until [ "$(sql "select count(*) from file_ledger where identity = '$name' and status = 'archived'")" = 1 ]; do
    kill -0 $SLUICE 2>/dev/null || { tail -50 "$WORK/sluice.log"; exit 1; }; sleep 0.2
  done
  end=$(now)
  E2E=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  LOAD_S=$(sql "select duration_ms / 1000.0 from ingest_run where subject = '$name' order by id desc limit 1")
}
mkdir -p "$WORK/data/landing/inbox"

# pgloader reads the same CSV into bench_pgloader: same session time zone as psql and Sluice's gauges
# (America/Phoenix), empty quality → NULL as \copy does; without 'drop indexes' (the table keeps its key
# while loading, as for \copy and Sluice)
cat > "$WORK/rain-bench.load" <<LOAD
LOAD CSV
     FROM '$PWD/$WORK/rain-bench.csv' ($CSV_COLUMNS)
     INTO postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE
     TARGET TABLE bench_pgloader ($CSV_COLUMNS)
     WITH skip header = 1, fields terminated by ',', fields optionally enclosed by '"'
     SET timezone to 'America/Phoenix';
LOAD

echo "1. initial load"
t0=$(now); sql "\\copy bench_copy ($CSV_COLUMNS) from '$WORK/rain-bench.csv' with (format csv, header true)"; t1=$(now)
COPY_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
settle bench_copy
t0=$(now); pgloader --no-ssl-cert-verification "$WORK/rain-bench.load" > "$WORK/pgloader.log" 2>&1 \
  || { cat "$WORK/pgloader.log" >&2; exit 1; }; t1=$(now)
PGLOADER_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
PGLOADED=$(sql "select count(*) from bench_pgloader")
[ "$PGLOADED" = "$ROWS" ] || { tail -30 "$WORK/pgloader.log" >&2; echo "pgloader loaded $PGLOADED rows, expected $ROWS" >&2; exit 1; }
settle bench_pgloader
sluice_load rain-bench.csv; SLUICE_S=$LOAD_S; SLUICE_E2E=$E2E
LOADED=$(sql "select count(*) from rain_readings")
[ "$LOADED" = "$ROWS" ] || { echo "Sluice loaded $LOADED rows, expected $ROWS" >&2; exit 1; }
LINEAGE=$(sql "select count(*) from rain_readings r join ingest_run i on i.id = r.ingest_run_id join file_ledger l on l.id = i.ledger_id
               where l.identity = 'rain-bench.csv'" 2>/dev/null || echo "n/a")
echo "   psql \\copy        : ${COPY_S}s  $(rate "$ROWS" "$COPY_S") rows/s"
echo "   pgloader          : ${PGLOADER_S}s  $(rate "$ROWS" "$PGLOADER_S") rows/s"
echo "   Sluice            : ${SLUICE_S}s  $(rate "$ROWS" "$SLUICE_S") rows/s  (end to end incl. archive: ${SLUICE_E2E}s; rows tracing to the file: $LINEAGE)"
echo "   ratio (Sluice rows/s ÷ \\copy rows/s)   : $(ratio "$COPY_S" "$SLUICE_S")   target ≥ 0.95"
echo "   ratio (Sluice rows/s ÷ pgloader rows/s): $(ratio "$PGLOADER_S" "$SLUICE_S")   target ≥ 4"

# BENCH_INITIAL_ONLY=1: the initial load only (before/after figures of a change to the load path)
[ "${BENCH_INITIAL_ONLY:-0}" = 1 ] && exit 0

echo "2. correction (every key conflicts, every value changed)"
settle rain_readings
t0=$(now)
sql "\\copy bench_stage from '$WORK/rain-bench-corrected.csv' with (format csv, header true)"
sql "insert into bench_copy select * from bench_stage on conflict (gauge_id, observed_at)
     do update set rainfall_in = excluded.rainfall_in, quality = excluded.quality"
t1=$(now)
MERGE_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
settle bench_copy bench_stage
sluice_load rain-bench-corrected.csv; SLUICE_M=$LOAD_S; SLUICE_M_E2E=$E2E
CHANGED=$(sql "select count(*) from rain_readings r join bench_copy c using (gauge_id, observed_at) where r.rainfall_in = c.rainfall_in")
[ "$CHANGED" = "$ROWS" ] || { echo "Sluice and the DBA's merge disagree on $((ROWS - CHANGED)) rows" >&2; exit 1; }
echo "   \\copy staging + INSERT … ON CONFLICT: ${MERGE_S}s  $(rate "$ROWS" "$MERGE_S") rows/s"
echo "   Sluice                             : ${SLUICE_M}s  $(rate "$ROWS" "$SLUICE_M") rows/s  (end to end: ${SLUICE_M_E2E}s)"
echo "   ratio: $(ratio "$MERGE_S" "$SLUICE_M")   target ≥ 0.8"

echo "3. naive Camel route (split + one INSERT per row), $NAIVE_ROWS rows"
t0=$(now)
mv "$WORK/naive-slice.csv" "$WORK/naive-inbox/naive-slice.csv"
until [ "$(sql "select count(*) from bench_naive")" = "$NAIVE_ROWS" ]; do sleep 0.5; done
t1=$(now)
NAIVE_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "   naive route       : ${NAIVE_S}s  $(rate "$NAIVE_ROWS" "$NAIVE_S") rows/s"
echo "   ratio (Sluice initial-load rows/s ÷ naive rows/s): $(awk -v s="$SLUICE_S" -v n="$NAIVE_S" -v r="$ROWS" -v nr="$NAIVE_ROWS" 'BEGIN { printf "%.1f", (r / s) / (nr / n) }')"
echo "   Sluice peak RSS   : $(ps -o rss= -p $SLUICE | awk '{ printf "%.0f MiB", $1 / 1024 }') (heap capped at 256 MB)"
