-- Anomaly detection with an exponentially weighted moving average (EWMA) and variance, as a
-- pipeline operator. For each series (the value of the `key` field, or one series without it)
-- it keeps the weighted mean and variance of `field`; each event is judged against them before
-- they take it in, and goes on with
--   anomaly = { score = z, mean = m, stddev = s, is_anomaly = |z| > threshold }
-- The series live in ctx.state, so that a restarted or reloaded plugin goes on judging with
-- what it learned. With only_anomalies, normal events are dropped.

---Reads a dotted path ("metrics.latency_ms") from a table; nil when a step is missing.
local function lookup(event, path)
  local value = event
  for part in path:gmatch("[^.]+") do
    if type(value) ~= "table" or value == temblor.null then return nil end
    value = value[part]
  end
  return value
end

local function bad(fmt, ...)
  error("ewma: " .. string.format(fmt, ...), 0)
end

local function check_config(c)
  if type(c.field) ~= "string" or c.field == "" then bad("config field must name the number to watch (a dotted path)") end
  if type(c.key) ~= "string" then bad("config key must be a field name (a dotted path), or \"\" for one series") end
  if type(c.alpha) ~= "number" or c.alpha <= 0 or c.alpha > 1 then bad("config alpha must be a number in (0, 1], not %s", tostring(c.alpha)) end
  if type(c.threshold) ~= "number" or c.threshold <= 0 then bad("config threshold must be a positive number, not %s", tostring(c.threshold)) end
  if math.type(c.warmup) ~= "integer" or c.warmup < 0 then bad("config warmup must be an integer >= 0, not %s", tostring(c.warmup)) end
  if type(c.min_stddev) ~= "number" or c.min_stddev < 0 then bad("config min_stddev must be a number >= 0, not %s", tostring(c.min_stddev)) end
  if math.type(c.max_series) ~= "integer" or c.max_series < 1 then bad("config max_series must be an integer >= 1, not %s", tostring(c.max_series)) end
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "ewma",
  defaults = {
    field = "value", key = "", alpha = 0.1, threshold = 3, warmup = 10,
    only_anomalies = false, min_stddev = 0, max_series = 100000,
  },

  ---@param ctx temblor.Context
  ---@param event table
  on_event = function(ctx, event)
    local c = ctx.config
    check_config(c)
    if type(event) ~= "table" or event == temblor.null then bad("expected the event to be a table, got %s", type(event)) end

    local x = lookup(event, c.field)
    if x == nil then bad("the event has no field %q", c.field) end
    if type(x) ~= "number" then bad("field %q is a %s, expected a number", c.field, x == temblor.null and "null" or type(x)) end
    if x ~= x or x == math.huge or x == -math.huge then bad("field %q is not a finite number", c.field) end

    local name = "*"   -- the one series when there is no key
    if c.key ~= "" then
      local k = lookup(event, c.key)
      if k == nil then bad("the event has no key field %q", c.key) end
      if math.type(k) == "integer" or type(k) == "boolean" then k = tostring(k) end
      if type(k) ~= "string" then bad("key field %q is a %s, expected a string, an integer or a boolean", c.key, k == temblor.null and "null" or type(k)) end
      name = k
    end

    local series = ctx.state.series
    if series == nil then
      series = {}
      ctx.state.series = series
      ctx.state.count = 0
    end
    local s = series[name]
    if s == nil then
      if ctx.state.count >= c.max_series then
        bad("series %q would be one more than max_series (%d)", name, c.max_series)
      end
      -- The first sample is its own mean: nothing to compare it with yet.
      s = { n = 0, mean = x + 0.0, var = 0.0 }
      series[name] = s
      ctx.state.count = ctx.state.count + 1
    end

    -- Judge against what the series knew before this sample.
    local stddev = math.sqrt(s.var)
    local scale = math.max(stddev, c.min_stddev)
    local diff = x - s.mean
    local anomaly = { mean = s.mean, stddev = stddev }
    if scale > 0 then
      anomaly.score = diff / scale
    elseif diff == 0 then
      anomaly.score = 0.0
    end   -- else: no spread yet and a different value: no finite score (left out)
    local judged = s.n >= c.warmup
    anomaly.is_anomaly = judged and (anomaly.score == nil or math.abs(anomaly.score) > c.threshold)
    if not judged then anomaly.warming_up = true end

    -- West's incremental EWMA and exponentially weighted variance.
    local increment = c.alpha * diff
    s.mean = s.mean + increment
    s.var = (1 - c.alpha) * (s.var + diff * increment)
    s.n = s.n + 1

    if c.only_anomalies and not anomaly.is_anomaly then return nil end
    event.anomaly = anomaly
    return event
  end,

  -- A new version keeps the series it finds (what it learned is the point of the state).
  on_reload = function(_, old_state)
    return old_state
  end,
}

return plugin
