#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what the tests need, then type-checks, lints, builds and
# runs every tier (unit, integration against real chDB, a real Kafka broker and real processes), after the
# supply-chain checks (no copyleft licence; pnpm audit clean at high severity where the registry can answer).
# .ci/run runs exactly this. Needs Node.js 20, Java 17 and Maven (for the Kafka broker's jars); installs Chromium,
# Python's venv and Go where they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
# Kafka's jars, once, before test files start brokers in parallel (each test starts its own broker): 3.9.1 for
# every Kafka suite, 4.4.0 for test/kafka4.integration.test.ts
bash scripts/kafka.sh fetch
KAFKA_VERSION=4.4.0 bash scripts/kafka.sh fetch
# Debian's Chromium for the browser tests (tp.js in a real browser, driven by playwright-core)
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)" >&2
  fi
fi
# Python 3 with venv, in which test/segment-python.integration.test.ts installs Segment's Python library from PyPI
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  else
    echo "Python 3 with venv is needed for Segment's Python library: apt-get install python3-venv" >&2
  fi
fi
# Go, with which test/segment-go.integration.test.ts builds Segment's Go library (from the Go module proxy)
if ! command -v go >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
  else
    echo "Go is needed for Segment's Go library: apt-get install golang-go" >&2
  fi
fi
# `docker compose config` checks docker-compose.yml offline; where Compose is missing, Debian's docker-compose does
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker compose (or docker-compose) is needed to check docker-compose.yml" >&2
  fi
fi
pnpm typecheck
pnpm lint
node scripts/licenses.mjs
bash scripts/audit.sh
pnpm build
mkdir -p .cache
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json || status=$?
node scripts/test-summary.mjs .cache/vitest.json
exit $status
