#!/usr/bin/env bash
# What a target rate leaves for the service on this machine: measures the CPU each message costs in the parts no
# code of ours can make cheaper, then prints how many cores they take at the target and the microseconds per
# message left for everything else (storing it twice durably, the rules, rendering, parsing the carrier's answer).
#
#   bench/floors.sh            TARGET=sends/s (default: 3x Kannel, measured first with ../shared/peers/kannel)
#
# The targets are #13's: 3x Kannel's sends/s for the fast carrier, 90% of SLOW_CONNS / CARRIER_DELAY_MS for the
# slow one.
#
# Floors, each with the same connection counts as bench/serve.sh's phases (CONNS 64, then SLOW_CONNS 512 to a
# carrier answering in CARRIER_DELAY_MS 50):
# - http_in: `carrier serve` refusing POST /send at the door (no API key: 401): SwiftNIO's HTTP server, our
#   routing and a JSON error, nothing stored. The service's CPU per request.
# - curl_out: libcurl's multi interface posting to the same nginx mock carrier as the service does
#   (../shared/peers/curlbench, built here): the client's CPU per send.
# - mock: the nginx mock carrier's CPU per request it answers; load: wrk's CPU per request it makes.
# Both sides of every message share the machine's cores (`nproc`). Needs wrk, nginx-light, libcurl4-openssl-dev,
# a C compiler (kannel for the default TARGET).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
swift build -c release --product carrier --scratch-path .build-release >/dev/null
bin=.build-release/release/carrier
secs=${SECS:-6}
conns=${CONNS:-64}
slow_conns=${SLOW_CONNS:-512}
delay_ms=${CARRIER_DELAY_MS:-50}
peers=../shared/peers
scratch=$(mktemp -d)
serve_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    stop_mock_carrier "$scratch/fast"
    stop_mock_carrier "$scratch/slow"
    rm -rf "$scratch"
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)
cores=$(nproc)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
nginx_worker() { pgrep -P "$(cat "$1/nginx.pid")" | head -1; }

target=${TARGET:-}
if [ -z "$target" ]; then
    kannel=$(PHASES=1 SECS="$secs" CONC="$conns" bash "$peers/kannel/run.sh" 2>&1 | awk -F= '/^kannel_sends_per_s=/ { print $2 }')
    [ -n "$kannel" ] || { echo "floors: Kannel did not run (apt-get install kannel), give TARGET=sends/s" >&2; exit 1; }
    echo "kannel_sends_per_s=$kannel"
    target=$((kannel * 3))
fi
echo "target_sends_per_s=$target cores=$cores"

cc -O2 -o "$scratch/curlbench" "$peers/curlbench/curlbench.c" $(pkg-config --cflags --libs libcurl 2>/dev/null || echo -lcurl)
start_mock_carrier "$scratch/fast" 18311
start_mock_carrier "$scratch/slow" 18312 "$delay_ms"
cat > "$scratch/config.json" <<CONF
{ "host": "127.0.0.1", "port": 18313, "databasePath": "$scratch/floors.sqlite",
  "apiKeys": { "literal:floorskey": { "account": "default", "scopes": ["messaging"] } } }
CONF
"$bin" serve --config "$scratch/config.json" --carriers carriers --log-level notice >"$scratch/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18313/health >/dev/null && break; sleep 0.2; done
cat > "$scratch/refused.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"channelId":"bench","to":"+15550000000","body":"benchmark"}'
LUA

# http_in CONNECTIONS: prints "service_us load_us per request".
http_in() {
    wrk -t1 -c"$1" -d2s -s "$scratch/refused.lua" http://127.0.0.1:18313/send >/dev/null
    local before after out
    before=$(ticks "$serve_pid")
    # `times` in the subshell: its second line is its children's (wrk's) user and system time.
    out=$( (wrk -t1 -c"$1" -d"${secs}s" -s "$scratch/refused.lua" http://127.0.0.1:18313/send; times) )
    after=$(ticks "$serve_pid")
    local requests load
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    load=$(echo "$out" | tail -1 | awk '{ gsub(/[ms]/, " "); print ($1 * 60 + $2) + ($3 * 60 + $4) }')
    awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" -v l="$load" \
        'BEGIN { printf "%.1f %.1f\n", t * 1e6 / hz / n, l * 1e6 / n }'
}

# curl_out DIR PORT CONCURRENCY COUNT: prints "client_us mock_us per send".
curl_out() {
    local worker before after out
    worker=$(nginx_worker "$1")
    before=$(ticks "$worker")
    out=$("$scratch/curlbench" multi "http://127.0.0.1:$2/send" "$4" "$3" "$((secs * 2))")
    after=$(ticks "$worker")
    local sent
    sent=$(echo "$out" | sed -E 's/.* ok=([0-9]+).*/\1/')
    echo "$out" | sed -E 's/.*cpu_ms_per_1k=([0-9.]+).*/\1/' | awk -v t=$((after - before)) -v hz="$hz" -v n="$sent" \
        '{ printf "%.1f %.1f\n", $1, t * 1e6 / hz / n }'
}

# report NAME TARGET HTTP_IN LOAD CURL_OUT MOCK
report() {
    local name=$1 rate=$2 in=$3 load=$4 out=$5 mock=$6
    echo "${name}_http_in_us=$in ${name}_load_us=$load ${name}_curl_out_us=$out ${name}_mock_us=$mock"
    awk -v r="$rate" -v c="$cores" -v a="$in" -v b="$load" -v d="$out" -v e="$mock" -v n="$name" 'BEGIN {
        floor = a + b + d + e
        printf "%s_floor_us=%.1f %s_floor_cores_at_target=%.2f %s_left_us_per_message=%.1f\n",
            n, floor, n, floor * r / 1e6, n, c * 1e6 / r - floor }'
}

read -r in load <<<"$(http_in "$conns")"
read -r out mock <<<"$(curl_out "$scratch/fast" 18311 "$conns" 200000)"
report fast "$target" "$in" "$load" "$out" "$mock"
read -r in load <<<"$(http_in "$slow_conns")"
read -r out mock <<<"$(curl_out "$scratch/slow" 18312 "$slow_conns" $((slow_conns * 1000 / delay_ms * secs)))"
# The 50 ms carrier's target: 90% of what SLOW_CONNS connections can carry.
report slow $((slow_conns * 1000 / delay_ms * 9 / 10)) "$in" "$load" "$out" "$mock"
