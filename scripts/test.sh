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
source scripts/throwaway_pg.sh
trap stop_throwaway_pg EXIT
start_throwaway_pg wardbudgets_test || exit 1
# the database-free tests (the pure cores, the catalogues, the configuration) ran above
DATABASE_URL="$PG_URL" .venv/bin/pytest \
  --ignore=tests/tally --ignore=tests/equalities --ignore=tests/test_pure_cores.py \
  --ignore=tests/test_translations.py --ignore=tests/test_config.py "$@" || status=1

if [[ $status -ne 0 ]]; then echo "== FAILED"; else echo "== all passed on SQLite and PostgreSQL"; fi
exit $status
