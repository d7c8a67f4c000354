#!/usr/bin/env bash
# npm run bench: the benchmarks, on PGlite and (through pg_virtualenv when there is no PGHOST) PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PGHOST:-}${TEST_DATABASE_URL:-}" ] && command -v pg_virtualenv >/dev/null 2>&1; then
  exec pg_virtualenv npx tsx bench/run.ts "$@"
fi
exec npx tsx bench/run.ts "$@"
