#!/usr/bin/env bash
# Supply chain: `pnpm audit` must find nothing at high severity or above. Where the registry has no audit
# endpoint (a mirror that answers 405, as on the development VM), that is said plainly and the check is skipped;
# any other failure fails the build.
set -uo pipefail
out=$(pnpm audit --audit-level high 2>&1)
code=$?
if [ $code -eq 0 ]; then
  echo "audit: no known vulnerability at high severity or above"
elif grep -q 'ERR_PNPM_AUDIT_BAD_RESPONSE\|ERR_PNPM_AUDIT_ENDPOINT' <<<"$out"; then
  echo "audit: NOT CHECKED, the registry's audit endpoint is unavailable here ($(grep -o 'responded with [0-9]*' <<<"$out" | head -1))" >&2
else
  echo "$out" >&2
  exit 1
fi
