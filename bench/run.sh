#!/usr/bin/env bash
# Benchmarks: compile + load of 1,000 generated definitions, inbound normalization, and sends through libcurl
# to a local nginx mock carrier (apt: nginx-light), then the peers (raw libcurl; Kannel with KANNEL=1) against
# the same mock. Prints name=value lines.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product carrier --scratch-path .build-release >/dev/null
bin=.build-release/release/carrier
port=${PORT:-18080}
scratch=$(mktemp -d)
cleanup() { [ -f "$scratch/nginx.pid" ] && kill "$(cat "$scratch/nginx.pid")" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
send_args=()
if command -v nginx >/dev/null 2>&1; then
    mkdir -p "$scratch/logs"
    cat > "$scratch/nginx.conf" <<CONF
worker_processes 1;
pid $scratch/nginx.pid;
error_log $scratch/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $scratch/body;
    server {
        listen 127.0.0.1:$port;
        location = /send { default_type application/json; return 200 '{"id":"\$connection-\$connection_requests","status":"accepted"}'; }
    }
}
CONF
    nginx -c "$scratch/nginx.conf" -p "$scratch"
    sleep 0.5
    send_args=(--send-url "http://127.0.0.1:$port/send" --sends "${SENDS:-100000}" --concurrency "${CONCURRENCY:-64}")
else
    echo "nginx not installed: skipping the send benchmark (apt-get install nginx-light)" >&2
fi
"$bin" bench --definitions "${DEFINITIONS:-1000}" --events "${EVENTS:-300000}" "${send_args[@]}"

# Peers, run the same way against the same mock when their scripts are beside the repo (../shared/peers).
peers=../shared/peers
if [ ${#send_args[@]} -gt 0 ] && [ -f "$peers/curlbench/curlbench.c" ]; then
    gcc -O2 -o "$scratch/curlbench" "$peers/curlbench/curlbench.c" $(pkg-config --cflags --libs libcurl)
    echo "peer raw libcurl (multi interface, ${CONCURRENCY:-64} transfers):"
    "$scratch/curlbench" multi "http://127.0.0.1:$port/send" "${SENDS:-100000}" "${CONCURRENCY:-64}" | sed 's/^/  /'
fi
if [ "${KANNEL:-0}" = 1 ] && [ -x "$peers/kannel/run.sh" ]; then
    [ -f "$scratch/nginx.pid" ] && kill "$(cat "$scratch/nginx.pid")" && rm -f "$scratch/nginx.pid" && sleep 0.5
    echo "peer Kannel (installs kannel from Debian, ~30 s):"
    SCRATCH="$scratch" MOCK_PORT="$port" "$peers/kannel/run.sh" 2>&1 | grep -E "^kannel_" | sed 's/^/  /'
fi
