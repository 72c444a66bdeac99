#!/usr/bin/env bash
# Builds every Integration CR of kubernetes/camel-k/ the way the Camel K 2.10.1 operator builds it, starts
# each as its container would start, and checks that it does its job (CamelKBuildIT; `mvn -B verify`
# runs one of each kind). Needs what `mvn -B verify` needs; about a minute per integration on 2 cores.
#
#   it/camel-k-build.sh                      every CR
#   it/camel-k-build.sh sluice-http-ingest   one (or a comma-separated list)
#   it/camel-k-build.sh all -o               further arguments go to Maven (here: offline)
set -euo pipefail
cd "$(dirname "$0")/.."
integrations="${1:-all}"
[ $# -gt 0 ] && shift
exec mvn -B "$@" verify -Dsluice.camel-k.integrations="$integrations" -Dit.test=CamelKBuildIT \
    -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
