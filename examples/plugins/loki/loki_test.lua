local t = require("temblor.test")

---Whether the plugin logged a message at `level` matching `pattern`.
local function logged(p, level, pattern)
  for _, entry in ipairs(p:logs()) do
    if entry.level == level and entry.message:find(pattern) then return true end
  end
  return false
end

local URL = "http://127.0.0.1:3100/loki/api/v1/push"

---Records every request and answers with `statuses` in turn (the last one repeats).
local function loki(p, statuses, headers)
  local requests, i = {}, 0
  p:mock_http(function(request)
    requests[#requests + 1] = request
    i = i + 1
    local answer = statuses[math.min(i, #statuses)]
    if type(answer) == "string" then return nil, answer end
    return { status = answer[1], body = answer[2] or "", headers = headers or {} }
  end)
  return requests
end

local function body(request) return temblor.json.decode(request.body) end

t.plugin("init.lua", { config = { labels = { app = "service.name", level = "level" } } })

t.case("an event is pushed at once and acked once Loki accepted it", function(p)
  local requests = loki(p, { { 204 } })
  local event = { timestamp = "2024-05-01T12:00:00Z", level = "info", msg = "started", service = { name = "api" } }
  t.same(p:feed(event), true)
  t.same(#requests, 1)
  t.same(requests[1].method, "POST")
  t.same(requests[1].url, URL)
  t.same(requests[1].headers["content-type"], "application/json")
  local pushed = body(requests[1])
  t.same(pushed.streams[1].stream, { app = "api", job = "temblor", level = "info" })
  t.same(#pushed.streams, 1)
  local value = pushed.streams[1].values[1]
  t.same(value[1], "1714564800000000000")
  t.same(temblor.json.decode(value[2]), event)
  t.same(p:acked(), 1)
  t.same(p:failed(), 0)
end)

t.case("times: RFC 3339 with fraction and offset, Unix seconds and milliseconds, and now", function(p)
  local requests = loki(p, { { 204 } })
  p:feed({ timestamp = "2024-05-01T14:00:02.25+02:00", level = "info" })
  p:feed({ timestamp = 1714564800, level = "info" })
  p:feed({ timestamp = 1714564800123, level = "info" })
  p:feed({ timestamp = 1714564800.5, level = "info" })
  p:feed({ level = "info" })
  local ts = {}
  for i, request in ipairs(requests) do ts[i] = body(request).streams[1].values[1][1] end
  t.same({ ts[1], ts[2], ts[3], ts[4] }, { "1714564802250000000", "1714564800000000000", "1714564800123000000", "1714564800500000000" })
  -- Without a time, the time of day: within a second of os.time().
  local now = math.tointeger(tonumber(ts[5]))
  t.ok(math.abs(now // 1000000000 - os.time()) <= 1, "now: " .. ts[5])
  t.same(p:acked(), 5)
end)

t.case("a time that does not parse fails the event and nothing is sent", function(p)
  local requests = loki(p, { { 204 } })
  local ok, err = p:feed({ timestamp = "yesterday", level = "info" })
  t.same(ok, false)
  t.matches(err, "loki: field 'timestamp' %(yesterday%): not an RFC 3339 time", "the error")
  p:feed({ timestamp = "2024-02-30T00:00:00Z" })
  t.matches(p:errors()[2], "no such date")
  t.same(#requests, 0)
  t.same(p:failed(), 2)
  t.same(p:acked(), 0)
end)

t.plugin("init.lua", { config = { line_field = "msg", tenant = "team-a", username = "ada", password = "s3cret",
  headers = { ["X-Source"] = "temblor" }, static_labels = { env = "prod" } } })

t.case("line_field, tenant, basic auth, extra headers and static labels", function(p)
  local requests = loki(p, { { 204 } })
  t.same(p:feed({ msg = "disk full", timestamp = 1714564800 }), true)
  local request = requests[1]
  t.same(request.headers["x-scope-orgid"], "team-a")
  t.same(request.headers["authorization"], "Basic YWRhOnMzY3JldA==")
  t.same(request.headers["x-source"], "temblor")
  t.same(body(request), { streams = { { stream = { env = "prod", job = "temblor" },
    values = { { "1714564800000000000", "disk full" } } } } })
end)

t.case("an event without its line field fails with a message and is not sent", function(p)
  local requests = loki(p, { { 204 } })
  local ok, err = p:feed({ text = "no msg here" })
  t.same(ok, false)
  t.matches(err, "the event has no field 'msg' for its line", "the error")
  t.same(#requests, 0)
  t.same(p:failed(), 1)
end)

t.plugin("init.lua", { config = { max_retries = 2 } })

t.case("a 500 is retried after retry_ms, and the event is acked once Loki accepts it", function(p)
  local requests = loki(p, { { 500, "internal error" }, { 204 } })
  t.same(p:feed({ timestamp = 1714564800, msg = "x" }), true)
  t.same(#requests, 2)
  t.same(requests[2].body, requests[1].body)
  t.same(p:now(), 200)
  t.same(p:acked(), 1)
  t.same(p:failed(), 0)
  t.ok(logged(p, "warn", "^push failed %(HTTP 500: internal error%), retrying in 200 ms$"), "the retry is logged")
end)

t.case("429 with Retry-After waits as long as Loki asks", function(p)
  local requests = loki(p, { { 429, "slow down" }, { 204 } }, { ["retry-after"] = "2" })
  t.same(p:feed({ msg = "x" }), true)
  t.same(#requests, 2)
  t.same(p:now(), 2000)
end)

t.case("a server that keeps failing fails the event after max_retries, with a doubling delay", function(p)
  local requests = loki(p, { "connection refused", { 503, "overloaded" } })
  local ok, err = p:feed({ msg = "x" })
  t.same(ok, false)
  t.same(err, "on_event: error: loki: gave up after 3 attempts: HTTP 503: overloaded")
  t.same(#requests, 3)
  t.same(p:now(), 200 + 400)
  t.same(p:failed(), 1)
  t.same(p:acked(), 0)
end)

t.case("another 4xx fails at once with Loki's message", function(p)
  local requests = loki(p, { { 400, "entry for stream '{job=\"temblor\"}' has timestamp too old\n" } })
  local ok, err = p:feed({ timestamp = 1, msg = "x" })
  t.same(ok, false)
  t.same(err, "on_event: error: loki: Loki refused the push: HTTP 400: entry for stream '{job=\"temblor\"}' has timestamp too old")
  t.same(#requests, 1)
  t.same(p:now(), 0)
  t.same(p:failed(), 1)
end)

t.plugin("init.lua", { config = { batch_size = 3, batch_ms = 1000, labels = { level = "level" } } })

t.case("batches: a full batch is one push, grouped into streams in the order first seen", function(p)
  local requests = loki(p, { { 204 } })
  p:feed({ timestamp = 1, level = "info", n = 1 })
  p:feed({ timestamp = 2, level = "error", n = 2 })
  t.same(#requests, 0)
  p:feed({ timestamp = 3, level = "info", n = 3 })
  t.same(#requests, 1)
  local pushed = body(requests[1])
  t.same(#pushed.streams, 2)
  t.same(pushed.streams[1].stream, { job = "temblor", level = "info" })
  t.same(pushed.streams[2].stream, { job = "temblor", level = "error" })
  local lines = {}
  for _, v in ipairs(pushed.streams[1].values) do lines[#lines + 1] = v[1] .. " " .. temblor.json.decode(v[2]).n end
  t.same(lines, { "1000000000 1", "3000000000 3" })
  t.same(pushed.streams[2].values[1][1], "2000000000")
  t.same(p:acked(), 3)
  t.same(p:state().pending, {})
end)

t.case("batches: the timer pushes a batch after batch_ms, and on_drain the rest", function(p)
  local requests = loki(p, { { 204 } })
  p:feed({ timestamp = 1, level = "info" })
  p:feed({ timestamp = 2, level = "info" })
  p:advance(999)
  t.same(#requests, 0)
  p:advance(1)
  t.same(#requests, 1)
  t.same(#body(requests[1]).streams[1].values, 2)
  p:feed({ timestamp = 3, level = "info" })
  p:call("on_drain")
  t.same(#requests, 2)
  local values = body(requests[2]).streams[1].values
  t.same(#values, 1)
  t.same(values[1][1], "3000000000")
  t.same(temblor.json.decode(values[1][2]), { timestamp = 3, level = "info" })
  t.same(p:state().sent, 3)
end)

t.case("batches: a batch Loki refuses is logged and counted as lost, and fails the event in hand", function(p)
  local requests = loki(p, { { 400, "bad labels" } })
  p:feed({ level = "a" })
  p:feed({ level = "b" })
  local ok, err = p:feed({ level = "c" })
  t.same(ok, false)
  t.same(err, "on_event: error: loki: batch of 3 events lost: Loki refused the push: HTTP 400: bad labels")
  t.same(#requests, 1)
  t.same(p:state().lost, 3)
  t.same(p:acked(), 2)
  t.same(p:failed(), 1)
  t.ok(logged(p, "error", "^batch of 3 events lost: Loki refused the push"), "the lost batch is logged")
end)

t.plugin("init.lua", { config = { labels = { ["bad-name"] = "x" } } })

t.case("a label name Loki would refuse fails every event with the config mistake", function(p)
  local requests = loki(p, { { 204 } })
  local ok, err = p:feed({ x = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: loki: label name 'bad-name' is not valid in Loki ([a-zA-Z_][a-zA-Z0-9_]*)")
  t.same(#requests, 0)
  t.same({ p:acked(), p:failed() }, { 0, 1 })
end)

t.plugin("init.lua", { config = { labels = { host = "host" }, line_field = "msg", dry_run = true } })

t.case("a label from an object field fails the event; dry_run emits the request instead of sending", function(p)
  local ok, err = p:feed({ host = { name = "web-1" } })
  t.same(ok, false)
  t.same(err, "on_event: error: loki: label 'host': the field holds a list or an object, a label needs a string, number or boolean")
  t.same(p:emitted(), {})
  t.same(p:failed(), 1)
  t.same(p:feed({ host = "web-1", timestamp = 5, msg = "m" }), true)
  t.same(p:emitted(), { { payload = { method = "POST", url = URL, headers = { ["content-type"] = "application/json" },
    body = { streams = { { stream = { host = "web-1", job = "temblor" },
      values = { { "5000000000", "m" } } } } } }, meta = {} } })
end)
