-- An alert sink: each event is posted as JSON to a webhook (Slack, Mattermost, PagerDuty, an
-- internal endpoint), optionally shaped by a template. A token bucket limits how many alerts a
-- minute reach the receiver: the others are suppressed and counted, and once the bucket has a
-- token again a summary ("N alerts suppressed") goes out in their place; or, with
-- overflow = "fail", they fail. The same alert (same key_field) within dedup_window_ms is
-- posted once. Each event is acked once the webhook answered 2xx (it is posted from on_event).
local temblor = require("temblor")

-- Bucket levels are counted in units of 1/60000 token, so that one millisecond adds exactly
-- rate_per_minute units: integer arithmetic, no drift, exact on the fake clock.
local UNIT = 60000

---The value at a dotted path (`labels.severity`, `hosts.1`), nil when any step is missing.
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

local function fail(message) error("webhook: " .. message, 0) end

local function as_text(value)
  if value == nil or value == temblor.null then return "" end
  if type(value) == "string" then return value end
  if type(value) == "number" or type(value) == "boolean" then return tostring(value) end
  return temblor.json.encode(value)
end

---Fills a template from an event: a string that is one placeholder (`"{{count}}"`) takes the
---field's value as it is (a number stays a number, a missing field is null); placeholders
---within text are replaced by the field as text (missing: empty). Tables are filled throughout.
local function render(template, event)
  if type(template) == "string" then
    local whole = template:match("^{{%s*([^{}]-)%s*}}$")
    if whole then
      local value = get(event, whole)
      if value == nil then return temblor.null end
      return value
    end
    return (template:gsub("{{%s*([^{}]-)%s*}}", function(path) return as_text(get(event, path)) end))
  end
  if type(template) == "table" and template ~= temblor.null then
    local out = getmetatable(template) == "temblor.array" and temblor.array() or temblor.object()
    for key, value in pairs(template) do out[key] = render(value, event) end
    return out
  end
  return template
end

local checked

local function check_config(ctx)
  if checked then return end
  local c = ctx.config
  if type(c.url) ~= "string" or not c.url:match("^https?://[^/]") then
    fail("config.url must be the webhook's http:// or https:// URL, got " .. tostring(c.url))
  end
  if type(c.method) ~= "string" or not c.method:match("^%u+$") then fail("config.method must be an HTTP method such as POST") end
  for _, key in ipairs({ "rate_per_minute", "burst", "retry_ms", "max_retry_ms", "timeout_ms" }) do
    if math.type(c[key]) ~= "integer" or c[key] < 1 then fail("config." .. key .. " must be a positive integer, got " .. tostring(c[key])) end
  end
  for _, key in ipairs({ "max_retries", "dedup_window_ms" }) do
    if math.type(c[key]) ~= "integer" or c[key] < 0 then fail("config." .. key .. " must be a non-negative integer, got " .. tostring(c[key])) end
  end
  if c.overflow ~= "drop" and c.overflow ~= "fail" then fail("config.overflow must be \"drop\" or \"fail\", got " .. tostring(c.overflow)) end
  if c.dedup_window_ms > 0 and (type(c.key_field) ~= "string" or c.key_field == "") then
    fail("config.dedup_window_ms needs config.key_field: the field that says which alert an event is")
  end
  if type(c.headers) ~= "table" then fail("config.headers must be a table") end
  for _, key in ipairs({ "template", "summary_template" }) do
    if c[key] ~= nil and type(c[key]) ~= "table" then fail("config." .. key .. " must be a table (an object or a list)") end
  end
  checked = true
end

local function short(text)
  text = (text or ""):gsub("^%s+", ""):gsub("%s+$", "")
  if #text > 300 then text = text:sub(1, 300) .. "..." end
  return text
end

---Posts a document, retrying 429, 5xx and failed connections. Returns true, or nil and why.
local function post(ctx, document)
  local c = ctx.config
  local headers = { ["content-type"] = "application/json" }
  for name, value in pairs(c.headers) do headers[name:lower()] = tostring(value) end
  if c.dry_run then
    ctx:emit({ method = c.method, url = c.url, headers = headers, body = document })
    return true
  end
  local body = temblor.json.encode(document)
  local delay, attempt = c.retry_ms, 0
  while true do
    attempt = attempt + 1
    local response, err = temblor.http.request({ method = c.method, url = c.url, headers = headers, body = body, timeout_ms = c.timeout_ms })
    local wait = delay
    if response then
      if response.status >= 200 and response.status < 300 then return true end
      err = "HTTP " .. response.status .. (short(response.body) ~= "" and ": " .. short(response.body) or "")
      if response.status ~= 429 and response.status < 500 then return nil, "the webhook refused the alert: " .. err end
      local after = tonumber(response.headers and response.headers["retry-after"] or nil)
      if after and after >= 0 then wait = math.tointeger(math.floor(after * 1000)) end
    end
    if attempt > c.max_retries then return nil, "gave up after " .. attempt .. " attempts: " .. err end
    if not ctx:running() then return nil, "the flow is stopping: " .. err end
    wait = math.min(wait, c.max_retry_ms)
    ctx:log("warn", "post failed (" .. err .. "), retrying in " .. wait .. " ms")
    ctx:sleep(wait)
    delay = math.min(delay * 2, c.max_retry_ms)
  end
