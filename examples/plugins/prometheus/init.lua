-- A Prometheus scraper, as a source: every interval_ms it GETs `url` (a /metrics endpoint in
-- the text exposition format) and emits one event per sample,
--   { name, labels = {...}, value, type, help, timestamp_ms? }   meta { scrape_url }
-- A scrape that fails (no answer, or a status other than 200) is logged, counted and tried
-- again at the next interval; a line that does not parse is skipped with a warning naming
-- its line number, and the rest of the scrape is still emitted.

local exposition = require("exposition")

-- What Prometheus itself asks for when it wants the text format.
local ACCEPT = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1"

local function check_config(c)
  if type(c.url) ~= "string" or not c.url:find("^https?://[^/]") then
    error(string.format("prometheus: config url must be an http:// or https:// URL, not %s",
      c.url == nil and "missing" or string.format("%q", tostring(c.url))), 0)
  end
  for _, key in ipairs({ "interval_ms", "timeout_ms" }) do
    if math.type(c[key]) ~= "integer" or c[key] < 1 then
      error(string.format("prometheus: config %s must be an integer >= 1, not %s", key, tostring(c[key])), 0)
    end
  end
  if math.type(c.scrapes) ~= "integer" or c.scrapes < 0 then
    error("prometheus: config scrapes must be an integer >= 0 (0: no end), not " .. tostring(c.scrapes), 0)
  end
  if type(c.labels) ~= "table" then error("prometheus: config labels must be an object of label names to values", 0) end
  for name, value in pairs(c.labels) do
    if type(name) ~= "string" or not name:find("^[%a_][%w_]*$") or type(value) ~= "string" then
      error(string.format("prometheus: config labels.%s must be a string, under a valid label name", tostring(name)), 0)
    end
  end
end

---One scrape: emits its samples, or logs and counts why there are none.
---@param ctx temblor.Context
local function scrape(ctx)
  local c = ctx.config
  local response, err = temblor.http.request{
    url = c.url, headers = { accept = ACCEPT }, timeout_ms = c.timeout_ms,
  }
  if response and response.status ~= 200 then err = "HTTP " .. response.status end
  if err == "cancelled" and not ctx:running() then return end   -- the flow stopped under it
  if err then
    ctx.state.failures = (ctx.state.failures or 0) + 1
    ctx:metric("prometheus_scrape_failures", ctx.state.failures)
    ctx:log("warn", string.format("scrape of %s failed: %s; trying again in %d ms", c.url, err, c.interval_ms))
    return
  end

  local samples, problems = exposition.parse(response.body)
  for _, problem in ipairs(problems) do
    ctx:log("warn", string.format("%s line %d skipped: %s: %s", c.url, problem.line, problem.reason, problem.text))
  end
  if #problems > 0 then
    ctx.state.bad_lines = (ctx.state.bad_lines or 0) + #problems
    ctx:metric("prometheus_bad_lines", ctx.state.bad_lines)
  end
  for _, s in ipairs(samples) do
    -- As Prometheus does (honor_labels: false): the configured label wins, and a scraped one
    -- of the same name is kept as exported_<name>.
    for name, value in pairs(c.labels) do
      if s.labels[name] ~= nil then s.labels["exported_" .. name] = s.labels[name] end
      s.labels[name] = value
    end
    ctx:emit(s, { scrape_url = c.url })
  end
  ctx:metric("prometheus_samples", #samples)
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "prometheus",
  defaults = {
    interval_ms = 15000,
    timeout_ms = 10000,
    scrapes = 0,
    labels = temblor.object(),
  },

  ---@param ctx temblor.Context
  source = function(ctx)
    local c = ctx.config
    check_config(c)
    -- Scrapes run on a fixed schedule from the start (a slow scrape does not shift the next
    -- ones; one that took longer than an interval skips the slots it missed). The count lives
    -- in ctx.state so that a restarted source does not scrape more than `scrapes` times.
    local next_at = ctx:now()
    while ctx:running() and (c.scrapes == 0 or (ctx.state.scrapes or 0) < c.scrapes) do
      ctx.state.scrapes = (ctx.state.scrapes or 0) + 1
      scrape(ctx)
      if c.scrapes ~= 0 and ctx.state.scrapes >= c.scrapes then break end
      next_at = next_at + c.interval_ms
      local now = ctx:now()
      while next_at < now do next_at = next_at + c.interval_ms end
      ctx:sleep(next_at - now)
    end
  end,
}

return plugin
