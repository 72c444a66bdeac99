#!/usr/bin/env bash
# Bucket-source benchmarks (see BucketBench.java): poll over already-ingested keys vs a bare
# listing, and copies vs awscli, in the same run.
#
#   bench/bucket-bench.sh [KEYS=100000] [BIG_MB=2048] [SMALL_COUNT=1000]   (awscli: apt-get install awscli)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
rm -rf target/bench-bucket
CP="target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
java -cp "$CP" bench/BucketBench.java "${1:-100000}" "${2:-2048}" "${3:-1000}" awscli &
BENCH=$!
until [ -f target/bench-bucket/endpoints ]; do kill -0 $BENCH 2>/dev/null || exit 1; sleep 1; done
. target/bench-bucket/endpoints
if command -v aws >/dev/null; then
  export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
  # warm-up, as Sluice had
  aws --endpoint-url "$UPSTREAM" --no-sign-request s3 sync s3://bench-copy/warm/20250101/ target/bench-bucket/warm/ --only-show-errors
  aws --endpoint-url "$OURS" s3 sync target/bench-bucket/warm/ s3://sluice/awscli/warm/ --only-show-errors
  t0=$(date +%s.%N)
  aws --endpoint-url "$UPSTREAM" --no-sign-request s3 cp s3://bench-copy/big/20250101/object-2g.bin - \
    | aws --endpoint-url "$OURS" s3 cp - s3://sluice/awscli/object-2g.bin
  t1=$(date +%s.%N)
  aws --endpoint-url "$UPSTREAM" --no-sign-request s3 sync s3://bench-copy/small/20250101/ target/bench-bucket/sync/ --only-show-errors
  aws --endpoint-url "$OURS" s3 sync target/bench-bucket/sync/ s3://sluice/awscli/small/ --only-show-errors
  t2=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v bs="$BIG_S" -v ss="$SMALL_S" 'BEGIN {
    printf "    awscli: big in %.1f s, small in %.1f s (sync down + sync up)\n", b - a, c - b;
    printf "    throughput ratio Sluice ÷ awscli: big %.2f, small %.2f   target ≥ 0.9\n", (b - a) / bs, (c - b) / ss }'
else
  echo "    awscli not installed: apt-get install awscli for the reference"
fi
touch target/bench-bucket/awscli-done
wait $BENCH
