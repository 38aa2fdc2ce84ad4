-- POST /inbound: one delivery report (DELIVRD) for each carrier id in the file $IDS, in order, so that every report
-- changes its message's status (sent -> delivered); the thread stops once the last one is answered.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local sent, answered = 0, 0
request = function()
  sent = sent + 1
  local id = ids[((sent - 1) % #ids) + 1]
  return wrk.format(nil, nil, nil, string.format('{"type":"status","id":"%s","status":"DELIVRD"}', id))
end
response = function()
  answered = answered + 1
  if answered >= #ids then wrk.thread:stop() end
end
