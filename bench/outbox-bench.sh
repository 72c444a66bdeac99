#!/usr/bin/env bash
# Outbox → bronze benchmark (see OutboxBench.java): Sluice's events/s vs COPY TO CSV + DuckDB → Parquet
# on the same rows, in the same run.
#
#   bench/outbox-bench.sh [N=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
rm -rf target/bench-outbox
CP="target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
java -cp "$CP" bench/OutboxBench.java "${1:-1000000}"
