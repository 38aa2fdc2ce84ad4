wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"type":"mo","id":"mo-%d-%d","from":"+1555%07d","to":"+15550000001","text":"hello %d"}', math.random(1, 1000000000), n, n % 1000, n)
  return wrk.format(nil, nil, nil, body)
end
