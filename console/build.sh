#!/usr/bin/env bash
# Rebuilds the Sluice console (Hawtio) and writes it to src/main/resources/META-INF/resources/hawtio/,
# from where Quarkus serves it at /hawtio/. Needs Node.js 20.19+ and npm; see README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../src/main/resources/META-INF/resources/hawtio"

cd "$here"
npm ci --no-audit --no-fund
npx vite build

rm -rf "$out"
mkdir -p "$out"
cp -R dist/. "$out/"
echo "console written to $out ($(du -sh "$out" | cut -f1))"
