-- A Grafana Loki sink: each event becomes a log line of a stream chosen by its labels, pushed to
-- Loki's /loki/api/v1/push in its JSON format.
--
-- Acks. Returning from on_event acks the event, and this connector gets its events one at a
-- time (it is granted host I/O), so the next event only arrives once on_event returned. An
-- on_event waiting for "its batch" would therefore always wait for a batch of one. Hence:
--   batch_size = 1 (the default): on_event pushes its event and returns once Loki accepted it
--     (after retries): at-least-once; an event Loki refuses fails back to its source.
--   batch_size > 1: on_event queues the event in ctx.state and returns, so the event is acked
--     once queued; a full batch is pushed from on_event, an older one by a timer and at
--     on_drain. A batch Loki refuses is lost (logged and counted as `lost`) and fails only the
--     event that was in hand. This trades the guarantee for fewer requests.
local temblor = require("temblor")
local timestamp = require("timestamp")

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

---@param s string
---@return string
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a << 16 | (b or 0) << 8 | (c or 0)
    out[#out + 1] = B64:sub((n >> 18) + 1, (n >> 18) + 1) .. B64:sub((n >> 12 & 63) + 1, (n >> 12 & 63) + 1)
      .. (b and B64:sub((n >> 6 & 63) + 1, (n >> 6 & 63) + 1) or "=")
      .. (c and B64:sub((n & 63) + 1, (n & 63) + 1) or "=")
  end
  return table.concat(out)
end

---The value at a dotted path (`kubernetes.pod`, `tags.1`), nil when any step is missing.
---@param event any
---@param path string
local function get(event, path)
  local value = event
  for step in path:gmatch("[^.]+") do
    if type(value) ~= "table" or value == temblor.null then return nil end
    local next_value = value[step]
    if next_value == nil and step:match("^%d+$") then next_value = value[math.tointeger(tonumber(step))] end
    value = next_value
  end
  return value
end

local function fail(message) error("loki: " .. message, 0) end

-- The configuration is checked once per state, at the first event: a mistake fails every event
-- with a message saying which key is wrong, instead of a connector that never connects.
local checked

local function positive_integer(c, key, zero_ok)
  local v = c[key]
  if math.type(v) ~= "integer" or v < (zero_ok and 0 or 1) then
    fail("config." .. key .. " must be " .. (zero_ok and "a non-negative" or "a positive") .. " integer, got " .. tostring(v))
  end
end

local function check_config(ctx)
  if checked then return end
  local c = ctx.config
  if type(c.url) ~= "string" or not c.url:match("^https?://[^/]") then
    fail("config.url must be an http:// or https:// URL, got " .. tostring(c.url))
  end
  positive_integer(c, "batch_size")
  positive_integer(c, "batch_ms")
  positive_integer(c, "max_retries", true)
  positive_integer(c, "retry_ms")
  positive_integer(c, "max_retry_ms")
  positive_integer(c, "timeout_ms")
  for _, key in ipairs({ "labels", "static_labels", "headers" }) do
    if type(c[key]) ~= "table" then fail("config." .. key .. " must be a table") end
  end
  for name, path in pairs(c.labels) do
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then fail("label name '" .. tostring(name) .. "' is not valid in Loki ([a-zA-Z_][a-zA-Z0-9_]*)") end
    if type(path) ~= "string" or path == "" then fail("config.labels." .. name .. " must be a field path") end
  end
  for name, value in pairs(c.static_labels) do
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then fail("label name '" .. tostring(name) .. "' is not valid in Loki ([a-zA-Z_][a-zA-Z0-9_]*)") end
    if type(value) == "table" then fail("config.static_labels." .. name .. " must be a string") end
  end
  for _, key in ipairs({ "line_field", "time_field", "tenant", "username", "password" }) do
    if c[key] ~= nil and type(c[key]) ~= "string" then fail("config." .. key .. " must be a string") end
  end
  checked = true
end

---A label value as text; nil drops the label (absent, null or empty).
local function label_text(name, value)
  if value == nil or value == temblor.null or value == "" then return nil end
  local kind = type(value)
  if kind == "string" then return value end
  if kind == "number" or kind == "boolean" then return tostring(value) end
  fail("label '" .. name .. "': the field holds " .. (kind == "table" and "a list or an object" or kind) .. ", a label needs a string, number or boolean")
end

-- Wall-clock nanoseconds for events without a time: os.time() has whole seconds, so the
-- monotonic clock fills in the fraction, re-based whenever os.time() shows it drifted.
local clock = {}
local function now_ns(ctx)
  local wall, mono = os.time() * 1000000000, ctx:now()
  if clock.wall then
    local estimate = clock.wall + (mono - clock.mono) * 1000000
    if estimate >= wall and estimate < wall + 1000000000 then return estimate end
  end
  clock.wall, clock.mono = wall, mono
  return wall
end

---The log entry of one event: its stream's labels (and their key), its time and its line.
local function entry(ctx, event)
  local c = ctx.config
  local labels, names = temblor.object(), {}
  for name, value in pairs(c.static_labels) do
    labels[name] = label_text(name, value)
  end
  for name, path in pairs(c.labels) do
    local value = label_text(name, get(event, path))
    if value ~= nil then labels[name] = value end
  end
  for name in pairs(labels) do names[#names + 1] = name end
  if #names == 0 then fail("the event has no labels: Loki needs at least one (set static_labels or labels)") end
  table.sort(names)
  local key = {}
  for i, name in ipairs(names) do key[i] = name .. "=" .. labels[name] end

  local ns
  local time = c.time_field and c.time_field ~= "" and get(event, c.time_field)
  if time ~= nil and time ~= false and time ~= temblor.null then
    local err
    ns, err = timestamp.unix_ns(time)
    if not ns then fail("field '" .. c.time_field .. "' (" .. tostring(time) .. "): " .. err .. "; expected an RFC 3339 time or a Unix time") end
  else
    ns = now_ns(ctx)
  end

  local line
  if c.line_field and c.line_field ~= "" then
    local value = get(event, c.line_field)
    if value == nil then fail("the event has no field '" .. c.line_field .. "' for its line (config.line_field)") end
    line = type(value) == "string" and value or temblor.json.encode(value)
  else
    line = temblor.json.encode(event)
  end
  return { key = table.concat(key, "\0"), labels = labels, ts = tostring(ns), line = line }
end

---Loki's push document for entries: one stream per label set, in the order first seen.
local function push_document(entries)
  local streams, by_key = {}, {}
  for _, e in ipairs(entries) do
    local stream = by_key[e.key]
    if not stream then
      stream = { stream = e.labels, values = {} }
      by_key[e.key] = stream
      streams[#streams + 1] = stream
    end
    stream.values[#stream.values + 1] = { e.ts, e.line }
  end
  return { streams = streams }
end

local function request_headers(c)
  local headers = { ["content-type"] = "application/json" }
  if c.tenant and c.tenant ~= "" then headers["x-scope-orgid"] = c.tenant end
  if c.username and c.username ~= "" then
    headers["authorization"] = "Basic " .. base64(c.username .. ":" .. (c.password or ""))
  end
  for name, value in pairs(c.headers) do headers[name:lower()] = tostring(value) end
  return headers
end

local function short(body)
  body = (body or ""):gsub("^%s+", ""):gsub("%s+$", "")
  if #body > 300 then body = body:sub(1, 300) .. "..." end
  return body
end

---Pushes a document, retrying 429, 5xx and failed connections with a doubling delay (a
---Retry-After in seconds is honoured). Returns true, or nil and why.
local function push(ctx, document)
  local c = ctx.config
  local body = temblor.json.encode(document)
  local headers = request_headers(c)
  if c.dry_run then
    -- The request that would be sent, as an event: to see what Loki would get.
    ctx:emit({ method = "POST", url = c.url, headers = headers, body = document })
    return true
  end
  local delay, attempt = c.retry_ms, 0
  while true do
    attempt = attempt + 1
    local response, err = temblor.http.request({ method = "POST", url = c.url, headers = headers, body = body, timeout_ms = c.timeout_ms })
    local wait = delay
    if response then
      local status = response.status
      if status >= 200 and status < 300 then return true end
      err = "HTTP " .. status .. (short(response.body) ~= "" and ": " .. short(response.body) or "")
      if status ~= 429 and status < 500 then return nil, "Loki refused the push: " .. err end
      local after = tonumber(response.headers and response.headers["retry-after"] or nil)
      if after and after >= 0 then wait = math.tointeger(math.floor(after * 1000)) end
    end
    if attempt > c.max_retries then return nil, "gave up after " .. attempt .. " attempts: " .. err end
    if not ctx:running() then return nil, "the flow is stopping: " .. err end
    wait = math.min(wait, c.max_retry_ms)
    ctx:log("warn", "push failed (" .. err .. "), retrying in " .. wait .. " ms")
    ctx:metric("retries", (ctx.state.retries or 0) + 1)
    ctx.state.retries = (ctx.state.retries or 0) + 1
    ctx:sleep(wait)
    delay = math.min(delay * 2, c.max_retry_ms)
  end
end

local flushing = false

---Pushes the queued entries (batch_size > 1). Returns true, or nil and why (the batch is lost).
local function flush(ctx)
  while flushing do ctx:sleep(5) end            -- one push at a time: timer and on_event alternate
  local batch = ctx.state.pending or {}
  if #batch == 0 then return true end
  ctx.state.pending, ctx.state.pending_since = {}, nil
  -- Kept until Loki answered: a state restarted meanwhile pushes it again (at least once).
  ctx.state.inflight = batch
  flushing = true
  local ok, err = push(ctx, push_document(batch))
  flushing = false
  ctx.state.inflight = nil
  if ok then
    ctx.state.sent = (ctx.state.sent or 0) + #batch
    ctx:metric("sent", ctx.state.sent)
    return true
  end
  ctx.state.lost = (ctx.state.lost or 0) + #batch
  ctx:metric("lost", ctx.state.lost)
  local message = "batch of " .. #batch .. " events lost: " .. err
  ctx:log("error", message)
  return nil, message
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "loki",
  defaults = {
    url = "http://127.0.0.1:3100/loki/api/v1/push",
    labels = temblor.object(),
    static_labels = { job = "temblor" },
    time_field = "timestamp",
    batch_size = 1,
    batch_ms = 1000,
    max_retries = 5,
    retry_ms = 200,
    max_retry_ms = 10000,
    timeout_ms = 10000,
    headers = temblor.object(),
    dry_run = false,
  },

  on_start = function(ctx)
    -- A batch whose push was cut short by a restart goes out again first.
    if ctx.state.inflight then
      local batch = ctx.state.inflight
      for _, e in ipairs(ctx.state.pending or {}) do batch[#batch + 1] = e end
      ctx.state.pending, ctx.state.inflight = batch, nil
    end
    if math.type(ctx.config.batch_size) == "integer" and ctx.config.batch_size > 1 then
      -- Fires only while the connector's out is linked (docs/plugins.md, ctx:every); without
      -- it, a batch older than batch_ms is pushed by the next event, and the last at on_drain.
      ctx:every(ctx.config.batch_ms, function(c)
        if not flushing and #(c.state.pending or {}) > 0 then flush(c) end
      end)
    end
  end,

  on_event = function(ctx, event)
    check_config(ctx)
    local e = entry(ctx, event)
    local c = ctx.config
    if c.batch_size == 1 and #(ctx.state.pending or {}) == 0 then
      local ok, err = push(ctx, push_document({ e }))
      if not ok then fail(err) end
      ctx.state.sent = (ctx.state.sent or 0) + 1
      ctx:metric("sent", ctx.state.sent)
      return
    end
    local pending = ctx.state.pending or {}
    pending[#pending + 1] = e
    ctx.state.pending = pending
    ctx.state.pending_since = ctx.state.pending_since or ctx:now()
    if #pending >= c.batch_size or ctx:now() - ctx.state.pending_since >= c.batch_ms then
      local ok, err = flush(ctx)
      if not ok then fail(err) end
    end
  end,

  on_drain = function(ctx)
    flush(ctx)
  end,
}
return plugin
