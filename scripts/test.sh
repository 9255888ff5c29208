#!/usr/bin/env bash
# The README's test command (make test) and CI's (.ci/run): set up, then run the
# whole suite on SQLite and again on a throwaway PostgreSQL cluster.
set -uo pipefail
cd "$(dirname "$0")/.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [[ -n $apt_updated ]] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian's Chromium (Playwright drives it; no browser download) and PostgreSQL
[[ -x /usr/lib/chromium/chromium ]] || apt_install chromium
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql

make --no-print-directory setup-dev || exit 1

status=0
echo "== lint"
.venv/bin/ruff check pb tests benchmarks app.py || status=1

echo "== tests on SQLite"
env -u DATABASE_URL .venv/bin/pytest "$@" || status=1

echo "== tests on PostgreSQL"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/wb-pg.XXXXXX)
PG_PORT=${PG_PORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR"
stop_pg() { pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$PG_DIR"; }
trap stop_pg EXIT
pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || exit 1
pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || exit 1
pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres wardbudgets_test || exit 1
# the database-free tests (the pure cores, the catalogues, the configuration) ran above
DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/wardbudgets_test" .venv/bin/pytest \
  --ignore=tests/tally --ignore=tests/equalities --ignore=tests/test_pure_cores.py \
  --ignore=tests/test_translations.py --ignore=tests/test_config.py "$@" || status=1

if [[ $status -ne 0 ]]; then echo "== FAILED"; else echo "== all passed on SQLite and PostgreSQL"; fi
exit $status
