-- Enriches each event from a CSV table: the row whose `key` column equals the event's `field`
-- is added to the event, which goes on through the connector's out. A connector, not a
-- pipeline operator, because it reads a file (operators have no allow:). The file is read at
-- connect and again every check_ms (checked when an event comes, so that a finite flow still
-- ends: no timer); a changed file that parses replaces the table, one that does not is logged
-- and the table in use stays.
local temblor = require("temblor")
local csv = require("csv")

-- The table in use, and what it was made from: kept in the state (re-read by a new state),
-- not in ctx.state, whose copies at each restart would cost as much as the table.
local rows, text_in_use, checked_at
local refused_text, refused_reason           -- the last content or read error logged, to log it once

local function fail(message) error("csv-lookup: " .. message, 0) end

---The value at a dotted path, nil when any step is missing.
local function get(event, path)
  local value = event
  for step in path:gmatch("[^.]+") do
    if type(value) ~= "table" or value == temblor.null then return nil end
    value = value[step]
  end
  return value
end

local checked

local function check_config(ctx)
  if checked then return end
  local c = ctx.config
  if type(c.path) ~= "string" or c.path == "" then fail("config.path must name the CSV file") end
  if type(c.key) ~= "string" or c.key == "" then fail("config.key must name the column to match") end
  if c.field ~= nil and (type(c.field) ~= "string" or c.field == "") then fail("config.field must be a field path") end
  if type(c.target) ~= "string" then fail("config.target must be a field path, or \"\" for the event's top level") end
  if c.on_miss ~= "pass" and c.on_miss ~= "drop" and c.on_miss ~= "fail" then
    fail("config.on_miss must be \"pass\", \"drop\" or \"fail\", got " .. tostring(c.on_miss))
  end
  if math.type(c.check_ms) ~= "integer" or c.check_ms < 0 then fail("config.check_ms must be a non-negative integer (0: never re-read)") end
  if type(c.delimiter) ~= "string" or #c.delimiter ~= 1 or c.delimiter:match("[%w\"\r\n]") then
    fail("config.delimiter must be one character other than a letter, a digit, a quote or a line break")
  end
  checked = true
end

---Reads and parses the file. Returns true when the table in use is (now) the file's, or nil and why.
local function load(ctx)
  local c = ctx.config
  checked_at = ctx:now()
  local text, err = temblor.fs.read(c.path)
  if not text then return nil, "cannot read " .. c.path .. ": " .. tostring(err) end
  if text == text_in_use then
    refused_text, refused_reason = nil, nil
    return true
  end
  if text == refused_text then return nil, refused_reason, true end
  local parsed, count, repeated = csv.table(text, c.key, c.delimiter)
  if not parsed then
    refused_text, refused_reason = text, c.path .. ": " .. count
    return nil, refused_reason
  end
  local first = text_in_use == nil
  rows, text_in_use, refused_text, refused_reason = parsed, text, nil, nil
  ctx:log("info", (first and "loaded " or "reloaded ") .. count .. " rows from " .. c.path
    .. (repeated > 0 and (" (" .. repeated .. " rows repeating a key were left out: the first one wins)") or ""))
  ctx:metric("rows", count)
  return true
end

---Re-reads the file when check_ms passed since the last look; a failure keeps the table in use.
local function refresh(ctx)
  local c = ctx.config
  if c.check_ms == 0 or ctx:now() - checked_at < c.check_ms then return end
  local ok, err, logged = load(ctx)
  if not ok and not logged and err ~= ctx.state.last_error then
    ctx:log("error", err .. "; the table loaded before stays in use")
  end
  ctx.state.last_error = (not ok) and err or nil
end

---The lookup key of an event's field as CSV text, nil when the field is absent or null.
local function key_text(ctx, event)
  local field = ctx.config.field or ctx.config.key
  local value = get(event, field)
  if value == nil or value == temblor.null then return nil end
  if type(value) == "string" then return value end
  if math.type(value) == "integer" then return tostring(value) end
  if math.type(value) == "float" then
    if value == math.floor(value) and math.abs(value) < 2 ^ 53 then return string.format("%d", value) end
    return tostring(value)
  end
  if type(value) == "boolean" then return tostring(value) end
  fail("field '" .. field .. "' holds " .. (type(value) == "table" and "a list or an object" or type(value)) .. "; a key is a string or a number")
end

---Puts a copy of `row` into the event: at the top level (existing fields kept unless
---config.overwrite), or as an object at config.target.
local function place(ctx, event, row)
  local c = ctx.config
  if c.target == "" then
    for name, value in pairs(row) do
      if c.overwrite or event[name] == nil then event[name] = value end
    end
    return
  end
  local parent, steps = event, {}
  for step in c.target:gmatch("[^.]+") do steps[#steps + 1] = step end
  for i = 1, #steps - 1 do
    local child = parent[steps[i]]
    if child == nil then
      child = temblor.object()
      parent[steps[i]] = child
    elseif type(child) ~= "table" or child == temblor.null or getmetatable(child) == "temblor.array" then
      fail("config.target '" .. c.target .. "': field '" .. table.concat(steps, ".", 1, i) .. "' is not an object")
    end
    parent = child
  end
  local copy = temblor.object()
  for name, value in pairs(row) do copy[name] = value end
  parent[steps[#steps]] = copy
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "csv-lookup",
  defaults = {
    target = "",
    overwrite = false,
    on_miss = "pass",
    check_ms = 5000,
    delimiter = ",",
  },

  -- Connected once the table loaded: a missing or broken file at start is retried with the
  -- connector's reconnect backoff, and the log says what is wrong.
  connect = function(ctx)
    -- A config mistake is not a missing file: connected, each event fails saying what.
    if not pcall(check_config, ctx) then return true end
    local ok, err = load(ctx)
    if not ok then
      ctx:log("error", err)
      return false
    end
    return true
  end,

  on_event = function(ctx, event, meta)
    check_config(ctx)
    refresh(ctx)
    if type(event) ~= "table" or event == temblor.null or getmetatable(event) == "temblor.array" then
      fail("the event is not an object, so it cannot take the row's fields")
    end
    local key = key_text(ctx, event)
    local row = key and rows[key]
    if row then
      place(ctx, event, row)
      ctx:emit(event, meta)
      return
    end
    local c = ctx.config
    ctx.state.missed = (ctx.state.missed or 0) + 1
    ctx:metric("missed", ctx.state.missed)
    if c.on_miss == "fail" then
      fail(key and ("no row with " .. c.key .. " = '" .. key .. "' in " .. c.path)
        or ("the event has no field '" .. (c.field or c.key) .. "' to look up"))
    elseif c.on_miss == "pass" then
      ctx:emit(event, meta)
    end
    -- "drop": nothing goes on; the event is acked.
  end,
}
return plugin
