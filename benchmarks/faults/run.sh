#!/usr/bin/env bash
# The fault runs (tests/faults): a gunicorn worker killed mid-cast, PostgreSQL restarted
# mid-load, the mixer killed mid-transaction, the disk full under SQLite, and GOV.UK Notify
# failing (5xx, timeouts, unreachable). Each scenario runs on SQLite, then on a throwaway
# PostgreSQL cluster in /tmp (as scripts/test.sh makes one), and a results table is printed.
# Usage: bash benchmarks/faults/run.sh [extra pytest arguments]
set -uo pipefail
cd "$(dirname "$0")/../.."

OUT=$(mktemp -d /tmp/wb-faults.XXXXXX)
PY=.venv/bin/python
echo "== fault runs on SQLite"
env -u DATABASE_URL .venv/bin/pytest tests/faults -p no:randomly -q -rs --junitxml="$OUT/sqlite.xml" "$@"

echo "== fault runs on PostgreSQL"
source scripts/throwaway_pg.sh
trap stop_throwaway_pg EXIT
if ! start_throwaway_pg wardbudgets_faults; then
  echo "no PostgreSQL cluster could be started: skipped"
else
  DATABASE_URL="$PG_URL" .venv/bin/pytest tests/faults \
    -p no:randomly -q -rs --junitxml="$OUT/postgresql.xml" "$@"
fi

$PY benchmarks/faults/summary.py "$OUT/sqlite.xml" "$OUT/postgresql.xml"
