#!/usr/bin/env bash
# The API contract against a live `carrier serve` on 127.0.0.1: schemathesis (PyPI) generates requests from
# openapi/carrier.yaml and checks that no answer is a 5xx it does not document and that every answer matches its
# schema. Bounded: a few examples per operation and a hard time limit.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${CARRIER_BINARY:-.build/debug/carrier}
work=$(mktemp -d)
cleanup() {
    if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

key=schemathesis-key
cat >"$work/config.json" <<JSON
{ "host": "127.0.0.1", "port": 0, "databasePath": "$work/carrier.sqlite",
  "apiKeys": { "literal:$key": { "account": "ci", "scopes": ["messaging", "admin", "operator"] } },
  "secretsKey": "literal:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "channels": [ { "id": "tw1", "account": "ci", "channel": "sms", "provider": "twilio", "address": "+15550001111",
                  "settings": { "account_sid": "AC123", "auth_token": "literal:token",
                                "base_url": "http://127.0.0.1:9" } } ],
  "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true, "allowPrivateWebhookTargets": true,
  "sendWaitMs": 0, "maxSendAttempts": 1, "maxAuthFailuresPerMinute": 1000000 }
JSON

"$binary" serve --config "$work/config.json" --carriers carriers --log-level warning >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/out" 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out" | head -1)
if [ -z "$port" ]; then
    echo "carrier serve did not start:" >&2
    cat "$work/err" >&2
    exit 1
fi

timeout 240 schemathesis --config-file .ci/schemathesis.toml run openapi/carrier.yaml \
    --url "http://127.0.0.1:$port" \
    --header "x-api-key: $key" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-50}" \
    --phases examples,coverage,fuzzing,stateful \
    --request-timeout 10 \
    --max-failures 20 \
    --no-color \
    --seed 20

# The service must still be alive after the run (no crash on any input).
kill -0 "$pid"
echo "schemathesis: 1 passed, 0 failed"
