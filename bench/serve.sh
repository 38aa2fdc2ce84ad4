#!/usr/bin/env bash
# Benchmarks `carrier serve` (release build) with wrk: POST /inbound and POST /send (32 connections, then 256 and
# 128; CONNS changes the 32), the carrier being a local nginx mock that answers at once; then POST /send to a mock
# carrier that takes CARRIER_DELAY_MS (50) per request, over SLOW_CONNS (512) connections, where the carrier's
# latency should be the limit (at most SLOW_CONNS / CARRIER_DELAY_MS sends per second).
# Then the outbox end to end as Kannel is measured (sendWaitMs 0: /send answers 202 once stored, the dispatcher sends
# in the background): wrk injects /send for SECS, then the script waits until the mock carrier has received every
# accepted message; sends/s = delivered / (injection + drain). Then nginx relays /send to the same two mocks (two
# workers, kept-alive upstream connections, nothing stored): the rate any relay could reach here while sharing the
# cores with wrk and the mock, printed beside ours. Then a backlog: /send stores for SECS with no dispatcher running,
# and a restarted service drains it (the carrier back after an outage). With KANNEL=1 the same run measures Kannel
# 1.4.5 end to end and draining its queue (../shared/peers/kannel/run.sh, phases 1 and 2) and prints the ratios.
# BACKEND=postgres runs the service on PostgreSQL (a throwaway cluster from scripts/pg-throwaway.sh; fsync off, as
# the SQLite runs keep synchronous=FULL: compare with that in mind), and INSTANCES=2 (PostgreSQL only) starts two
# `carrier serve` processes on the one database and drives both with wrk at once (half the connections each).
# Prints requests/s and the service's CPU ms per 1,000 requests. Needs: apt-get install wrk nginx-light (kannel,
# postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product carrier --scratch-path .build-release >/dev/null
bin=.build-release/release/carrier
secs=${SECS:-10}
conns=${CONNS:-32}
scratch=$(mktemp -d)
. bench/lib.sh
backend=${BACKEND:-sqlite}
instances=${INSTANCES:-1}
[ "$backend" = postgres ] || instances=1
serve_pid=""
serve_pid2=""
pgdir=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    [ -n "$serve_pid2" ] && kill "$serve_pid2" 2>/dev/null
    [ -n "$pgdir" ] && scripts/pg-throwaway.sh stop "$pgdir"
    [ -n "${queue_pid:-}" ] && kill "$queue_pid" 2>/dev/null
    stop_mock_carrier "$scratch"
    stop_mock_carrier "$scratch/slow"
    stop_mock_carrier "$scratch/relay"
    rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/logs" "$scratch/carriers/bench"
cp bench/serve/carrier.yaml "$scratch/carriers/bench/"
echo "backend=$backend instances=$instances"
start_mock_carrier "$scratch" 18082
delay_ms=${CARRIER_DELAY_MS:-50}
slow_conns=${SLOW_CONNS:-512}
start_mock_carrier "$scratch/slow" 18084 "$delay_ms"
# The bench carrier signs nothing, so its webhooks carry the channel's token (docs/security.md).
inbound_token=bench-inbound-token-0123456789
if [ "$backend" = postgres ]; then
    pgdir=$(mktemp -d /tmp/carrier-bench-pg.XXXXXX)
    pg_url=$(scripts/pg-throwaway.sh "$pgdir" 2>/dev/null)
    psql "$pg_url" -qc "CREATE DATABASE bench" && psql "$pg_url" -qc "CREATE DATABASE queue"
    database="\"databaseURL\": \"${pg_url/\/carrier\?//bench?}\""
else
    database="\"databasePath\": \"$scratch/bench.sqlite\""
