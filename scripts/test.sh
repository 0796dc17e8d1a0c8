#!/usr/bin/env bash
# `npm test`: everything, against real parts (OpenSSH, Docker Engine, PostgreSQL, Chromium).
# Installs missing Debian packages when run as root, then npm dependencies, builds, checks
# types and layers, and runs unit, integration and end-to-end tests. Last line: the summary.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh || exit 1
node scripts/ensure-deps.mjs || exit 1
node scripts/build.mjs || { echo "0 passed, 1 failed"; exit 1; }

echo "Type check and layer rules…"
node scripts/typecheck.mjs || { echo "0 passed, 1 failed"; exit 1; }
npx --no-install eslint . || { echo "0 passed, 1 failed"; exit 1; }

mkdir -p test-results
rm -f test-results/vitest.json
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
node scripts/test-summary.mjs test-results/vitest.json
