#!/usr/bin/env bash
# Quick start: installs the dependencies and runs the embedded stack (collector + loader + embedded ClickHouse).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
exec pnpm start