fi
# One query on the benchmark's database (bench or queue), whichever the backend.
dbq() {
    if [ "$backend" = postgres ]; then psql "${pg_url/\/carrier\?//$1?}" -At -c "$2"; else sqlite3 "$scratch/$1.sqlite" "$2"; fi
}
cat > "$scratch/config.json" <<CONF
{ "host": "127.0.0.1", "port": 18083, $database,
  "apiKeys": { "literal:benchkey": { "account": "default", "scopes": ["messaging", "admin"] } },
  "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true,
  "channels": [ { "id": "bench", "account": "default", "channel": "sms", "provider": "bench",
                  "address": "+15550000001", "settings": { "base_url": "http://127.0.0.1:18082" },
                  "inboundToken": "literal:$inbound_token" },
                { "id": "bench-slow", "account": "default", "channel": "sms", "provider": "bench",
                  "address": "+15550000002", "settings": { "base_url": "http://127.0.0.1:18084" } } ] }
CONF
"$bin" serve --config "$scratch/config.json" --carriers "$scratch/carriers" >"$scratch/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18083/health >/dev/null && break; sleep 0.2; done
if [ "$instances" = 2 ]; then
    "$bin" serve --config "$scratch/config.json" --carriers "$scratch/carriers" --port 18086 >"$scratch/serve2.log" 2>&1 &
    serve_pid2=$!
    for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18086/health >/dev/null && break; sleep 0.2; done
fi
# CPU ticks of every instance together.
ticks() {
    local t=0 pid
    for pid in $serve_pid $serve_pid2; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$t"
}
hz=$(getconf CLK_TCK)
run() {
    local name=$1 script=$2 path=$3 conns=${4:-$conns}
    local before after out reqs
    # Warm-up (connections, caches, the allocator's arenas, SQLite's page cache) is not measured.
    if [ "$instances" = 2 ]; then
        # Half the connections to each instance, at once; figures are the sums.
        local half=$(( (conns + 1) / 2 ))
        wrk -t1 -c"$half" -d"${WARMUP:-3}s" -s "$script" "http://127.0.0.1:18083$path" >/dev/null &
        local other=$!
        wrk -t1 -c"$half" -d"${WARMUP:-3}s" -s "$script" "http://127.0.0.1:18086$path" >/dev/null; wait "$other"
        before=$(ticks)
        wrk -t1 -c"$half" -d"${secs}s" -s "$script" "http://127.0.0.1:18083$path" >"$scratch/wrk1" &
        other=$!
        wrk -t1 -c"$half" -d"${secs}s" -s "$script" "http://127.0.0.1:18086$path" >"$scratch/wrk2"; wait "$other"
        after=$(ticks)
        out=$(cat "$scratch/wrk1" "$scratch/wrk2")
    else
        wrk -t1 -c"$conns" -d"${WARMUP:-3}s" -s "$script" "http://127.0.0.1:18083$path" >/dev/null
        before=$(ticks)
        out=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$script" "http://127.0.0.1:18083$path")
        after=$(ticks)
    fi
    reqs=$(echo "$out" | awk '/requests in/ {n += $1} END {print n}')
    echo "$out" | grep -E "Requests/sec|Latency|Non-2xx" | sed "s/^/$name: /"
    echo "${name}_requests=$reqs"
    echo "${name}_req_per_s=$(echo "$out" | awk '/Requests\/sec/ {n += $2} END {printf "%d", n}')"
    echo "${name}_cpu_ms_per_1000=$(awk -v t=$((after - before)) -v hz="$hz" -v r="$reqs" 'BEGIN { printf "%.1f", t * 1000 / hz / r * 1000 }')"
}
run inbound bench/serve/inbound.lua "/inbound/default/bench/$inbound_token"
# Carriers deliver webhooks over many connections at once; larger group commits follow.
run inbound_c256 bench/serve/inbound.lua "/inbound/default/bench/$inbound_token" 256
run send bench/serve/send.lua /send
run send_c128 bench/serve/send.lua /send 128
# Delivery reports for the messages just sent (the most frequent webhook in production).
run status bench/serve/status.lua "/inbound/default/bench/$inbound_token"
dbq bench "SELECT 'status_matched_messages=' || count(*) FROM message WHERE status = 'delivered'" 2>/dev/null || true
dbq bench "SELECT 'status_pending_reports=' || count(*) FROM pending_status" 2>/dev/null || true
# Last, so its carrier ids (same shape, other nginx) do not mix into the delivery reports above.
CHANNEL=bench-slow WARMUP=2 run send_slow_carrier bench/serve/send.lua /send "$slow_conns"
echo "send_slow_carrier_bound_per_s=$(awk -v c="$slow_conns" -v d="$delay_ms" 'BEGIN { printf "%d", c * 1000 / d }')"

