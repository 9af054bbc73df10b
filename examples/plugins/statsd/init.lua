-- A StatsD server, as a source: binds `host:port` (UDP) and reads the metrics of the datagrams
-- it receives, one per line: `name:value|type[|@rate][|#tag:value,tag]`, with the types c
-- (counter), g (gauge, `+n`/`-n` a change), ms (timer), h (histogram), d (distribution) and
-- s (set), DogStatsD tags, and several values in one line (`name:1:2:3|ms`).
--
-- flush_ms = 0 emits every metric as it arrives; flush_ms > 0 aggregates per name, type and
-- tags and emits one event per metric every flush_ms (counters summed, gauges last, timers
-- count/min/max/mean/sum/p50/p90/p99, sets their cardinality). A bad line is logged with a
-- warning and counted, never fatal.

local TYPES = { c = "counter", g = "gauge", ms = "timer", h = "histogram", d = "distribution", s = "set" }
local SAMPLED = { counter = true, timer = true, histogram = true, distribution = true }

local function number(text)
  if text:find("^[+-]?%d+$") then return math.tointeger(tonumber(text)) or tonumber(text) end
  if text:find("^[+-]?%d+%.%d*$") or text:find("^[+-]?%.%d+$")
    or text:find("^[+-]?%d*%.?%d+[eE][+-]?%d+$") or text:find("^[+-]?%d+%.[eE][+-]?%d+$") then
    local v = tonumber(text)
    if v and v == v and v ~= math.huge and v ~= -math.huge then return v end
  end
  return nil
end

-- Thrown for a bad line, with the reason.
local Bad = {}
local function bad(fmt, ...)
  error(setmetatable({ reason = string.format(fmt, ...) }, Bad), 0)
end

