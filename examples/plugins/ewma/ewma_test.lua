local t = require("temblor.test")

-- Checks an event's anomaly block: the numbers with t.near, the flags exactly.
local function judged(out, mean, stddev, score, is_anomaly, warming_up)
  local a = out.payload.anomaly
  t.near(a.mean, mean, 1e-9)
  t.near(a.stddev, stddev, 1e-9)
  if score == nil then t.same(a.score, nil, "no finite score") else t.near(a.score, score, 1e-9) end
  t.same(a.is_anomaly, is_anomaly)
  t.same(a.warming_up, warming_up)
end

-- Feeds an event that must fail with `pattern`: it goes out on err unchanged with meta.error
-- saying why, is counted as failed, nothing else goes out, and the series are left alone.
local function refuses(p, event, pattern)
  local before, failed, state = #p:emitted(), p:failed(), p:state()
  local ok, err = p:feed(event)
  t.same(ok, false)
  t.matches(err, pattern)
  local out = p:emitted()
  t.same(#out, before + 1)
  t.same(out[#out].port, "err")
  t.same(out[#out].payload, event)
  t.matches(out[#out].meta.error, pattern)
  t.same(p:failed(), failed + 1)
  t.same(p:state(), state, "a failed event leaves the state alone")
end

t.plugin(".", { kind = "operator", config = { field = "metrics.latency_ms", alpha = 0.5, warmup = 3 } })

t.case("one series: judged against the mean and stddev before each sample", function(p)
  for _, x in ipairs({ 10, 12, 11, 13, 50 }) do p:feed({ metrics = { latency_ms = x }, path = "/api" }) end
  local out = p:emitted()
  t.same(#out, 5)
  judged(out[1], 10, 0, 0.0, false, true)               -- the first sample is its own mean
  judged(out[2], 10, 0, nil, false, true)               -- no spread yet: no finite score
  judged(out[3], 11, 1, 0.0, false, true)
  judged(out[4], 11, math.sqrt(0.5), 2 / math.sqrt(0.5), false, nil)   -- 2.83 sd: normal
  judged(out[5], 12, math.sqrt(1.25), 38 / math.sqrt(1.25), true, nil)  -- 33.99 sd: an anomaly
  t.same(out[5].payload.path, "/api")
  t.same(out[5].payload.metrics, { latency_ms = 50 })
  local s = p:state().series["*"]
  t.same(s.n, 5)
  t.near(s.mean, 31, 1e-9)
  t.near(s.var, 361.625, 1e-9)
end)

t.plugin(".", { kind = "operator", config = { key = "host", alpha = 0.5, warmup = 2 } })

t.case("one series per key, each with its own mean and variance", function(p)
  p:feed({ host = "a", value = 10 })
  p:feed({ host = "a", value = 20 })
  p:feed({ host = "b", value = 100 })
  p:feed({ host = "a", value = 15 })
  p:feed({ host = 7, value = 1.5 })        -- an integer key names the series "7"
  local out = p:emitted()
  judged(out[3], 100, 0, 0.0, false, true)
  judged(out[4], 15, 5, 0.0, false, nil)
  t.same(p:state(), {
    count = 3,
    series = {
      a = { n = 3, mean = 15.0, var = 12.5 },
      b = { n = 1, mean = 100.0, var = 0.0 },
      ["7"] = { n = 1, mean = 1.5, var = 0.0 },
    },
  })
end)

t.case("events without the field or the key, or with a non-number, fail and change nothing", function(p)
  p:feed({ host = "a", value = 10 })
  refuses(p, { host = "a" }, 'ewma: the event has no field "value"')
  refuses(p, { host = "a", value = "12" }, 'ewma: field "value" is a string, expected a number')
  refuses(p, { host = "a", value = temblor.null }, 'ewma: field "value" is a null, expected a number')
  refuses(p, { value = 12 }, 'ewma: the event has no key field "host"')
  refuses(p, { host = { "a" }, value = 12 }, 'ewma: key field "host" is a table, expected a string')
  refuses(p, "12", "ewma: expected the event to be a table, got string")
  t.same(p:failed(), 6)
  t.same(#p:emitted(), 7)   -- the first event, and the six failed ones on err
end)

t.plugin(".", { kind = "operator", config = { alpha = 0.5, warmup = 3, only_anomalies = true } })

t.case("only_anomalies: normal events (and the warm-up) are dropped", function(p)
  for _, x in ipairs({ 10, 12, 11, 13, 50, 31 }) do t.same(p:feed({ value = x }), true) end
  local out = p:emitted()
  t.same(#out, 1)
  t.same(out[1].payload.value, 50)
  judged(out[1], 12, math.sqrt(1.25), 38 / math.sqrt(1.25), true, nil)
  t.same(p:failed(), 0)
end)

t.case("the series survive a reload: the new version judges with what the old one learned", function(p)
  for _, x in ipairs({ 10, 12, 11, 13 }) do p:feed({ value = x }) end
  local before = p:state()
  t.same(before.series["*"].n, 4)
  p:reload()
  t.same(p:state(), before)
  p:feed({ value = 50 })
  local out = p:emitted()
  t.same(#out, 1)
  judged(out[1], 12, math.sqrt(1.25), 38 / math.sqrt(1.25), true, nil)
  t.same(p:state().series["*"].n, 5)
end)

t.plugin(".", { kind = "operator", config = { warmup = 2, threshold = 2 } })

t.case("a flat series: a different value has no finite score and is an anomaly", function(p)
  for _ = 1, 3 do p:feed({ value = 7 }) end
  p:feed({ value = 8 })
  local out = p:emitted()
  judged(out[3], 7, 0, 0.0, false, nil)
  judged(out[4], 7, 0, nil, true, nil)
end)

t.plugin(".", { kind = "operator", config = { warmup = 2, threshold = 2, min_stddev = 0.5 } })

t.case("min_stddev floors the spread the score divides by", function(p)
  for _ = 1, 3 do p:feed({ value = 7 }) end
  p:feed({ value = 8 })
  p:feed({ value = 7.05 })
  local out = p:emitted()
  judged(out[4], 7, 0, 2.0, false, nil)      -- (8 - 7) / 0.5 = 2: not above the threshold
  t.near(out[5].payload.anomaly.score, (7.05 - 7.1) / 0.5, 1e-9)
  t.near(out[5].payload.anomaly.stddev, math.sqrt(0.09), 1e-9)
end)

t.plugin(".", { kind = "operator", config = { key = "host", max_series = 2 } })

t.case("max_series bounds the number of series kept", function(p)
  p:feed({ host = "a", value = 1 })
  p:feed({ host = "b", value = 1 })
  refuses(p, { host = "c", value = 1 }, 'ewma: series "c" would be one more than max_series %(2%)')
  t.same(p:feed({ host = "a", value = 2 }), true)
  t.same(p:failed(), 1)
end)

t.plugin(".", { kind = "operator", config = { alpha = 0 } })

t.case("a bad config fails every event with the reason", function(p)
  refuses(p, { value = 1 }, "ewma: config alpha must be a number in %(0, 1%], not 0")
  t.same(p:failed(), 1)
end)