kill "$serve_pid" $serve_pid2; wait "$serve_pid" $serve_pid2 2>/dev/null || true; serve_pid=""; serve_pid2=""

# The outbox end to end, Kannel's way: accepted (202, stored) while the dispatcher drains in the background.
sed -e 's/"port": 18083/"port": 18085/' -e "s#bench.sqlite#queue.sqlite#" -e "s#/bench?#/queue?#" \
    -e 's/"allowPrivateCarrierTargets": true,/"allowPrivateCarrierTargets": true, "sendWaitMs": 0,/' \
    "$scratch/config.json" > "$scratch/queue.json"
"$bin" serve --config "$scratch/queue.json" --carriers "$scratch/carriers" --log-level notice >"$scratch/queue.log" 2>&1 &
queue_pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18085/health >/dev/null && break; sleep 0.2; done
queue_conns=${QUEUE_CONNS:-64}
wrk -t1 -c"$queue_conns" -d2s -s bench/serve/send.lua http://127.0.0.1:18085/send >/dev/null   # warm-up
sleep 2
sent0=$(mock_requests 18082)
before=$(awk '{print $14 + $15}' "/proc/$queue_pid/stat")
t0=$EPOCHREALTIME
out=$(wrk -t1 -c"$queue_conns" -d"${secs}s" -s bench/serve/send.lua http://127.0.0.1:18085/send)
accepted=$(( $(echo "$out" | awk '/requests in/ {print $1}') - $(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0) ))
deadline=$(( ${EPOCHSECONDS} + 60 ))
while :; do
    delivered=$(( $(mock_requests 18082) - sent0 ))
    [ "$delivered" -ge "$accepted" ] && break
    [ "$EPOCHSECONDS" -ge "$deadline" ] && { echo "WARN: drain timeout ($delivered/$accepted)"; break; }
    sleep 0.01
done
t1=$EPOCHREALTIME
after=$(awk '{print $14 + $15}' "/proc/$queue_pid/stat")
echo "$out" | grep -E "Requests/sec|Latency" | sed "s/^/outbox_accept: /"
echo "outbox_accepted=$accepted outbox_delivered=$delivered"
outbox_rate=$(awk -v n="$delivered" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
echo "outbox_sends_per_s=$outbox_rate"
echo "outbox_cpu_ms_per_1000=$(awk -v t=$((after - before)) -v hz="$hz" -v r="$delivered" 'BEGIN { printf "%.1f", t * 1000 / hz / r * 1000 }')"
dbq queue "SELECT 'outbox_messages_' || status || '=' || count(*) FROM message GROUP BY status" 2>/dev/null || true
dbq queue "SELECT 'outbox_jobs_left=' || count(*) FROM outbox_job" 2>/dev/null || true
kill "$queue_pid"; wait "$queue_pid" 2>/dev/null || true; queue_pid=""

# The backlog after a carrier outage or on an API-only node: /send stores for SECS while no dispatcher runs, then
# `carrier serve` starts again with its dispatcher and drains the outbox (claims, sends, stores each result); timed
# from its start to the last delivery, CPU included. Kannel's drain (KANNEL=1, its phase 2) is the peer figure.
sed -e 's/"sendWaitMs": 0,/"sendWaitMs": 0, "dispatcher": false,/' "$scratch/queue.json" > "$scratch/backlog.json"
"$bin" serve --config "$scratch/backlog.json" --carriers "$scratch/carriers" --log-level notice \
    >"$scratch/backlog.log" 2>&1 &
queue_pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18085/health >/dev/null && break; sleep 0.2; done
wrk -t1 -c"$queue_conns" -d"${secs}s" -s bench/serve/send.lua http://127.0.0.1:18085/send >/dev/null
kill "$queue_pid"; wait "$queue_pid" 2>/dev/null || true
# Counted in the outbox itself: wrk leaves out the requests still in flight when it stops.
backlog=$(dbq queue "SELECT count(*) FROM outbox_job")
sent0=$(mock_requests 18082)
t0=$EPOCHREALTIME
"$bin" serve --config "$scratch/queue.json" --carriers "$scratch/carriers" --log-level notice >>"$scratch/queue.log" 2>&1 &
queue_pid=$!
deadline=$(( ${EPOCHSECONDS} + 120 ))
while :; do
    delivered=$(( $(mock_requests 18082) - sent0 ))
    [ "$delivered" -ge "$backlog" ] && break
    [ "$EPOCHSECONDS" -ge "$deadline" ] && { echo "WARN: backlog drain timeout ($delivered/$backlog)"; break; }
    sleep 0.01
done
t1=$EPOCHREALTIME
after=$(awk '{print $14 + $15}' "/proc/$queue_pid/stat")
echo "backlog_queued=$backlog backlog_delivered=$delivered"
backlog_rate=$(awk -v n="$delivered" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
echo "backlog_drain_sends_per_s=$backlog_rate"
echo "backlog_cpu_ms_per_1000=$(awk -v t="$after" -v hz="$hz" -v r="$delivered" 'BEGIN { printf "%.1f", t * 1000 / hz / r * 1000 }')"
kill "$queue_pid"; wait "$queue_pid" 2>/dev/null || true; queue_pid=""

# The ceiling beside them: nginx relaying /send to the same mock carriers (fast, then slow at SLOW_CONNS), storing
# nothing. Any relay on this machine, sharing its two cores with wrk and the mock, stays below these rates.
relay_phase() {
    local name=$1 upstream=$2 conns=$3
    start_relay "$scratch/relay" 18087 "$upstream"
    wrk -t1 -c"$conns" -d2s -s bench/serve/send.lua http://127.0.0.1:18087/send >/dev/null
    local out
    out=$(wrk -t1 -c"$conns" -d"${secs}s" -s bench/serve/send.lua http://127.0.0.1:18087/send)
    stop_mock_carrier "$scratch/relay"
    echo "$out" | grep -E "Requests/sec|Latency|Non-2xx" | sed "s/^/$name: /"
    echo "${name}_req_per_s=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')"
}
relay_phase relay 18082 "$queue_conns" | tee "$scratch/relay.out"
relay_rate=$(awk -F= '/^relay_req_per_s=/ {print $2}' "$scratch/relay.out")
relay_phase relay_slow_carrier 18084 "$slow_conns"
echo "outbox_vs_relay=$(awk -v a="$outbox_rate" -v b="$relay_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"

if [ "${KANNEL:-0}" = 1 ]; then
    stop_mock_carrier "$scratch"; stop_mock_carrier "$scratch/slow"
    [ -n "$pgdir" ] && { scripts/pg-throwaway.sh stop "$pgdir"; pgdir=""; }
    kannel_out=$(PHASES="1 2" SECS="$secs" CONC="$queue_conns" bash ../shared/peers/kannel/run.sh 2>&1)
    echo "$kannel_out" | grep -E "accepted_by_sendsms|cpu_ms_per_1k|kannel_sends_per_s|kannel_drain" \
        | sed "s/^/kannel: /"
    kannel_rate=$(echo "$kannel_out" | awk -F= '/^kannel_sends_per_s=/ {print $2}')
    kannel_drain=$(echo "$kannel_out" | awk -F= '/^kannel_drain_sends_per_s=/ {print $2}')
    echo "kannel_sends_per_s=$kannel_rate"
    echo "kannel_drain_sends_per_s=$kannel_drain"
    echo "backlog_vs_kannel_drain=$(awk -v a="$backlog_rate" -v b="$kannel_drain" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
    echo "outbox_vs_kannel=$(awk -v a="$outbox_rate" -v b="$kannel_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
    echo "relay_vs_kannel=$(awk -v a="$relay_rate" -v b="$kannel_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
fi
