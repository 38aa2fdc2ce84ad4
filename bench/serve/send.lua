wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "benchkey"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"channelId":"bench","to":"+1555%07d","body":"benchmark %d"}', n % 100000, n)
  return wrk.format(nil, nil, nil, body)
end
