#!/usr/bin/env bash
# Bucket-source benchmarks (see BucketBench.java): polls over already-ingested keys vs the same
# ListObjectsV2 requests made bare, and copies by Sluice vs awscli and rclone, in the same run.
#
#   bench/bucket-bench.sh [KEYS=20000,100000] [BIG_MB=512] [SMALL_COUNT=300]
#   (peers: apt-get install awscli rclone; each is skipped when missing; BENCH_PEERS=rclone runs only
#   rclone, to iterate on Sluice's copies)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
rm -rf target/bench-bucket
CP="target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
java -cp "$CP" bench/BucketBench.java "${1:-20000,100000}" "${2:-512}" "${3:-300}" peers &
BENCH=$!
until [ -f target/bench-bucket/endpoints ]; do kill -0 $BENCH 2>/dev/null || exit 1; sleep 1; done
. target/bench-bucket/endpoints
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ratios() { # name big_seconds small_seconds
  awk -v n="$1" -v b="$2" -v s="$3" -v bs="$BIG_S" -v ss="$SMALL_S" 'BEGIN {
    printf "    %-7s: big in %.1f s, small in %.1f s\n", n, b, s;
    printf "    throughput ratio Sluice ÷ %s: big %.2f, small %.2f\n", n, b / bs, s / ss }'
}
echo "(b) peers, same data, same two servers (Sluice: big ${BIG_S} s, small ${SMALL_S} s)"
PEERS=${BENCH_PEERS:-awscli rclone}
if [[ " $PEERS " == *" awscli "* ]] && command -v aws >/dev/null; then
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
  ratios "awscli" "$(seconds $t0 $t1)" "$(seconds $t1 $t2)"
  echo "             (big: aws s3 cp piped down → up; small: aws s3 sync down, then up)"
  rm -rf target/bench-bucket/sync target/bench-bucket/warm
else
  echo "    awscli not installed: apt-get install awscli for this peer"
fi
if [[ " $PEERS " == *" rclone "* ]] && command -v rclone >/dev/null; then
  # an on-the-fly config: remote "up" (anonymous upstream) and "ours"; rclone 1.60 refuses to
  # start while AWS_CA_BUNDLE is set, hence env -u
  rc() {
    $TIMED env -u AWS_CA_BUNDLE RCLONE_CONFIG_UP_TYPE=s3 RCLONE_CONFIG_UP_PROVIDER=Other RCLONE_CONFIG_UP_ENDPOINT="$UPSTREAM" \
      RCLONE_CONFIG_UP_ENV_AUTH=false RCLONE_CONFIG_UP_FORCE_PATH_STYLE=true \
      RCLONE_CONFIG_OURS_TYPE=s3 RCLONE_CONFIG_OURS_PROVIDER=Other RCLONE_CONFIG_OURS_ENDPOINT="$OURS" \
      RCLONE_CONFIG_OURS_ACCESS_KEY_ID="$KEY" RCLONE_CONFIG_OURS_SECRET_ACCESS_KEY="$SECRET" \
      RCLONE_CONFIG_OURS_REGION=us-east-1 RCLONE_CONFIG_OURS_FORCE_PATH_STYLE=true \
      rclone "$@"
  }
  TIMED=""
  rc copy up:bench-copy/warm/20250101 ours:sluice/rclone/warm --transfers 4
  # rclone's user + system CPU time, as Sluice's is measured
  TIMED="/usr/bin/time -f %U+%S -a -o target/bench-bucket/rclone-cpu"
  t0=$(date +%s.%N)
  rc copyto up:bench-copy/big/20250101/object-2g.bin ours:sluice/rclone/object-2g.bin
  t1=$(date +%s.%N)
  rc copy up:bench-copy/small/20250101 ours:sluice/rclone/small --transfers 4
  t2=$(date +%s.%N)
  TIMED=
  ratios "rclone" "$(seconds $t0 $t1)" "$(seconds $t1 $t2)"
  awk -F+ '{ printf "%s%.1f", (NR > 1 ? ", small " : "             rclone CPU-s: big "), $1 + $2 } END { print "" }' target/bench-bucket/rclone-cpu
  echo "             (rclone copy --transfers 4, upstream → ours directly, no local copy)"
else
  echo "    rclone not installed: apt-get install rclone for this peer"
fi
echo "    target: Sluice ≥ 1.0× the best peer's throughput"
touch target/bench-bucket/awscli-done
wait $BENCH
