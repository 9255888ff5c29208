#!/usr/bin/env bash
# The backup and restore drill (README "Backup and restore"): installs Debian's PostgreSQL
# if it is missing, sets up the virtualenv, and runs benchmarks/drill/backup_drill.py with
# any arguments given (--before N --after N --clients N --quick --keep --json FILE).
# Exits non-zero if any check fails; both throwaway clusters are always removed.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
[[ -x .venv/bin/flask && -d pb/static/build ]] || make --no-print-directory setup-dev
exec .venv/bin/python benchmarks/drill/backup_drill.py "$@"
