local t = require("temblor.test")

local PEER = { peer = "127.0.0.1:40000" }   -- where p:datagram sends from by default

local function payloads(p)
  local out = {}
  for i, e in ipairs(p:emitted()) do out[i] = e.payload end
  return out
end

t.plugin(".", { allow = { net = { "127.0.0.1:8125" } } })

t.case("flush_ms = 0: every metric is an event as it arrives, of every type", function(p)
  p:datagram(table.concat({
    "hits:1|c",
    "hits:1|c|@0.1",
    "temp:21.5|g",
    "temp:+1.5|g",
    "temp:-3|g",
    "lat:12.5|ms|@0.5",
    "size:512|h",
    "dist:3|d",
    "users:alice|s",
    "req:1|c|#env:prod,canary",
  }, "\n"))
  t.same(p:run_source({ events = 10 }), 10)
  local e = p:emitted()
  t.same(e[1], { payload = { name = "hits", type = "counter", value = 1 }, meta = PEER })
  t.same(payloads(p), {
    { name = "hits", type = "counter", value = 1 },
    { name = "hits", type = "counter", value = 10.0, sample_rate = 0.1 },   -- scaled by 1/rate
    { name = "temp", type = "gauge", value = 21.5 },
    { name = "temp", type = "gauge", value = 23.0 },                        -- +1.5: a change
    { name = "temp", type = "gauge", value = 20.0 },                        -- -3: a change
    { name = "lat", type = "timer", value = 12.5, sample_rate = 0.5 },
    { name = "size", type = "histogram", value = 512 },
    { name = "dist", type = "distribution", value = 3 },
    { name = "users", type = "set", value = "alice" },
    { name = "req", type = "counter", value = 1, tags = { env = "prod", canary = "" } },
  })
  t.same(p:logs(), {})
end)

t.case("several values in a line, several lines and datagrams, CRLF, the sender in meta", function(p)
  p:datagram("lat:1:2.5:3|ms\r\n\r\nq:7|g\n")
  p:datagram("hits:2|c", "10.0.0.5", 5000)
  t.same(p:run_source({ events = 5 }), 5)
  t.same(payloads(p), {
    { name = "lat", type = "timer", value = 1 },
    { name = "lat", type = "timer", value = 2.5 },
    { name = "lat", type = "timer", value = 3 },
    { name = "q", type = "gauge", value = 7 },
    { name = "hits", type = "counter", value = 2 },
  })
  t.same(p:emitted()[4].meta, PEER)
  t.same(p:emitted()[5].meta, { peer = "10.0.0.5:5000" })
end)

t.case("bad lines are logged with the reason and counted; the good ones and later datagrams go on", function(p)
  p:datagram(table.concat({
    "nocolon", ":1|c", "hits:abc|c", "hits:1", "hits:1|x", "hits:1|c|@2", "hits:1|c|zz",
    "good:1|c", "t:1|c|#:v",
  }, "\n"))
  t.same(p:run_source({ events = 1 }), 1)
  local reasons = {
    { "expected name:value|type", "nocolon" },
    { "empty metric name", ":1|c" },
    { 'value "abc" is not a number', "hits:abc|c" },
    { "no type after the value", "hits:1" },
    { 'unknown metric type "x"', "hits:1|x" },
    { 'sample rate "2" is not a number in (0, 1]', "hits:1|c|@2" },
    { 'unknown section "|zz"', "hits:1|c|zz" },
    { 'a tag without a name in "#:v"', "t:1|c|#:v" },
  }
  local expected = {}
  for i, r in ipairs(reasons) do
    expected[i] = { level = "warn", message = "bad statsd line from 127.0.0.1:40000 (" .. r[1] .. "): " .. r[2] }
  end
  p:run_source({ ms = 1000 })   -- the rest of that datagram
  t.same(p:logs(), expected)
  t.same(p:state().bad_lines, 8)
  p:datagram("later:5|c")
  p:run_source({ ms = 2000 })
  t.same(payloads(p), {
    { name = "good", type = "counter", value = 1 },
    { name = "later", type = "counter", value = 5 },
  })
end)

t.plugin(".", { config = { flush_ms = 10000 } })

