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
. bench/lib.sh
cleanup() { stop_mock_carrier "$scratch"; rm -rf "$scratch"; }
trap cleanup EXIT
send_args=()
if command -v nginx >/dev/null 2>&1; then
    start_mock_carrier "$scratch" "$port"
    send_args=(--send-url "http://127.0.0.1:$port/send" --sends "${SENDS:-100000}" --concurrency "${CONCURRENCY:-64}")
else
    echo "nginx not installed: skipping the send benchmark (apt-get install nginx-light)" >&2
fi
# One core each: the mock on CPU 0, the runtime on CPU 1, so that "sends/s" is what one core does.
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    [ -f "$scratch/nginx.pid" ] && taskset -a -p -c 0 "$(cat "$scratch/nginx.pid")" >/dev/null \
        && pgrep -P "$(cat "$scratch/nginx.pid")" | xargs -r -n1 taskset -a -p -c 0 >/dev/null
    pin=(taskset -c 1)
    echo "pinned: carrier bench on CPU 1, nginx mock on CPU 0"
fi
"${pin[@]}" "$bin" bench --definitions "${DEFINITIONS:-1000}" --events "${EVENTS:-300000}" "${send_args[@]}"

# Peers, run the same way against the same mock when their scripts are beside the repo (../shared/peers).
peers=../shared/peers
if [ ${#send_args[@]} -gt 0 ] && [ -f "$peers/curlbench/curlbench.c" ]; then
    gcc -O2 -o "$scratch/curlbench" "$peers/curlbench/curlbench.c" $(pkg-config --cflags --libs libcurl)
    echo "peer raw libcurl (multi interface, ${CONCURRENCY:-64} transfers):"
    "${pin[@]}" "$scratch/curlbench" multi "http://127.0.0.1:$port/send" "${SENDS:-100000}" "${CONCURRENCY:-64}" | sed 's/^/  /'
fi
if [ "${KANNEL:-0}" = 1 ] && [ -x "$peers/kannel/run.sh" ]; then
    stop_mock_carrier "$scratch" && sleep 0.5
    echo "peer Kannel (installs kannel from Debian, ~30 s):"
    SCRATCH="$scratch" MOCK_PORT="$port" "$peers/kannel/run.sh" 2>&1 | grep -E "^kannel_" | sed 's/^/  /'
fi
