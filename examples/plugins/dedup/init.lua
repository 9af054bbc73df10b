-- A pipeline operator that drops an event when an event with the same key passed less than
-- ttl_ms ago. The window starts when a key passes and is not extended by the duplicates it
-- drops. At most max_keys keys are remembered: past that, the oldest is forgotten first (an
-- eviction, counted). Keys live in ctx.state, so a restart of the state or a hot reload keeps
-- them (a restart of the process does not: ctx:now() is a monotonic clock of the process).
local temblor = require("temblor")

local function fail(message) error("dedup: " .. message, 0) end

---The value at a dotted path (`user.id`, `tags.1`), nil when any step is missing.
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

---A value as key text: typed, so that 1 and "1" differ, while 1 and 1.0 are the same number;
---objects with their keys sorted, so that key order does not matter.
local function encode(value)
  local kind = type(value)
  if kind == "string" then return "s" .. value end
  if math.type(value) == "integer" then return "n" .. value end
  if math.type(value) == "float" then
    if value == math.floor(value) and math.abs(value) < 2 ^ 63 then return "n" .. math.tointeger(value) end
    return "n" .. string.format("%.17g", value)
  end
  if kind == "boolean" then return "b" .. tostring(value) end
  if kind == "table" then
    local parts = {}
    if getmetatable(value) == "temblor.array" then
      for i = 1, #value do parts[i] = encode(value[i]) end
      return "[" .. table.concat(parts, "\31") .. "]"
    end
    local names = {}
    for name in pairs(value) do names[#names + 1] = name end
    table.sort(names)
    for i, name in ipairs(names) do parts[i] = name .. "=" .. encode(value[name]) end
    return "{" .. table.concat(parts, "\31") .. "}"
  end
  return "x" .. tostring(value)                          -- bytes, large unsigned integers
end

local paths                                              -- config.key as a list, once per state

local function check_config(ctx)
  if paths then return end
  local c = ctx.config
  local key = c.key
  if type(key) == "string" then key = { key } end
  if type(key) ~= "table" or #key == 0 then fail("config.key must be a field path or a list of them") end
  for _, path in ipairs(key) do
    if type(path) ~= "string" or path == "" then fail("config.key must be a field path or a list of them") end
  end
  for _, name in ipairs({ "ttl_ms", "max_keys" }) do
    if math.type(c[name]) ~= "integer" or c[name] < 1 then fail("config." .. name .. " must be a positive integer, got " .. tostring(c[name])) end
  end
  if c.on_missing ~= "pass" and c.on_missing ~= "fail" then fail("config.on_missing must be \"pass\" or \"fail\", got " .. tostring(c.on_missing)) end
  paths = key
end

---The event's key, or nil and the first key field it lacks (absent or null).
local function key_of(event)
  if #paths == 1 then
    local value = get(event, paths[1])
    if value == nil or value == temblor.null then return nil, paths[1] end
    return encode(value)
  end
  local parts = {}
  for i, path in ipairs(paths) do
    local value = get(event, path)
    if value == nil or value == temblor.null then return nil, path end
    parts[i] = encode(value)
  end
  return table.concat(parts, "\30")
end

---The remembered keys: `seen` maps a key to the time its window started; `keys` and `times`
---list them in the order they passed, from `head` (entries before it are forgotten; an entry
---whose time is no longer its key's is stale). The lists are never holed, so that they stay
---lists when ctx.state is copied.
local function memory(ctx)
  local s = ctx.state
  if not s.seen then
    s.seen, s.keys, s.times, s.head, s.count = temblor.object(), {}, {}, 1, 0
  end
  return s
end

---Forgets the entry at the head; returns true when it was a live key.
local function pop(s)
  local key, at = s.keys[s.head], s.times[s.head]
  s.head = s.head + 1
  if s.seen[key] == at then
    s.seen[key] = nil
    s.count = s.count - 1
    return true
  end
  return false
end

---Drops the entries before head once they are most of the lists.
local function compact(s)
  if s.head < 1024 or s.head * 2 < #s.keys then return end
  local keys, times = {}, {}
  for i = s.head, #s.keys do
    keys[#keys + 1] = s.keys[i]
    times[#times + 1] = s.times[i]
  end
  s.keys, s.times, s.head = keys, times, 1
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "dedup",
  defaults = {
    key = "id",
    ttl_ms = 60000,
    max_keys = 100000,
    on_missing = "pass",
  },

  on_event = function(ctx, event)
    check_config(ctx)
    local c, now = ctx.config, ctx:now()
    local key, missing = key_of(event)
    if not key then
      if c.on_missing == "fail" then fail("the event has no key field '" .. missing .. "' (config.key)") end
      -- Passed on: without its key an event cannot be known as a duplicate. Logged at most
      -- once a minute, with the count, so that a stream of such events does not flood the log.
      local s = ctx.state
      s.missing = (s.missing or 0) + 1
      ctx:metric("missing_key", s.missing)
      if not s.missing_logged_at or now - s.missing_logged_at >= 60000 then
        s.missing_logged_at = now
        ctx:log("warn", "an event has no key field '" .. missing .. "': passed on without deduplication (" .. s.missing .. " so far)")
      end
      return event
    end
    local s = memory(ctx)
    -- Forget the keys whose window ended: the lists are in time order.
    while s.head <= #s.keys and now - s.times[s.head] >= c.ttl_ms do pop(s) end
    local at = s.seen[key]
    if at then
      s.dropped = (s.dropped or 0) + 1
      ctx:metric("dropped", s.dropped)
      return nil
    end
    s.seen[key] = now
    s.count = s.count + 1
    s.keys[#s.keys + 1] = key
    s.times[#s.times + 1] = now
    while s.count > c.max_keys do
      if pop(s) then
        s.evicted = (s.evicted or 0) + 1
        ctx:metric("evicted", s.evicted)
      end
    end
    compact(s)
    return event
  end,
}
return plugin
