#!/usr/bin/env bash
# npm run test:reliability [-- --minutes N]: the reliability suite alone (server/reliability/README.md).
# With --minutes N the load-with-faults run lasts N minutes and prints memory, open handles and
# latency per minute (a soak), instead of its short CI length.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) export RELIABILITY_SOAK_MINUTES="$2"; shift 2 ;;
    --minutes=*) export RELIABILITY_SOAK_MINUTES="${1#--minutes=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

if [ -n "${PGHOST:-}${TEST_DATABASE_URL:-}" ]; then
  exec npx vitest run --project reliability "${args[@]}"
elif command -v pg_virtualenv >/dev/null 2>&1; then
  exec pg_virtualenv -t -o fsync=off npx vitest run --project reliability "${args[@]}"
else
  echo "PostgreSQL suites not run: no PGHOST/TEST_DATABASE_URL and no pg_virtualenv (install postgresql-common)."
  exec npx vitest run --project reliability "${args[@]}"
fi
