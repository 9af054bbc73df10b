local t = require("temblor.test")

---The `n` of each event that went on through out.
local function passed(p)
  local out = {}
  for _, e in ipairs(p:emitted()) do
    if e.port == nil then out[#out + 1] = e.payload.n end
  end
  return out
end

t.plugin("init.lua", { kind = "operator", config = { key = "id", ttl_ms = 1000 } })

t.case("the same key within ttl_ms is dropped; after it, the key passes again", function(p)
  p:feed({ id = "a", n = 1 }, { path = "in.jsonl" })
  p:advance(999)
  p:feed({ id = "a", n = 2 })               -- 999 ms after: dropped
  p:feed({ id = "b", n = 3 })
  p:advance(1)
  p:feed({ id = "a", n = 4 })               -- 1000 ms after the first: passes, a new window
  p:advance(500)
  p:feed({ id = "a", n = 5 })               -- 500 ms into the new window: dropped
  t.same(passed(p), { 1, 3, 4 })
  t.same(p:emitted()[1], { payload = { id = "a", n = 1 }, meta = { path = "in.jsonl" } })
  t.same(p:acked(), 5)                      -- a dropped event counts as delivered
  t.same(p:state().dropped, 2)
end)

t.case("duplicates do not extend the window", function(p)
  p:feed({ id = "a", n = 1 })
  for i = 2, 4 do
    p:advance(300)
    p:feed({ id = "a", n = i })             -- 300, 600, 900 ms: dropped
  end
  p:advance(100)
  p:feed({ id = "a", n = 5 })               -- 1000 ms after the first: passes
  t.same(passed(p), { 1, 5 })
end)

t.case("1 and \"1\" are different keys, 1 and 1.0 the same", function(p)
  p:feed({ id = 1, n = 1 })
  p:feed({ id = "1", n = 2 })
  p:feed({ id = 1.0, n = 3 })
  p:feed({ id = true, n = 4 })
  p:feed({ id = "true", n = 5 })
  t.same(passed(p), { 1, 2, 4, 5 })
end)

t.case("expired keys are forgotten, so the memory shrinks", function(p)
  for i = 1, 5 do p:feed({ id = "k" .. i, n = i }) end
  t.same(p:state().count, 5)
  p:advance(1000)
  p:feed({ id = "k6", n = 6 })
  t.same(p:state().count, 1)
  t.same(p:state().seen, { sk6 = 1000 })
end)

t.plugin("init.lua", { kind = "operator", config = { key = { "user.id", "action" }, ttl_ms = 60000, max_keys = 3 } })

t.case("a key from nested fields and a list of them", function(p)
  p:feed({ user = { id = 7 }, action = "login", n = 1 })
  p:feed({ user = { id = 7 }, action = "logout", n = 2 })
  p:feed({ user = { id = 7, name = "ada" }, action = "login", n = 3 })   -- same key: dropped
  p:feed({ user = { id = 8 }, action = "login", n = 4 })
  t.same(passed(p), { 1, 2, 4 })
end)

t.case("past max_keys the oldest key is evicted first, and counted", function(p)
  local function feed(id, n) p:feed({ user = { id = id }, action = "x", n = n }) end
  feed("a", 1); p:advance(1)
  feed("b", 2); p:advance(1)
  feed("c", 3); p:advance(1)
  feed("d", 4)                               -- evicts a
  t.same(p:state().evicted, 1)
  feed("b", 5)                               -- still remembered: dropped
  feed("a", 6)                               -- forgotten: passes, and evicts b
  feed("b", 7)                               -- forgotten: passes, and evicts c
  feed("d", 8)                               -- dropped
  t.same(passed(p), { 1, 2, 3, 4, 6, 7 })
  t.same(p:state().evicted, 3)
  t.same(p:state().count, 3)
end)

t.case("the keys are in ctx.state: a reload keeps them", function(p)
  p:feed({ user = { id = 1 }, action = "x", n = 1 })
  p:reload()
  p:feed({ user = { id = 1 }, action = "x", n = 2 })
  p:feed({ user = { id = 2 }, action = "x", n = 3 })
  t.same(passed(p), { 1, 3 })
end)

t.case("a missing key field: passed on, counted, logged at most once a minute", function(p)
  p:feed({ user = { id = 1 }, n = 1 })                   -- no action
  p:feed({ action = "x", n = 2 })                        -- no user.id
  p:feed({ user = { id = temblor.null }, action = "x", n = 3 })
  t.same(passed(p), { 1, 2, 3 })
  t.same(p:state().missing, 3)
  local warnings = {}
  for _, entry in ipairs(p:logs()) do
    if entry.message:find("^an event has no key field") then warnings[#warnings + 1] = entry.message end
  end
  t.same(warnings, { "an event has no key field 'action': passed on without deduplication (1 so far)" })
  p:advance(60000)
  p:feed({ n = 4 })
  t.same(#p:logs(), 2)
end)

t.plugin("init.lua", { kind = "operator", config = { key = "id", on_missing = "fail" } })

t.case("on_missing = fail: the event goes to err saying which field it lacks", function(p)
  local ok, err = p:feed({ n = 1 })
  t.same(ok, false)
  t.same(err, "on_event: error: dedup: the event has no key field 'id' (config.key)")
  t.same(p:emitted(), { { payload = { n = 1 }, meta = { error = err }, port = "err" } })
  t.same(p:feed({ id = "a", n = 2 }), true)
  t.same(passed(p), { 2 })
end)

t.plugin("init.lua", { kind = "operator", config = { key = {}, ttl_ms = 0 } })

t.case("a config mistake sends every event to err with what to fix", function(p)
  local ok, err = p:feed({ id = 1 })
  t.same(ok, false)
  t.matches(err, "dedup: config.key must be a field path or a list of them$")
  t.same(#p:emitted(), 1)
  t.same(p:emitted()[1].port, "err")
end)
