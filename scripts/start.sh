#!/usr/bin/env bash
# Quick start: installs the dependencies and runs the embedded stack (collector + loader + embedded ClickHouse).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
# tp.js, which the collector serves at /tp.js
pnpm --filter @touchpoint/browser build
exec pnpm start
