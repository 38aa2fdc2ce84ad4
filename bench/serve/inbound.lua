-- POST /inbound: Twilio-style MO webhooks in the bench carrier's JSON shape, 1,000 distinct senders.
-- Every run gets its own id prefix: the service drops a webhook whose id it already stored (carriers retry),
-- so ids repeated from the warm-up run would measure that cheaper path instead.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
local run = string.format("%d%06d", os.time(), math.random(0, 999999))
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"type":"mo","id":"mo-%s-%d","from":"+1555%07d","to":"+15550000001","text":"hello %d"}', run, n, n % 1000, n)
  return wrk.format(nil, nil, nil, body)
end