end

---The bucket refilled up to now: `rate_per_minute` units a millisecond, at most `burst` tokens.
local function bucket(ctx)
  local c, now = ctx.config, ctx:now()
  local b = ctx.state.bucket
  if not b then
    b = { level = c.burst * UNIT, at = now }
    ctx.state.bucket = b
  end
  b.level = math.min(c.burst * UNIT, b.level + (now - b.at) * c.rate_per_minute)
  b.at = now
  return b
end

local function take(ctx)
  local b = bucket(ctx)
  if b.level < UNIT then return false end
  b.level = b.level - UNIT
  return true
end

---Posts the summary of what was suppressed, when there is something and a token for it.
local function summarize(ctx)
  local count = ctx.state.suppressed or 0
  if count == 0 or not take(ctx) then return true end
  local summary = { message = count .. (count == 1 and " alert" or " alerts") .. " suppressed", suppressed = count, summary = true }
  local template = ctx.config.summary_template or ctx.config.template
  local ok, err = post(ctx, template and render(template, summary) or summary)
  if not ok then
    ctx:log("error", "the summary of " .. count .. " suppressed alerts was not posted: " .. err)
    return nil, err
  end
  ctx.state.suppressed = 0
  return true
end

---Forgets dedup keys whose window ended, once the table has grown by 1000 since last time.
local function prune(ctx, now)
  local d = ctx.state.dedup_count or 0
  if d < (ctx.state.dedup_pruned_at or 0) + 1000 then return end
  local window, kept, count = ctx.config.dedup_window_ms, temblor.object(), 0
  for key, at in pairs(ctx.state.dedup) do
    if now - at < window then
      kept[key] = at
      count = count + 1
    end
  end
  ctx.state.dedup, ctx.state.dedup_count, ctx.state.dedup_pruned_at = kept, count, count
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "webhook",
  defaults = {
    method = "POST",
    headers = temblor.object(),
    rate_per_minute = 60,
    burst = 10,
    overflow = "drop",
    dedup_window_ms = 0,
    max_retries = 3,
    retry_ms = 500,
    max_retry_ms = 10000,
    timeout_ms = 5000,
    dry_run = false,
  },

  on_start = function(ctx)
    -- The summary also goes out on its own once a token is back (while out is linked, which
    -- drives timers); otherwise it goes before the next alert that gets through.
    local c = ctx.config
    if math.type(c.rate_per_minute) == "integer" and c.rate_per_minute > 0 then
      ctx:every(math.max(1, -(-60000 // c.rate_per_minute)), function(x) summarize(x) end)
    end
  end,

  on_event = function(ctx, event)
    check_config(ctx)
    local c, now = ctx.config, ctx:now()
    local key
    if c.dedup_window_ms > 0 then
      local value = get(event, c.key_field)
      if value ~= nil and value ~= temblor.null then
        key = as_text(value)
        ctx.state.dedup = ctx.state.dedup or temblor.object()
        local at = ctx.state.dedup[key]
        if at and now - at < c.dedup_window_ms then
          ctx.state.deduplicated = (ctx.state.deduplicated or 0) + 1
          ctx:metric("deduplicated", ctx.state.deduplicated)
          return                                      -- posted already: acked, not posted again
        end
      end
    end
    summarize(ctx)
    if not take(ctx) then
      if c.overflow == "fail" then
        fail("rate limit: more than " .. c.rate_per_minute .. " alerts a minute (burst " .. c.burst .. "); this one fails (config.overflow = \"fail\")")
      end
      ctx.state.suppressed = (ctx.state.suppressed or 0) + 1
      ctx.state.suppressed_total = (ctx.state.suppressed_total or 0) + 1
      ctx:metric("suppressed", ctx.state.suppressed_total)
      return
    end
    local ok, err = post(ctx, c.template and render(c.template, event) or event)
    if not ok then fail(err) end
    if key then
      if ctx.state.dedup[key] == nil then ctx.state.dedup_count = (ctx.state.dedup_count or 0) + 1 end
      ctx.state.dedup[key] = now
      prune(ctx, now)
    end
    ctx.state.posted = (ctx.state.posted or 0) + 1
    ctx:metric("posted", ctx.state.posted)
  end,
}
return plugin
