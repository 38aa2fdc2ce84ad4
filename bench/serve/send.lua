wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "benchkey"
-- CHANNEL picks the channel (bench.sh's "bench-slow" one sends to a carrier that takes its time).
local channel = os.getenv("CHANNEL") or "bench"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"channelId":"%s","to":"+1555%07d","body":"benchmark %d"}', channel, n % 100000, n)
  return wrk.format(nil, nil, nil, body)
end
