local t = require("temblor.test")

---Whether the plugin logged a message at `level` matching `pattern`.
local function logged(p, level, pattern)
  for _, entry in ipairs(p:logs()) do
    if entry.level == level and entry.message:find(pattern) then return true end
  end
  return false
end

---A _bulk answer: one item per status given ({ status, error type, reason }).
local function bulk(...)
  local items, errors = {}, false
  for _, s in ipairs({ ... }) do
    local outcome = { _index = "x", status = s[1] }
    if s[2] then
      outcome.error = { type = s[2], reason = s[3] }
      errors = true
    end
    items[#items + 1] = { index = outcome }
  end
  return { status = 200, body = temblor.json.encode({ took = 3, errors = errors, items = items }) }
end

---Records the requests and gives `answers` in turn (the last repeats); a string is a failure.
local function es(p, answers)
  local requests, i = {}, 0
  p:mock_http(function(request)
    requests[#requests + 1] = request
    i = i + 1
    local answer = answers[math.min(i, #answers)]
    if type(answer) == "string" then return nil, answer end
    return answer
  end)
  return requests
end

---The NDJSON lines of a request body, decoded.
local function lines(request)
  t.same(request.body:sub(-1), "\n", "the body ends with a newline")
  local out = {}
  for line in request.body:gmatch("[^\n]+") do out[#out + 1] = temblor.json.decode(line) end
  return out
end

t.plugin("init.lua", { config = { index = "logs-%Y.%m.%d", id_field = "id" } })

t.case("one event: an index action named after its @timestamp, then the document", function(p)
  local requests = es(p, { bulk({ 201 }) })
  local event = { id = "a1", ["@timestamp"] = "2024-05-01T23:30:00-02:00", msg = "hello", n = 1 }
  t.same(p:feed(event), true)
  t.same(#requests, 1)
  t.same(requests[1].method, "POST")
  t.same(requests[1].url, "http://127.0.0.1:9200/_bulk")
  t.same(requests[1].headers["content-type"], "application/x-ndjson")
  t.same(lines(requests[1]), { { index = { _index = "logs-2024.05.02", _id = "a1" } }, event })
  t.same(p:acked(), 1)
  t.same(p:state().indexed, 1)
end)

t.case("epoch milliseconds and now name the index too; an integer id becomes text", function(p)
  local requests = es(p, { bulk({ 201 }) })
  p:feed({ id = 7, ["@timestamp"] = 1735689599000 })
  local before = os.date("!logs-%Y.%m.%d")
  p:feed({ id = 8 })
  local after = os.date("!logs-%Y.%m.%d")
  t.same(lines(requests[1])[1], { index = { _index = "logs-2024.12.31", _id = "7" } })
  local index = lines(requests[2])[1].index._index
  t.ok(index == before or index == after, index)
  t.same(p:acked(), 2)
end)

t.case("an event without its id field, or with a bad @timestamp, fails and nothing is sent", function(p)
  local requests = es(p, { bulk({ 201 }) })
  local ok, err = p:feed({ msg = "no id" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: the event has no field 'id' for its _id (config.id_field)")
  ok, err = p:feed({ id = "x", ["@timestamp"] = "2024-13-01" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: field '@timestamp' (2024-13-01): no such date; expected an RFC 3339 time or epoch milliseconds")
  ok, err = p:feed({ id = { 1 } })
  t.same(ok, false)
  t.matches(err, "an _id must be a string or an integer")
  t.same(#requests, 0)
  t.same(p:failed(), 3)
end)

t.case("a document Elasticsearch rejects fails its event with the reason", function(p)
  local requests = es(p, { bulk({ 400, "mapper_parsing_exception", "failed to parse field [n] of type [long]" }) })
  local ok, err = p:feed({ id = "a", n = "many" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: mapper_parsing_exception: failed to parse field [n] of type [long] (status 400)")
  t.same(#requests, 1)
  t.same(p:now(), 0)
  t.same(p:state().rejected, 1)
end)

t.case("an item answered 429 is sent again after retry_ms, and acked once indexed", function(p)
  local requests = es(p, { bulk({ 429, "es_rejected_execution_exception", "rejected execution" }), bulk({ 201 }) })
  t.same(p:feed({ id = "a" }), true)
  t.same(#requests, 2)
  t.same(requests[2].body, requests[1].body)
  t.same(p:now(), 200)
  t.same(p:acked(), 1)
end)

t.case("503 and a refused connection are retried with a doubling delay, then the event fails", function(p)
  local requests = es(p, { { status = 503, body = "unavailable" }, "connection refused" })
  local ok, err = p:feed({ id = "a" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: gave up after 6 attempts: connection refused")
  t.same(#requests, 6)
  t.same(p:now(), 200 + 400 + 800 + 1600 + 3200)
end)

t.case("a 400 for the whole request fails at once with Elasticsearch's error", function(p)
  local requests = es(p, { { status = 400, body = temblor.json.encode({ error = { type = "illegal_argument_exception",
    reason = "pipeline with id [x] does not exist" }, status = 400 }) } })
  local ok, err = p:feed({ id = "a" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: HTTP 400: illegal_argument_exception: pipeline with id [x] does not exist")
  t.same(#requests, 1)
end)

t.plugin("init.lua", { config = { index = "audit", action = "create", pipeline = "geo ip", api_key = "a2V5OnNlY3JldA==",
  url = "https://es.internal:9243/" } })

t.case("create actions, an ingest pipeline and an API key", function(p)
  local requests = es(p, { { status = 200, body = temblor.json.encode({ errors = false, items = { { create = { status = 201 } } } }) } })
  t.same(p:feed({ msg = "x" }), true)
  t.same(requests[1].url, "https://es.internal:9243/_bulk?pipeline=geo%20ip")
  t.same(requests[1].headers["authorization"], "ApiKey a2V5OnNlY3JldA==")
  t.same(lines(requests[1]), { { create = { _index = "audit" } }, { msg = "x" } })
end)

t.plugin("init.lua", { config = { index = "logs", batch_size = 3, username = "elastic", password = "changeme" } })

t.case("a batch: one _bulk, the 429 item alone retried, the rejected one failing the event in hand", function(p)
  local requests = es(p, {
    bulk({ 201 }, { 429, "es_rejected_execution_exception", "queue full" }, { 400, "mapper_parsing_exception", "bad n" }),
    bulk({ 201 }),
  })
  p:feed({ n = 1 })
  p:feed({ n = 2 })
  t.same(#requests, 0)
  local ok, err = p:feed({ n = "three" })
  t.same(ok, false)
  t.same(err, "on_event: error: elasticsearch: 1 of 3 documents were not indexed; the first: mapper_parsing_exception: bad n (status 400)")
  t.same(#requests, 2)
  t.same(requests[1].headers["authorization"], "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")
  t.same(#lines(requests[1]), 6)
  t.same(lines(requests[2]), { { index = { _index = "logs" } }, { n = 2 } })
  t.same(p:state().indexed, 2)
  t.same(p:state().rejected, 1)
  t.same(p:acked(), 2)
  t.same(p:failed(), 1)
  t.ok(logged(p, "error", "^document rejected, lost: mapper_parsing_exception: bad n %(status 400%)"), "the lost document is logged")
end)

t.case("a batch: the timer sends it after batch_ms, on_drain the rest", function(p)
  local requests = es(p, { bulk({ 201 }, { 201 }), bulk({ 201 }) })
  p:feed({ n = 1 })
  p:feed({ n = 2 })
  p:advance(1000)
  t.same(#requests, 1)
  t.same(#lines(requests[1]), 4)
  p:feed({ n = 3 })
  p:call("on_drain")
  t.same(#requests, 2)
  t.same(lines(requests[2]), { { index = { _index = "logs" } }, { n = 3 } })
  t.same(p:state().pending, {})
end)

t.plugin("init.lua", { config = { index = "Logs-%Y" } })

t.case("an index name Elasticsearch would refuse fails the events with the config mistake", function(p)
  local requests = es(p, { bulk({ 201 }) })
  local ok, err = p:feed({ msg = "x" })
  t.same(ok, false)
  t.matches(err, "^on_event: error: elasticsearch: config.index 'Logs%-%%Y' is not a valid index name")
  t.same(#requests, 0)
  t.same({ p:acked(), p:failed() }, { 0, 1 })
end)
