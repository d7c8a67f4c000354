#!/usr/bin/env bash
# The whole test suite: type checking, lint, formatting, then every Vitest suite on PGlite and PostgreSQL.
# Without a PostgreSQL in the environment it makes a throwaway one with pg_virtualenv (Debian's
# postgresql-common) when that is installed; otherwise it says so in one line and runs PGlite only.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck"
npm run --silent typecheck
echo "== lint"
npx eslint . --max-warnings 0
echo "== format"
npm run --silent format:check

echo "== tests"
if [ -n "${PGHOST:-}${TEST_DATABASE_URL:-}" ]; then
  exec npx vitest run "$@"
elif command -v pg_virtualenv >/dev/null 2>&1; then
  exec pg_virtualenv -o fsync=off npx vitest run "$@"
else
  echo "PostgreSQL suites not run: no PGHOST/TEST_DATABASE_URL and no pg_virtualenv (install postgresql-common)."
  exec npx vitest run "$@"
fi
