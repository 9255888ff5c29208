#!/usr/bin/env bash
# Load, spike and soak runs of the real resident journey on a production-like stack:
# gunicorn (LOAD_WORKERS processes, default 2, LOAD_THREADS threads each, default 4) on a
# throwaway PostgreSQL cluster, Redis for the abuse limits shared by the workers, and a fake
# GOV.UK Notify for the texts. Everything is started here and stopped at the end.
#
#   bash benchmarks/load/run.sh sustained            # 10 ballots a second for 15 minutes
#   bash benchmarks/load/run.sh spike                # 0 -> 1,000 users in 60 s, 5 minutes in all
#   bash benchmarks/load/run.sh soak --minutes 20    # 2 ballots a second (2 hours by default)
#   bash benchmarks/load/run.sh sustained --minutes 1 --rate 2   # a smoke run
#
# Results: benchmarks/load/results/<mode>-<time>/ (results.md, locust.json, samples.csv, logs).
# Exit status 0 when every target is met.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/benchmarks/load

MODE=${1:-sustained}; shift || true
case $MODE in
  sustained) MINUTES=15; RATE=10 ;;
  spike) MINUTES=5; RATE=0 ;;
  soak) MINUTES=120; RATE=2 ;;
  *) echo "usage: run.sh [sustained|spike|soak] [--minutes N]" >&2; exit 2 ;;
esac
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;  # ballots a second (sustained and soak)
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [[ -n $apt_updated ]] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v redis-server >/dev/null || apt_install redis-server
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
[[ -x .venv/bin/flask ]] || make --no-print-directory setup-dev
.venv/bin/python -c 'import redis' 2>/dev/null || .venv/bin/pip install -q "redis>=5,<8"
if [[ ! -x $HERE/.venv/bin/locust ]]; then
  python3 -m venv "$HERE/.venv"
  "$HERE/.venv/bin/pip" install -q "locust>=2.30,<3"
fi

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
OUT=$HERE/results/$MODE-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/wb-load.XXXXXX)
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  cp "$WORK/postgresql.log" "$OUT/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting PostgreSQL, Redis, the fake Notify"
[[ $(id -u) -eq 0 ]] && chown postgres "$WORK"
PG_PORT=$(free_port)
pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 >/dev/null
# production-like: fsync on (the default); room for the workers' pools and the CLI; lock waits
# over 200 ms and statements over 250 ms logged, to tell a lock from a busy machine
pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/postgresql.log" -w \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB -c log_lock_waits=on -c deadlock_timeout=200ms -c log_min_duration_statement=250" start >/dev/null
pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres wardbudgets_load
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
NOTIFY_PORT=$(free_port)
.venv/bin/python "$HERE/fake_notify.py" --port "$NOTIFY_PORT" &
PIDS+=($!)

export PB_ENV=development  # production's Secure cookies would need TLS; everything else is as production
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/wardbudgets_load"
export SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
export BALLOT_SEAL_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
export SMS_ADAPTER=notify NOTIFY_BASE_URL="http://127.0.0.1:$NOTIFY_PORT"
export NOTIFY_API_KEY="load-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"
export NOTIFY_SMS_TEMPLATE_ID=33333333-3333-4333-8333-333333333333
export NOTIFY_INBOUND_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
export RATELIMIT_STORAGE_URI="redis://127.0.0.1:$REDIS_PORT"
export PB_PROXIES=1  # behind the council's proxy: each resident's own address counts
export PB_PUBLIC_URL=http://127.0.0.1 PB_DEMO_PASSWORD=load-test-password-$RANDOM
unset FLASK_DEBUG

echo "== migrating and seeding"
.venv/bin/flask --app app db upgrade >"$OUT/migrate.log" 2>&1
.venv/bin/flask --app app pb load-census >>"$OUT/migrate.log" 2>&1
.venv/bin/python "$HERE/seed.py" "$OUT/state.json"

