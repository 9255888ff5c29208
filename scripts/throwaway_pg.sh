# Sourced by scripts/test.sh and benchmarks/faults/run.sh: a throwaway PostgreSQL cluster in
# /tmp on a free port (fsync off: test data only).
#   start_throwaway_pg DBNAME   sets PG_BIN, PG_DIR, PG_PORT (kept if already set) and PG_URL
#   stop_throwaway_pg           stops the cluster and removes its directory (trap it on EXIT)
# Run as root, the server runs as the postgres user.

pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_throwaway_pg() {
  local db=$1
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $PG_BIN ]] || { echo "no PostgreSQL server binaries" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/wb-pg.XXXXXX)
  PG_PORT=${PG_PORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$PG_DIR"; fi
  pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || return 1
  pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || return 1
  pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db" || return 1
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$db"
}

stop_throwaway_pg() {
  [[ -n ${PG_DIR:-} ]] || return 0
  pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
