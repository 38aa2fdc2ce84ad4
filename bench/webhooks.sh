#!/usr/bin/env bash
# Benchmarks customer webhooks in `carrier serve`: wrk posts MO webhooks to /inbound (CONNS, 32) for SECS (10) while
# an endpoint subscribed to message.received gets each one (a local nginx answering 200 at once). Run twice: first
# with the endpoint disabled (the cost of /inbound alone), then enabled. Prints the webhook deliveries per second
# while /inbound takes traffic, how long the backlog took to drain after wrk stopped, and the service's extra CPU
# per 1,000 deliveries (CPU of the second run minus the first run's CPU per MO). Bounded: at most SECS + 60 s per run.
# BIN=path uses a built binary instead of building the release one. BACKEND=postgres runs the service on PostgreSQL
# (a throwaway cluster from scripts/pg-throwaway.sh, fsync off). Needs: apt-get install wrk nginx-light (postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    swift build -c release --product carrier --scratch-path .build-release >/dev/null
    BIN=.build-release/release/carrier
fi
secs=${SECS:-10}
conns=${CONNS:-32}
scratch=$(mktemp -d)
. bench/lib.sh
serve_pid=""
pgdir=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    [ -n "$pgdir" ] && scripts/pg-throwaway.sh stop "$pgdir"
    stop_mock_carrier "$scratch"
    rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/carriers/bench"
cp bench/serve/carrier.yaml "$scratch/carriers/bench/"
start_mock_carrier "$scratch" 18092
token=bench-inbound-token-0123456789
backend=${BACKEND:-sqlite}
if [ "$backend" = postgres ]; then
    pgdir=$(mktemp -d /tmp/carrier-bench-pg.XXXXXX)
    pg_url=$(scripts/pg-throwaway.sh "$pgdir" 2>/dev/null)
    database="\"databaseURL\": \"$pg_url\""
else
    database="\"databasePath\": \"$scratch/bench.sqlite\""
fi
echo "backend=$backend"
cat > "$scratch/config.json" <<CONF
{ "host": "127.0.0.1", "port": 18093, $database,
  "secretsKey": "literal:$(printf 'ab%.0s' $(seq 1 32))",
  "apiKeys": { "literal:benchkey": { "account": "default", "scopes": ["messaging", "admin"] } },
  "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true, "allowPrivateWebhookTargets": true,
  "channels": [ { "id": "bench", "account": "default", "channel": "sms", "provider": "bench",
                  "address": "+15550000001", "settings": { "base_url": "http://127.0.0.1:18092" },
                  "inboundToken": "literal:$token" } ] }
CONF
"$BIN" serve --config "$scratch/config.json" --carriers "$scratch/carriers" --log-level notice >"$scratch/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18093/health >/dev/null && break; sleep 0.2; done
api() { curl -sf -H 'x-api-key: benchkey' -H 'content-type: application/json' "$@"; }
# nginx answers POST /send with 200: that is the receiver.
hook=$(api -X POST http://127.0.0.1:18093/webhooks \
    -d '{"url":"http://127.0.0.1:18092/send","events":["message.received"],"enabled":false}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
ticks() { awk '{print $14 + $15}' "/proc/$serve_pid/stat"; }
hz=$(getconf CLK_TCK)
count() {
    if [ "$backend" = postgres ]; then psql "$pg_url" -At -c "$1"; return; fi
    python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$scratch/bench.sqlite?mode=ro', uri=True); print(c.execute(sys.argv[1]).fetchone()[0])" "$1"
}
now() { date +%s.%N; }
wrk -t1 -c"$conns" -d3s -s bench/serve/inbound.lua "http://127.0.0.1:18093/inbound/default/bench/$token" >/dev/null
measure() {
    local name=$1 before after out reqs start end d0 d1
    d0=$(count "SELECT count(*) FROM webhook_delivery WHERE status = 'delivered'")
    before=$(ticks); start=$(now)
    out=$(wrk -t1 -c"$conns" -d"${secs}s" -s bench/serve/inbound.lua "http://127.0.0.1:18093/inbound/default/bench/$token")
    local mid=$(now)
    d1=$(count "SELECT count(*) FROM webhook_delivery WHERE status = 'delivered'")
    for _ in $(seq 1 600); do
        [ "$(count "SELECT count(*) FROM webhook_delivery WHERE status = 'pending'")" = 0 ] && break
        sleep 0.1
    done
    end=$(now); after=$(ticks)
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    local delivered=$(( $(count "SELECT count(*) FROM webhook_delivery WHERE status = 'delivered'") - d0 ))
    echo "${name}_inbound_req_per_s=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')"
    echo "${name}_inbound_requests=$reqs"
    echo "${name}_webhooks_delivered=$delivered"
    echo "${name}_webhooks_per_s_during_load=$(awk -v d=$((d1 - d0)) -v s="$(awk -v a="$start" -v b="$mid" 'BEGIN{print b-a}')" 'BEGIN { printf "%d", d / s }')"
    echo "${name}_webhooks_per_s_until_drained=$(awk -v d="$delivered" -v a="$start" -v b="$end" 'BEGIN { printf "%d", d / (b - a) }')"
    echo "${name}_drain_after_load_s=$(awk -v a="$mid" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
    echo "${name}_cpu_ticks=$((after - before))"
    eval "${name}_ticks=$((after - before)); ${name}_reqs=$reqs; ${name}_delivered=$delivered"
}
measure baseline
api -X PATCH "http://127.0.0.1:18093/webhooks/$hook" -d '{"enabled":true}' >/dev/null
measure webhooks
echo "webhook_failed_or_pending=$(count "SELECT count(*) FROM webhook_delivery WHERE status != 'delivered'")"
awk -v bt="$baseline_ticks" -v br="$baseline_reqs" -v wt="$webhooks_ticks" -v wr="$webhooks_reqs" \
    -v wd="$webhooks_delivered" -v hz="$hz" 'BEGIN {
        inbound = bt / br; extra = wt - inbound * wr
        printf "inbound_cpu_ms_per_1000=%.1f\n", inbound * 1000 / hz * 1000
        printf "webhook_cpu_ms_per_1000_deliveries=%.1f\n", extra * 1000 / hz / wd * 1000 }'
