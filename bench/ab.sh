#!/usr/bin/env bash
# Compares two `carrier` binaries on one `serve` phase in interleaved runs (A B, B A, A B, ...), each on a fresh
# database and a fresh service: on a shared VM whose speed drifts by tens of percent within an hour, only pairs run
# back to back tell a change apart (bench/serve.sh measures phases one after another on one growing database).
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [PAIRS]   PHASE=slow|outbox|status|reports|inbound  BACKEND=sqlite|postgres  SECS=6
#
# Phases: `slow` POST /send at CONNS (512) connections to a mock carrier answering in 50 ms (sendWaitMs 5000: each
# answer waits for the carrier's); `outbox` POST /send at CONNS (64) with sendWaitMs 0 for SECS, then the drain is
# timed until the mock has every accepted message (sends/s = delivered / (injection + drain)); `status` 3 s of
# POST /send, then delivery reports for them (bench/serve/status.lua, CONNS 32: random ids, most of them kept
# pending or repeating a status); `reports` SEND_SECS (10) of POST /send, then one report per sent message, each a
# status change (bench/serve/reports.lua; stops after the last); `inbound` incoming messages
# (bench/serve/inbound.lua, CONNS 32). Prints each run as `name=value` (rate, the service's CPU per 1,000, context
# switches per 1,000, PostgreSQL's CPU per 1,000), then the medians and B/A.
# PREFILL=SECS first stores SECS of incoming messages (256 connections), so a run measures a grown database as
# bench/serve.sh's later phases do. WEBHOOK=1 subscribes an endpoint (the mock, answering 200) to message.status and
# message.received before the measured traffic, so each status change and incoming message also queues a delivery
# (delivered meanwhile). Needs wrk and nginx-light (postgresql for BACKEND=postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
old=${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [PAIRS]}
new=${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY [PAIRS]}
pairs=${3:-3}
phase=${PHASE:-slow}
backend=${BACKEND:-sqlite}
secs=${SECS:-6}
case "$phase" in
    slow) conns=${CONNS:-512}; delay=50; wait_ms=5000 ;;
    outbox) conns=${CONNS:-64}; delay=0; wait_ms=0 ;;
    status | reports | inbound) conns=${CONNS:-32}; delay=0; wait_ms=5000 ;;
    *) echo "ab.sh: PHASE must be slow, outbox, status, reports or inbound" >&2; exit 64 ;;
esac
for bin in "$old" "$new"; do [ -x "$bin" ] || { echo "ab.sh: $bin is not an executable" >&2; exit 66; }; done
scratch=$(mktemp -d /tmp/carrier-ab.XXXXXX)
pid=""
pgdir=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    stop_mock_carrier "$scratch"
    [ -n "$pgdir" ] && scripts/pg-throwaway.sh stop "$pgdir"
    rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/carriers/bench"
cp bench/serve/carrier.yaml "$scratch/carriers/bench/"
start_mock_carrier "$scratch" 18092 "$delay"
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
postgres_ticks() {
    local t=0 p
    for p in $(pgrep -x postgres || true); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "$t"
}

