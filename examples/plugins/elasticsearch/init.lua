-- An Elasticsearch sink: events are indexed through the _bulk API (NDJSON: an action line and
-- the document for each event), into an index that may be named after the event's date.
--
-- Acks. Returning from on_event acks the event, and this connector gets its events one at a
-- time (it is granted host I/O): the next event arrives only once on_event returned, so an
-- on_event waiting for "its batch" would always wait for a batch of one. Hence:
--   batch_size = 1 (the default): on_event sends a _bulk of its one document and returns once
--     Elasticsearch indexed it (429s retried): at-least-once; a rejected document fails its
--     event with Elasticsearch's reason.
--   batch_size > 1: on_event queues the event in ctx.state and returns (acked once queued); a
--     full batch is sent from on_event, an older one by a timer and at on_drain. Documents
--     Elasticsearch rejects are logged and counted as `rejected`, and fail the event in hand.
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

---The value at a dotted path (`host.name`, `tags.1`), nil when any step is missing.
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

local function fail(message) error("elasticsearch: " .. message, 0) end

local function positive_integer(c, key, zero_ok)
  local v = c[key]
  if math.type(v) ~= "integer" or v < (zero_ok and 0 or 1) then
    fail("config." .. key .. " must be " .. (zero_ok and "a non-negative" or "a positive") .. " integer, got " .. tostring(v))
  end
end

-- Checked once per state, at the first event: a mistake fails the events with its reason.
local checked

local function check_config(ctx)
  if checked then return end
  local c = ctx.config
  if type(c.url) ~= "string" or not c.url:match("^https?://[^/]") then
    fail("config.url must be an http:// or https:// URL, got " .. tostring(c.url))
  end
  for _, key in ipairs({ "batch_size", "batch_ms", "retry_ms", "max_retry_ms", "timeout_ms" }) do positive_integer(c, key) end
  positive_integer(c, "max_retries", true)
  if c.action ~= "index" and c.action ~= "create" then fail("config.action must be \"index\" or \"create\", got " .. tostring(c.action)) end
  if type(c.index) ~= "string" or c.index == "" then fail("config.index must be an index name") end
  -- Index names are lower case, without \ / * ? " < > | , # : or spaces, and do not start with - _ +.
  local bare = c.index:gsub("%%[YymdH%%]", "")
  local bad_token = c.index:gsub("%%%%", ""):match("%%[^YymdH]") or c.index:gsub("%%%%", ""):match("%%$")
  if bad_token then fail("config.index: unknown date token '" .. bad_token .. "' (use %Y %y %m %d %H %%)") end
  if bare:match("[A-Z]") or bare:match("[\\/*?\"<>|,#: ]") or c.index:match("^[-_+]") then
    fail("config.index '" .. c.index .. "' is not a valid index name (lower case, none of \\ / * ? \" < > | , # : or space, not starting with - _ +)")
  end
  for _, key in ipairs({ "id_field", "time_field", "pipeline", "username", "password", "api_key" }) do
    if c[key] ~= nil and type(c[key]) ~= "string" then fail("config." .. key .. " must be a string") end
  end
  if type(c.headers) ~= "table" then fail("config.headers must be a table") end
  checked = true
end

