-- POST /inbound: delivery reports for the messages the /send run stored. nginx's mock ids are
-- "<connection>-<request on it>"; the service's few keep-alive connections to it make most of these ids real
-- (the rest are kept as pending reports, the path of a report that beats its send response); the script prints
-- how many of each.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
request = function()
  local body = string.format('{"type":"status","id":"%d-%d","status":"DELIVRD"}', math.random(1, 32), math.random(1, 1000))
  return wrk.format(nil, nil, nil, body)
end