# run_once BINARY: one run on a fresh database; prints "rate cpu_ms_per_1000 switches_per_1000 postgres_ms_per_1000".
run_once() {
    local bin=$1 database
    rm -f "$scratch"/ab.sqlite*
    if [ "$backend" = postgres ]; then
        pgdir=$(mktemp -d /tmp/carrier-ab-pg.XXXXXX)
        pg_url=$(scripts/pg-throwaway.sh "$pgdir" 2>/dev/null)
        database="\"databaseURL\": \"$pg_url\""
    else
        database="\"databasePath\": \"$scratch/ab.sqlite\""
    fi
    cat > "$scratch/config.json" <<CONF
{ "host": "127.0.0.1", "port": 18093, $database, "sendWaitMs": $wait_ms,
  "apiKeys": { "literal:benchkey": { "account": "default", "scopes": ["messaging", "admin"] } },
  "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true, "allowPrivateWebhookTargets": true,
  "secretsKey": "literal:$(printf 'ab%.0s' $(seq 1 32))",
  "channels": [ { "id": "bench", "account": "default", "channel": "sms", "provider": "bench",
                  "address": "+15550000001", "settings": { "base_url": "http://127.0.0.1:18092" },
                  "inboundToken": "literal:bench-inbound-token-0123456789" } ] }
CONF
    "$bin" serve --config "$scratch/config.json" --carriers "$scratch/carriers" --log-level notice \
        >"$scratch/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18093/health >/dev/null && break; sleep 0.1; done
    local url=http://127.0.0.1:18093/send script=bench/serve/send.lua
    if [ "$phase" = status ]; then
        wrk -t1 -c32 -d3s -s bench/serve/send.lua "$url" >/dev/null
        url=http://127.0.0.1:18093/inbound/default/bench/bench-inbound-token-0123456789
        script=bench/serve/status.lua
    elif [ "$phase" = reports ]; then
        wrk -t1 -c32 -d"${SEND_SECS:-10}s" -s bench/serve/send.lua "$url" >/dev/null
        sleep 1
        local ids="SELECT provider_message_id FROM message WHERE direction = 'outbound' AND status = 'sent'"
        if [ "$backend" = postgres ]; then psql "$pg_url" -At -c "$ids"; else sqlite3 "$scratch/ab.sqlite" "$ids"; fi \
            >"$scratch/ids.txt"
        export IDS=$scratch/ids.txt
        url=http://127.0.0.1:18093/inbound/default/bench/bench-inbound-token-0123456789
        script=bench/serve/reports.lua
    elif [ "$phase" = inbound ]; then
        url=http://127.0.0.1:18093/inbound/default/bench/bench-inbound-token-0123456789
        script=bench/serve/inbound.lua
    fi
    if [ "${PREFILL:-0}" != 0 ]; then
        wrk -t1 -c256 -d"${PREFILL}s" -s bench/serve/inbound.lua \
            http://127.0.0.1:18093/inbound/default/bench/bench-inbound-token-0123456789 >/dev/null
    fi
    if [ "${WEBHOOK:-0}" = 1 ]; then   # after the sends that only prepare a phase: their events are not measured
        curl -sSf -H 'x-api-key: benchkey' -H 'content-type: application/json' http://127.0.0.1:18093/webhooks \
            -d '{"url":"http://127.0.0.1:18092/send","events":["message.status","message.received"]}' >/dev/null \
            || { echo "ab.sh: could not create the webhook endpoint" >&2; exit 1; }
    fi
    # Warm-up (the reports phase was warmed by its sends: its reports are counted).
    [ "$phase" = reports ] || wrk -t1 -c"$conns" -d2s -s "$script" "$url" >/dev/null
    [ "$phase" = outbox ] && sleep 2
    local c0 s0 p0 m0 t0 out n c1 s1 p1 t1 rate
    c0=$(ticks "$pid"); s0=$(switches "$pid"); p0=$(postgres_ticks); m0=$(mock_requests 18092); t0=$EPOCHREALTIME
    out=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$script" "$url")
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
    if [ "$phase" = outbox ]; then
        local deadline=$((EPOCHSECONDS + 60))
        while [ $(($(mock_requests 18092) - m0)) -lt "$n" ] && [ "$EPOCHSECONDS" -lt "$deadline" ]; do sleep 0.01; done
        n=$(($(mock_requests 18092) - m0))
    fi
    t1=$EPOCHREALTIME; c1=$(ticks "$pid"); s1=$(switches "$pid"); p1=$(postgres_ticks)
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    if [ -n "$pgdir" ]; then scripts/pg-throwaway.sh stop "$pgdir"; pgdir=""; fi
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v hz="$hz" \
        -v outbox="$([ "$phase" = outbox ] && echo 1 || echo 0)" -v rps="$(echo "$out" | awk '/Requests\/sec/ { print $2 }')" \
        'BEGIN { printf "%.0f %.1f %.0f %.1f\n", outbox ? n / (b - a) : rps, c * 1000 / hz / n * 1000, s / n * 1000,
                 p * 1000 / hz / n * 1000 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "phase=$phase backend=$backend connections=$conns secs=$secs pairs=$pairs prefill=${PREFILL:-0} webhook=${WEBHOOK:-0}"
: >"$scratch/A"; : >"$scratch/B"
for i in $(seq 1 "$pairs"); do
    order="A B"; [ $((i % 2)) = 0 ] && order="B A"   # A B, B A, A B, ...: neither side always runs first
    for side in $order; do
        bin=$old; [ "$side" = B ] && bin=$new
        result=$(run_once "$bin")
        echo "$result" >>"$scratch/$side"
        set -- $result
        echo "run=$i side=$side rate=$1 cpu_ms_per_1000=$2 context_switches_per_1000=$3 postgres_cpu_ms_per_1000=$4"
    done
done
for side in A B; do
    echo "median_$side rate=$(cut -d' ' -f1 "$scratch/$side" | median) cpu_ms_per_1000=$(cut -d' ' -f2 "$scratch/$side" | median)"
done
a=$(cut -d' ' -f1 "$scratch/A" | median); b=$(cut -d' ' -f1 "$scratch/B" | median)
echo "rate_B_over_A=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a }')"