---The index of an event: the pattern's date tokens filled from its time field (UTC) or now.
local function index_of(ctx, event)
  local pattern = ctx.config.index
  if not pattern:find("%", 1, true) then return pattern end
  local field = ctx.config.time_field
  local time = field and field ~= "" and get(event, field) or nil
  local y, m, d, h
  if time ~= nil and time ~= temblor.null then
    local seconds, err = timestamp.unix_seconds(time)
    if not seconds then fail("field '" .. field .. "' (" .. tostring(time) .. "): " .. err .. "; expected an RFC 3339 time or epoch milliseconds") end
    y, m, d = timestamp.civil_from_days(seconds // 86400)
    h = seconds % 86400 // 3600
  else
    local now = os.date("!*t")
    y, m, d, h = now.year, now.month, now.day, now.hour
  end
  local values = { Y = string.format("%04d", y), y = string.format("%02d", y % 100), m = string.format("%02d", m),
    d = string.format("%02d", d), H = string.format("%02d", h), ["%"] = "%" }
  return (pattern:gsub("%%(.)", values))
end

---The two NDJSON lines of one event: its action and its document.
local function item(ctx, event)
  local c = ctx.config
  local meta = { _index = index_of(ctx, event) }
  if c.id_field and c.id_field ~= "" then
    local id = get(event, c.id_field)
    if id == nil or id == temblor.null then fail("the event has no field '" .. c.id_field .. "' for its _id (config.id_field)") end
    if type(id) == "string" then
      if id == "" then fail("field '" .. c.id_field .. "' is empty; an _id cannot be") end
      meta._id = id
    elseif math.type(id) == "integer" then
      meta._id = tostring(id)
    else
      fail("field '" .. c.id_field .. "' holds a " .. type(id) .. "; an _id must be a string or an integer")
    end
  end
  return { action = temblor.json.encode({ [c.action] = meta }), doc = temblor.json.encode(event) }
end

local function bulk_url(c)
  local url = c.url:gsub("/+$", "") .. "/_bulk"
  if c.pipeline and c.pipeline ~= "" then url = url .. "?pipeline=" .. c.pipeline:gsub("[^%w._~-]", function(ch) return string.format("%%%02X", ch:byte()) end) end
  return url
end

local function request_headers(c)
  local headers = { ["content-type"] = "application/x-ndjson" }
  if c.api_key and c.api_key ~= "" then
    headers["authorization"] = "ApiKey " .. c.api_key
  elseif c.username and c.username ~= "" then
    headers["authorization"] = "Basic " .. base64(c.username .. ":" .. (c.password or ""))
  end
  for name, value in pairs(c.headers) do headers[name:lower()] = tostring(value) end
  return headers
end

local function short(text)
  text = (text or ""):gsub("^%s+", ""):gsub("%s+$", "")
  if #text > 300 then text = text:sub(1, 300) .. "..." end
  return text
end

---Why a request or an item failed, from Elasticsearch's `error` (an object or a string).
local function reason(err, fallback)
  if type(err) == "table" and err ~= temblor.null then
    local text = tostring(err.type or "error") .. ": " .. tostring(err.reason or "")
    if type(err.caused_by) == "table" and err.caused_by.reason then text = text .. " (caused by " .. tostring(err.caused_by.type) .. ": " .. tostring(err.caused_by.reason) .. ")" end
    return text
  end
  if type(err) == "string" then return err end
  return fallback
end

---Sends items through _bulk, retrying the whole request on 429, 5xx or a failed connection and
---the items answered 429, with a doubling delay. Returns, for each item, nil when indexed or
---why it failed.
local function send(ctx, items)
  local c = ctx.config
  local url, headers = bulk_url(c), request_headers(c)
  local results = {}
  local todo = {}
  for i = 1, #items do todo[i] = i end
  local delay, attempt = c.retry_ms, 0
  while #todo > 0 do
    attempt = attempt + 1
    local lines = {}
    for _, i in ipairs(todo) do
      lines[#lines + 1] = items[i].action
      lines[#lines + 1] = items[i].doc
    end
    local body = table.concat(lines, "\n") .. "\n"
    local problem, retry = nil, {}
    if c.dry_run then
      local decoded = {}
      for k, line in ipairs(lines) do decoded[k] = temblor.json.decode(line) end
      ctx:emit({ method = "POST", url = url, headers = headers, body = decoded })
      return results
    end
    local response, err = temblor.http.request({ method = "POST", url = url, headers = headers, body = body, timeout_ms = c.timeout_ms })
    if not response then
      problem, retry = err, todo
    elseif response.status == 429 or response.status >= 500 then
      problem, retry = "HTTP " .. response.status .. ": " .. short(response.body), todo
    elseif response.status < 200 or response.status >= 300 then
      local document = temblor.json.decode(response.body)
      local why = reason(document and document.error, short(response.body))
      for _, i in ipairs(todo) do results[i] = "HTTP " .. response.status .. ": " .. why end
      return results
    else
      local document = temblor.json.decode(response.body)
      local answers = document and type(document.items) == "table" and document.items
      if document and document.errors == false and answers and #answers == #todo then return results end
      if not answers or #answers ~= #todo then
        for _, i in ipairs(todo) do results[i] = "unexpected _bulk response: " .. short(response.body) end
        return results
      end
      for k, i in ipairs(todo) do
        local answer = answers[k]
        local outcome = type(answer) == "table" and (answer[c.action] or select(2, next(answer)))
        local status = type(outcome) == "table" and outcome.status
        if math.type(status) ~= "integer" then
          results[i] = "unexpected _bulk item: " .. temblor.json.encode(answer)
        elseif status == 429 then
          retry[#retry + 1] = i
          problem = reason(outcome.error, "HTTP 429")
        elseif status < 200 or status >= 300 then
          results[i] = reason(outcome.error, "status " .. status) .. " (status " .. status .. ")"
        end
      end
    end
    if #retry == 0 then return results end
    if attempt > c.max_retries or not ctx:running() then
      local why = (attempt > c.max_retries and ("gave up after " .. attempt .. " attempts: ") or "the flow is stopping: ") .. problem
      for _, i in ipairs(retry) do results[i] = why end
      return results
    end
    ctx.state.retries = (ctx.state.retries or 0) + 1
    ctx:metric("retries", ctx.state.retries)
    ctx:log("warn", "_bulk: " .. #retry .. " of " .. #items .. " documents to retry (" .. problem .. "), in " .. delay .. " ms")
    ctx:sleep(delay)
    delay = math.min(delay * 2, c.max_retry_ms)
    todo = retry
  end
  return results
end

---Counts and logs what `send` returned; returns nil when all went in, else the first reason.
local function account(ctx, count, results)
  local failed, first = 0, nil
  for i = 1, count do
    if results[i] then
      failed = failed + 1
      first = first or results[i]
    end
  end
  ctx.state.indexed = (ctx.state.indexed or 0) + count - failed
  ctx:metric("indexed", ctx.state.indexed)
  if failed == 0 then return nil end
  ctx.state.rejected = (ctx.state.rejected or 0) + failed
  ctx:metric("rejected", ctx.state.rejected)
  return failed, first
end

local flushing = false

---Sends the queued items (batch_size > 1). Returns true, or nil and what failed.
local function flush(ctx)
  while flushing do ctx:sleep(5) end           -- one _bulk at a time: timer and on_event alternate
  local batch = ctx.state.pending or {}
  if #batch == 0 then return true end
  ctx.state.pending, ctx.state.pending_since = {}, nil
  ctx.state.inflight = batch                   -- sent again by a state restarted meanwhile
  flushing = true
  local results = send(ctx, batch)
  flushing = false
  ctx.state.inflight = nil
  local failed, first = account(ctx, #batch, results)
  if not failed then return true end
  for i = 1, #batch do
    if results[i] then ctx:log("error", "document rejected, lost: " .. results[i] .. ": " .. batch[i].action) end
  end
  return nil, failed .. " of " .. #batch .. " documents were not indexed; the first: " .. first
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "elasticsearch",
  defaults = {
    url = "http://127.0.0.1:9200",
    index = "temblor-%Y.%m.%d",
    time_field = "@timestamp",
    action = "index",
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
    if ctx.state.inflight then
      local batch = ctx.state.inflight
      for _, queued in ipairs(ctx.state.pending or {}) do batch[#batch + 1] = queued end
      ctx.state.pending, ctx.state.inflight = batch, nil
    end
    if math.type(ctx.config.batch_size) == "integer" and ctx.config.batch_size > 1 then
      -- Fires only while the connector's out is linked; otherwise the next event pushes a
      -- batch older than batch_ms, and on_drain the last one.
      ctx:every(ctx.config.batch_ms, function(c)
        if not flushing and #(c.state.pending or {}) > 0 then flush(c) end
      end)
    end
  end,

  on_event = function(ctx, event)
    check_config(ctx)
    local it = item(ctx, event)
    local c = ctx.config
    if c.batch_size == 1 and #(ctx.state.pending or {}) == 0 then
      local results = send(ctx, { it })
      account(ctx, 1, results)
      if results[1] then fail(results[1]) end
      return
    end
    local pending = ctx.state.pending or {}
    pending[#pending + 1] = it
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
