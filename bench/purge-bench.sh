#!/usr/bin/env bash
# Retention purge benchmark (see PurgeBench.java): Sluice's purge of N expired objects with their
# catalog and ledger rows vs DeleteObjects batches + plain SQL DELETEs, in the same run.
#
#   bench/purge-bench.sh [N=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
rm -rf target/bench-purge
CP="target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
java -cp "$CP" bench/PurgeBench.java "${1:-100000}"
