#!/usr/bin/env bash
# Rows API load test (see RowsBench.java): 1,000,000 rows in rain_readings, then N requests (filtered
# pages, sorted pages, a number range, one-row lookups) from C client threads against a running
# Sluice; prints p50/p90/p99 latency per kind and throughput.
#
#   bench/rows-bench.sh [N=10000] [C=4]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
rm -rf target/bench-rows
CP="target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
java -cp "$CP" bench/RowsBench.java "${1:-10000}" "${2:-4}"