---Parses one line into its metrics: { name, type, values = {...}, rate, tags, key }.
---@param line string
local function parse(line)
  local name, values, sections = line:match("^([^:|]*):([^|]*)(.*)$")
  if not name then bad("expected name:value|type") end
  if name == "" then bad("empty metric name") end
  if name:find("[%s@#]") then bad("metric name %q has a space, '@' or '#'", name) end
  local code = sections:match("^|([^|]*)")
  if not code then bad("no type after the value") end
  local kind = TYPES[code]
  if not kind then bad("unknown metric type %q", code) end
  local metric = { name = name, type = kind, values = {} }
  for section in sections:sub(#code + 2):gmatch("|([^|]*)") do
    local first = section:sub(1, 1)
    if first == "@" then
      local rate = number(section:sub(2))
      if not rate or rate <= 0 or rate > 1 then bad("sample rate %q is not a number in (0, 1]", section:sub(2)) end
      metric.rate = rate + 0.0
    elseif first == "#" then
      local tags = temblor.object()
      local list = {}
      for tag in section:sub(2):gmatch("[^,]+") do
        local key, value = tag:match("^([^:]*):(.*)$")
        if not key then key, value = tag, "" end
        if key == "" then bad("a tag without a name in %q", section) end
        if tags[key] == nil then list[#list + 1] = key end
        tags[key] = value
      end
      table.sort(list)
      local parts = {}
      for i, key in ipairs(list) do parts[i] = key .. ":" .. tags[key] end
      metric.tags, metric.tag_key = tags, table.concat(parts, ",")
    elseif not ((first == "c" and section:sub(2, 2) == ":") or first == "T") then
      -- (DogStatsD's container id, c:..., and timestamp, T..., are accepted and not used.)
      bad("unknown section %q", "|" .. section)
    end
  end
  for text in (values .. ":"):gmatch("([^:]*):") do
    if kind == "set" then
      if text == "" then bad("empty set member") end
      metric.values[#metric.values + 1] = text
    else
      local v = number(text)
      if v == nil then bad("value %q is not a number", text) end
      -- A gauge written with a sign is a change of the current value, not a value.
      if kind == "gauge" and (text:sub(1, 1) == "+" or text:sub(1, 1) == "-") then metric.delta = true end
      metric.values[#metric.values + 1] = v
    end
  end
  metric.key = kind .. "|" .. name .. "|" .. (metric.tag_key or "")
  return metric
end

-- Nearest-rank percentile of sorted values (statsd's "upper_90" is the same thing).
local function percentile(sorted, p)
  local rank = math.max(1, math.ceil(p / 100 * #sorted))
  return sorted[rank]
end

local function event_of(m)
  local e = { name = m.name, type = m.type }
  if m.tags then e.tags = m.tags end
  return e
end

---Emits the aggregates of the interval that ends, and forgets them (gauges keep their value).
---@param ctx temblor.Context
local function flush(ctx)
  local pending = ctx.state.pending or {}
  local keys = {}
  for key in pairs(pending) do keys[#keys + 1] = key end
  table.sort(keys)   -- a stable order for what one flush emits
  local interval = ctx.config.flush_ms
  for _, key in ipairs(keys) do
    local a = pending[key]
    local e = event_of(a)
    e.interval_ms = interval
    if a.type == "counter" then
      e.value = a.sum
      e.per_second = a.sum / (interval / 1000)
    elseif a.type == "gauge" then
      e.value = a.value
    elseif a.type == "set" then
      local n = 0
      for _ in pairs(a.members) do n = n + 1 end
      e.value = n
    else
      local values = a.values
      table.sort(values)
      local sum = 0
      for _, v in ipairs(values) do sum = sum + v end
      e.count, e.sum = #values, sum
      e.min, e.max, e.mean = values[1], values[#values], sum / #values
      e.p50, e.p90, e.p99 = percentile(values, 50), percentile(values, 90), percentile(values, 99)
    end
    ctx:emit(e)
  end
  ctx.state.pending = temblor.object()
end

---Takes one metric in: emits it (flush_ms = 0) or adds it to its aggregate.
---@param ctx temblor.Context
local function take(ctx, m, meta)
  local gauges = ctx.state.gauges
  local aggregate = ctx.config.flush_ms > 0
  local a
  if aggregate then
    ctx.state.pending = ctx.state.pending or temblor.object()
    a = ctx.state.pending[m.key]
    if a == nil then
      a = event_of(m)
      if m.type == "counter" then a.sum = 0 elseif m.type == "set" then a.members = temblor.object() elseif m.type ~= "gauge" then a.values = {} end
      ctx.state.pending[m.key] = a
    end
  end
  for _, v in ipairs(m.values) do
    if m.type == "gauge" then
      local current = gauges[m.key]
      if m.delta then v = (current or 0) + v end
      gauges[m.key] = v
      if a then a.value = v end
    elseif m.type == "counter" and m.rate then
      v = v / m.rate   -- a sampled counter stands for 1/rate as many
    end
    if a then
      if m.type == "counter" then a.sum = a.sum + v
      elseif m.type == "set" then a.members[v] = true
      elseif m.type ~= "gauge" then a.values[#a.values + 1] = v end
    else
      local e = event_of(m)
      e.value = v
      if m.rate and SAMPLED[m.type] then e.sample_rate = m.rate end
      ctx:emit(e, meta)
    end
  end
end

local function check_config(c)
  if type(c.host) ~= "string" then error("statsd: config host must be a string", 0) end
  for _, key in ipairs({ "port", "flush_ms", "timeout_ms" }) do
    if math.type(c[key]) ~= "integer" or c[key] < 0 or (key ~= "flush_ms" and c[key] < 1) then
      error(string.format("statsd: config %s must be an integer%s, not %s", key,
        key == "flush_ms" and " >= 0" or " >= 1", tostring(c[key])), 0)
    end
  end
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "statsd",
  defaults = { host = "127.0.0.1", port = 8125, flush_ms = 0, timeout_ms = 1000 },

  ---@param ctx temblor.Context
  source = function(ctx)
    local c = ctx.config
    check_config(c)
    -- Objects, so that they stay objects when the state is copied while empty.
    ctx.state.gauges = ctx.state.gauges or temblor.object()
    ctx.state.bad_lines = ctx.state.bad_lines or 0
    local sock = assert(temblor.udp.bind(c.host, c.port))
    local next_flush = c.flush_ms > 0 and ctx:now() + c.flush_ms or nil
    while ctx:running() do
      -- A short wait, so that the loop sees ctx:running() and the flush comes on time.
      local wait = c.timeout_ms
      if next_flush then wait = math.max(1, math.min(wait, next_flush - ctx:now())) end
      local datagram, from, port = sock:receivefrom({ timeout_ms = wait })
      if datagram then
        local meta = { peer = from .. ":" .. tostring(port) }
        for raw in datagram:gmatch("[^\n]+") do
          local line = raw:gsub("\r$", "")
          if line ~= "" then
            local ok, metric = pcall(parse, line)
            if ok then
              take(ctx, metric, meta)
            elseif getmetatable(metric) == Bad then
              ctx.state.bad_lines = ctx.state.bad_lines + 1
              ctx:metric("statsd_bad_lines", ctx.state.bad_lines)
              ctx:log("warn", string.format("bad statsd line from %s (%s): %s", meta.peer, metric.reason, line))
            else
              error(metric, 0)
            end
          end
        end
      elseif from == "cancelled" or from == "closed" then
        break   -- the flow is stopping under the call: flush what there is, and end
      elseif from ~= "timeout" then
        sock:close()
        error("statsd: receiving on " .. c.host .. ":" .. c.port .. " failed: " .. tostring(from), 0)
      end
      if next_flush and ctx:now() >= next_flush then
        flush(ctx)
        repeat next_flush = next_flush + c.flush_ms until next_flush > ctx:now()
      end
    end
    if next_flush then flush(ctx) end   -- what the last interval gathered
    sock:close()
  end,
}

return plugin
