#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster in a temporary directory on a free port and prints its URL
# (postgres://carrier@127.0.0.1:PORT/carrier). Stop it with: scripts/pg-throwaway.sh stop DIR
# Used by .ci/run and by developers; needs Debian's postgresql package (initdb, pg_ctl).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg-throwaway: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 69; }
if [ "${1:-}" = "stop" ]; then
    dir=${2:?directory}
    run=(); [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit 0
fi
dir=${1:-$(mktemp -d /tmp/carrier-pg.XXXXXX)}
mkdir -p "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    chown postgres "$dir"
    run=(runuser -u postgres --)
fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U carrier --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
# Throwaway: no fsync, a few more connections for parallel tests.
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000 -c shared_buffers=128MB" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U carrier carrier
echo "postgres://carrier@127.0.0.1:$port/carrier?sslmode=disable"
echo "pg-throwaway: cluster in $dir (stop: scripts/pg-throwaway.sh stop $dir)" >&2
