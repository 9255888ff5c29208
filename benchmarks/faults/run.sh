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
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $PG_BIN ]]; then
  echo "no PostgreSQL server binaries: skipped"
else
  PG_DIR=$(mktemp -d /tmp/wb-faults-pg.XXXXXX)
  PG_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR"
  stop_pg() { pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$PG_DIR"; }
  trap stop_pg EXIT
  pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || exit 1
  pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || exit 1
  pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres wardbudgets_faults || exit 1
  DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/wardbudgets_faults" .venv/bin/pytest tests/faults \
    -p no:randomly -q -rs --junitxml="$OUT/postgresql.xml" "$@"
fi

$PY benchmarks/faults/summary.py "$OUT/sqlite.xml" "$OUT/postgresql.xml"
