local t = require("temblor.test")

local URL = "http://127.0.0.1:8080/hooks/alerts"

---Records the requests (bodies decoded) and answers with `statuses` in turn (the last repeats).
local function hook(p, statuses)
  local requests, i = {}, 0
  p:mock_http(function(request)
    request.json = temblor.json.decode(request.body)
    requests[#requests + 1] = request
    i = i + 1
    local answer = (statuses or { 200 })[math.min(i, #(statuses or { 200 }))]
    if type(answer) == "string" then return nil, answer end
    return { status = answer, body = answer >= 400 and "no such hook" or "ok" }
  end)
  return requests
end

local function bodies(requests)
  local out = {}
  for i, r in ipairs(requests) do out[i] = r.json end
  return out
end

t.plugin("init.lua", { config = { url = URL, headers = { Authorization = "Bearer abc" } } })

t.case("an event is posted as JSON and acked once the webhook answered", function(p)
  local requests = hook(p)
  local event = { alert = "disk full", host = "db-1", value = 97.5 }
  t.same(p:feed(event), true)
  t.same(#requests, 1)
  t.same(requests[1].method, "POST")
  t.same(requests[1].url, URL)
  t.same(requests[1].headers["content-type"], "application/json")
  t.same(requests[1].headers["authorization"], "Bearer abc")
  t.same(requests[1].json, event)
  t.same(p:acked(), 1)
  t.same(p:state().posted, 1)
end)

t.case("a 503 is retried after retry_ms; a 404 fails the event at once with the answer", function(p)
  local requests = hook(p, { 503, 200, 404 })
  t.same(p:feed({ n = 1 }), true)
  t.same(#requests, 2)
  t.same(p:now(), 500)
  local ok, err = p:feed({ n = 2 })
  t.same(ok, false)
  t.same(err, "on_event: error: webhook: the webhook refused the alert: HTTP 404: no such hook")
  t.same(#requests, 3)
  t.same({ p:acked(), p:failed() }, { 1, 1 })
end)

t.case("a webhook that stays down fails the event after max_retries", function(p)
  local requests = hook(p, { "connection refused" })
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: webhook: gave up after 4 attempts: connection refused")
  t.same(#requests, 4)
  t.same(p:now(), 500 + 1000 + 2000)
end)

t.plugin("init.lua", { config = { url = URL, template = {
  text = "{{labels.severity}}: {{alert}} on {{host}} ({{missing}})",
  value = "{{value}}",
  none = "{{missing}}",
  attachments = { { title = "{{alert}}", fields = { "{{host}}", "fixed" } } },
} } })

t.case("the template: whole placeholders keep the field's value, others fill text", function(p)
  local requests = hook(p)
  p:feed({ alert = "disk full", host = "db-1", value = 97.5, labels = { severity = "critical" } })
  t.same(requests[1].json, {
    text = "critical: disk full on db-1 ()",
    value = 97.5,
    none = temblor.null,
    attachments = { { title = "disk full", fields = { "db-1", "fixed" } } },
  })
end)

t.plugin("init.lua", { config = { url = URL, rate_per_minute = 60, burst = 3, summary_template = { text = "{{message}}" } } })

t.case("the bucket: burst at once, then one token a second, exactly on the clock", function(p)
  local requests = hook(p)
  for i = 1, 4 do p:feed({ n = i }) end
  t.same(#requests, 3)                          -- the burst; the 4th is suppressed
  p:advance(500)
  p:feed({ n = 5 })
  p:advance(499)
  p:feed({ n = 6 })
  t.same(#requests, 3, "0.999 token is no token")
  t.same(p:state().suppressed, 3)
  p:advance(1)                                  -- t = 1000: a token, and the summary takes it
  t.same(#requests, 4)
  t.same(requests[4].json, { text = "3 alerts suppressed" })
  p:feed({ n = 7 })                             -- no token left
  t.same(#requests, 4)
  p:advance(1000)
  t.same(requests[5].json, { text = "1 alert suppressed" })
  t.same(p:state().suppressed, 0)
  t.same(p:state().suppressed_total, 4)
  t.same(p:acked(), 7)
  t.same(p:failed(), 0)
end)

t.case("the bucket refills up to burst only, and the summary goes before the next alert", function(p)
  local requests = hook(p)
  for i = 1, 3 do p:feed({ n = i }) end
  p:advance(60000)                               -- a minute: 60 tokens, but burst is 3
  for i = 4, 7 do p:feed({ n = i }) end
  t.same(#requests, 6)
  t.same(p:state().suppressed, 1)
  p:advance(1000)                                -- the timer: the summary
  t.same(#requests, 7)
  t.same(requests[7].json, { text = "1 alert suppressed" })
  p:advance(1000)
  p:feed({ n = 8 })
  t.same(bodies(requests)[8], { n = 8 })
end)

t.plugin("init.lua", { config = { url = URL, rate_per_minute = 60, burst = 2, overflow = "fail" } })

t.case("overflow = fail: an alert over the limit fails, and there is no summary", function(p)
  local requests = hook(p)
  p:feed({ n = 1 })
  p:feed({ n = 2 })
  local ok, err = p:feed({ n = 3 })
  t.same(ok, false)
  t.same(err, "on_event: error: webhook: rate limit: more than 60 alerts a minute (burst 2); this one fails (config.overflow = \"fail\")")
  p:advance(1000)
  t.same(#requests, 2)
  t.same(p:feed({ n = 4 }), true)
  t.same(bodies(requests), { { n = 1 }, { n = 2 }, { n = 4 } })
  t.same({ p:acked(), p:failed() }, { 3, 1 })
end)

t.plugin("init.lua", { config = { url = URL, dedup_window_ms = 5000, key_field = "alert.id" } })

t.case("dedup: the same alert within the window is posted once, again after it", function(p)
  local requests = hook(p)
  p:feed({ alert = { id = "disk-db-1" }, n = 1 })
  p:advance(4999)
  p:feed({ alert = { id = "disk-db-1" }, n = 2 })   -- within the window: acked, not posted
  p:feed({ alert = { id = "cpu-db-1" }, n = 3 })
  p:advance(1)
  p:feed({ alert = { id = "disk-db-1" }, n = 4 })   -- 5000 ms after the first: posted
  local ns = {}
  for i, b in ipairs(bodies(requests)) do ns[i] = b.n end
  t.same(ns, { 1, 3, 4 })
  t.same(p:acked(), 4)
  t.same(p:state().deduplicated, 1)
end)

t.case("dedup: events without the key field are all posted; a failed post is not remembered", function(p)
  local requests = hook(p, { 404, 200 })
  local ok = p:feed({ alert = { id = "x" } })
  t.same(ok, false)
  t.same(p:feed({ alert = { id = "x" } }), true)     -- the first was not posted: this one is
  p:feed({ n = 1 })
  p:feed({ n = 1 })
  t.same(#requests, 4)
end)

t.plugin("init.lua", { config = { dedup_window_ms = 1000 } })

t.case("config mistakes fail the events with what to fix", function(p)
  local requests = hook(p)
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: webhook: config.url must be the webhook's http:// or https:// URL, got nil")
  t.same(#requests, 0)
  t.same({ p:acked(), p:failed() }, { 0, 1 })
end)

t.plugin("init.lua", { config = { url = URL, dry_run = true, template = { text = "{{alert}}" } } })

t.case("dry_run emits the request instead of sending it", function(p)
  local requests = hook(p)
  t.same(p:feed({ alert = "disk full" }, { path = "in.jsonl" }), true)
  t.same(#requests, 0)
  t.same(p:emitted(), { { payload = { method = "POST", url = URL, headers = { ["content-type"] = "application/json" },
    body = { text = "disk full" } }, meta = {} } })
end)