local function lat_line()
  local values = {}
  for i = 1, 100 do values[i] = tostring(i) end
  return "lat:" .. table.concat(values, ":") .. "|ms"
end

t.case("flush_ms > 0: one event per metric every flush_ms, counters summed, gauges last, sets counted", function(p)
  p:datagram(table.concat({
    "hits:1|c", "hits:2|c|@0.5", "temp:20|g", "temp:+5|g", "users:alice|s", "users:bob|s", "users:alice|s",
    lat_line(),
  }, "\n"))
  t.same(p:run_source({ ms = 9999 }), 0)   -- nothing before the first flush
  p:advance(1)                             -- 10 s
  local out = payloads(p)
  t.same(#out, 4)
  t.same(out[1], { name = "hits", type = "counter", value = 5.0, per_second = 0.5, interval_ms = 10000 })
  t.same(out[2], { name = "temp", type = "gauge", value = 25, interval_ms = 10000 })
  t.same(out[3], { name = "users", type = "set", value = 2, interval_ms = 10000 })
  t.same(out[4], {
    name = "lat", type = "timer", interval_ms = 10000,
    count = 100, sum = 5050, min = 1, max = 100, mean = 50.5, p50 = 50, p90 = 90, p99 = 99,
  })
  t.same(p:emitted()[1].meta, {})
end)

t.case("each interval emits what it gathered; a gauge remembers its value for changes", function(p)
  p:datagram("hits:3|c\ntemp:20|g\nlat:5|ms")
  p:run_source({ ms = 10000 })
  t.same(#p:emitted(), 3)
  p:datagram("hits:1|c\ntemp:-4|g")
  p:advance(10000)                         -- 20 s
  local out = payloads(p)
  t.same(#out, 5)
  t.same(out[4].name, "hits")
  t.same(out[4].value, 1)
  t.near(out[4].per_second, 0.1, 1e-12)
  t.same(out[5], { name = "temp", type = "gauge", value = 16, interval_ms = 10000 })
  p:advance(10000)                         -- 30 s: nothing came, nothing to say
  t.same(#p:emitted(), 5)
end)

t.case("aggregates are kept per name and tags, whatever the tags' order", function(p)
  p:datagram("req:1|c|#env:prod,region:eu\nreq:2|c|#region:eu,env:prod\nreq:4|c|#env:dev\nreq:8|c")
  p:run_source({ ms = 10000 })
  t.same(payloads(p), {
    { name = "req", type = "counter", value = 8, per_second = 0.8, interval_ms = 10000 },
    { name = "req", type = "counter", value = 4, per_second = 0.4, tags = { env = "dev" }, interval_ms = 10000 },
    { name = "req", type = "counter", value = 3, per_second = 0.3, tags = { env = "prod", region = "eu" }, interval_ms = 10000 },
  })
end)

t.case("what an interval gathered survives a reload (it is in ctx.state)", function(p)
  p:datagram("hits:3|c\ntemp:10|g")
  p:run_source({ ms = 5000 })
  t.same(p:state().pending["counter|hits|"].sum, 3)
  p:reload()
  p:datagram("hits:4|c\ntemp:+1|g")
  p:run_source({ ms = 10001 })             -- the new version flushes 10 s after it started
  t.same(payloads(p), {
    { name = "hits", type = "counter", value = 7, per_second = 0.7, interval_ms = 10000 },
    { name = "temp", type = "gauge", value = 11, interval_ms = 10000 },
  })
end)

t.case("when the flow stops, the last interval is flushed", function(p)
  p:datagram("hits:1|c")
  p:run_source({ ms = 3000 })
  t.same(#p:emitted(), 0)
  p:stop()
  p:run_source()
  t.same(payloads(p), { { name = "hits", type = "counter", value = 1, per_second = 0.1, interval_ms = 10000 } })
end)

t.plugin(".", { config = { flush_ms = -1 } })

t.case("a bad config stops the source with the reason", function(p)
  pcall(p.run_source, p, { ms = 1000 })
  t.matches(p:errors()[1], "statsd: config flush_ms must be an integer >= 0, not %-1")
  t.same(#p:emitted(), 0)
end)