WORKERS=${LOAD_WORKERS:-2}; THREADS=${LOAD_THREADS:-4}
APP_PORT=$(free_port)
echo "== gunicorn: $WORKERS workers x $THREADS threads on 127.0.0.1:$APP_PORT"
# keep-alive longer than a simulated user's pause, as behind a proxy (gunicorn's 2 s default
# closes a connection the client is just reusing: a dropped request that no resident would see)
.venv/bin/gunicorn -w "$WORKERS" --threads "$THREADS" -b "127.0.0.1:$APP_PORT" --timeout 60 --keep-alive 75 \
  --error-logfile "$OUT/gunicorn.log" app:app &
GUNICORN=$!
PIDS+=($GUNICORN)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$APP_PORT/healthz" >/dev/null && break; sleep 0.2; done

# the app's memory (master + workers, RSS), its CPU seconds, PostgreSQL's CPU seconds (every
# postgres process: this cluster's, and the dev cluster's if it runs as postgres) and the load, every 10 s
sample() {
  echo "t,phase,rss_mb,cpu_s,workers,load1,pg_cpu_s" >"$OUT/samples.csv"
  while kill -0 "$GUNICORN" 2>/dev/null; do
    local phase=load; [[ -f $WORK/done ]] && phase=after
    local pg_cpu; pg_cpu=$(ps -o times= -u postgres | awk '{c+=$1} END {print c+0}')
    ps -o rss=,times= --pid "$GUNICORN" --ppid "$GUNICORN" | awk -v t="$(date +%s)" -v p="$phase" -v g="$pg_cpu" \
      -v l="$(cut -d' ' -f1 /proc/loadavg)" '{r+=$1; c+=$2; n++} END {printf "%s,%s,%.1f,%d,%d,%s,%d\n", t, p, r/1024, c, n-1, l, g}' \
      >>"$OUT/samples.csv"
    sleep 10
  done
}
sample &
PIDS+=($!)

PACE=10  # seconds between one user's ballots
if [[ $MODE == spike ]]; then
  USERS=1000; SPAWN=16.7; EXTRA=()
else
  WEB=$(( (RATE * 85 * PACE + 50) / 100 )); SMS=$(( (RATE * 10 * PACE + 50) / 100 ))
  [[ $SMS -ge 1 ]] || SMS=1
  PAPER_PACE=$(.venv/bin/python -c "print(1 / ($RATE * 0.05))")
  USERS=$((WEB + SMS + 1)); SPAWN=$(( USERS / 10 + 1 ))
  export LOAD_WEB_USERS=$WEB LOAD_SMS_USERS=$SMS LOAD_PAPER_PACE=$PAPER_PACE
fi
echo "== $MODE for $MINUTES minutes: $USERS users (spawned at $SPAWN a second)"
if [[ $MODE == spike ]]; then
  echo "   targets: 0 -> 1,000 users in 60 s (90% web, 10% text, 1 pair of officers keying paper); zero 5xx;"
else
  echo "   targets: $RATE ballots a second (85% web, 10% text, 5% paper); zero 5xx;"
fi
echo "   p95 < 800 ms and p99 < 2 s on confirm and cast; counted == cast == roll; soak memory growth < 10%"
export LOAD_STATE=$OUT/state.json LOAD_NOTIFY="http://127.0.0.1:$NOTIFY_PORT" LOAD_INBOUND_TOKEN=$NOTIFY_INBOUND_TOKEN
export LOAD_MODE=$MODE LOAD_PACE=$PACE LOAD_RESULTS=$OUT/locust.json
"$HERE/.venv/bin/locust" -f "$HERE/locustfile.py" --headless -u "$USERS" -r "$SPAWN" -t "${MINUTES}m" \
  --host "http://127.0.0.1:$APP_PORT" --stop-timeout 180 --only-summary --loglevel WARNING \
  --csv "$OUT/locust" >"$OUT/locust.log" 2>&1 || true
touch "$WORK/done"
tail -n 40 "$OUT/locust.log"

echo "== reconciliation: close voting, mix and count through the CLI"
status=0
.venv/bin/python "$HERE/reconcile.py" "$OUT" "$MODE" "$MINUTES" "$RATE" || status=$?
echo "== results in $OUT/results.md"
exit $status
