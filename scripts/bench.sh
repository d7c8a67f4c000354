#!/usr/bin/env bash
# npm run bench: the benchmarks, on PGlite and (through pg_virtualenv when there is no PGHOST) PostgreSQL.
# npm run bench:streams (`bench.sh streams`): the streaming-capacity benchmark alone (bench/streams).
set -euo pipefail
cd "$(dirname "$0")/.."
script=bench/run.ts
if [ "${1:-}" = streams ]; then
  script=bench/streams/main.ts
  shift
fi
if [ -z "${PGHOST:-}${TEST_DATABASE_URL:-}" ] && command -v pg_virtualenv >/dev/null 2>&1; then
  # -t: a cluster in a temporary directory, so that a test run's pg_virtualenv at the same time
  # (which, as root, takes the one cluster named "regress") does not stop this one.
  exec pg_virtualenv -t npx tsx "$script" "$@"
fi
exec npx tsx "$script" "$@"
