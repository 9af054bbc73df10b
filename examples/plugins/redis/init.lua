-- A Redis sink speaking RESP over temblor.tcp: each event becomes one command (XADD to a
-- stream, SET of a key, LPUSH to a list or PUBLISH to a channel) and is acked once Redis
-- replied. An error reply fails the event with Redis's message and keeps the connection; a
-- broken connection fails the event in hand, and the next event reconnects, waiting a doubling
-- delay after each failed attempt. AUTH and SELECT run at each connect.
local temblor = require("temblor")
local resp = require("resp")

-- The connection is a socket, not a value: it lives here, and a new state opens its own.
local sock
local retry_at, delay = 0, 0

local MODES = { xadd = true, set = true, lpush = true, publish = true }

local function fail(message) error("redis: " .. message, 0) end

local function where(c) return c.host .. ":" .. tostring(c.port) end

---The value at a dotted path (`user.id`), nil when any step is missing.
local function get(event, path)
  local value = event
  for step in path:gmatch("[^.]+") do
    if type(value) ~= "table" or value == temblor.null then return nil end
    value = value[step]
  end
  return value
end

---A field's value as Redis text: strings as they are, numbers and booleans written out,
---anything else as JSON.
local function text(value)
  if type(value) == "string" then return value end
  if math.type(value) == "integer" then return tostring(value) end
  if type(value) == "number" or type(value) == "boolean" then return tostring(value) end
  if type(value) == "userdata" then return tostring(value) end      -- bytes and large integers
  return temblor.json.encode(value)
end

local checked

local function check_config(ctx)
  if checked then return end
  local c = ctx.config
  if not MODES[c.mode] then fail("config.mode must be xadd, set, lpush or publish, got " .. tostring(c.mode)) end
  if type(c.host) ~= "string" or c.host == "" then fail("config.host must be a host name or address") end
  if math.type(c.port) ~= "integer" or c.port < 1 or c.port > 65535 then fail("config.port must be a port number, got " .. tostring(c.port)) end
  if math.type(c.db) ~= "integer" or c.db < 0 then fail("config.db must be a database number, got " .. tostring(c.db)) end
  for _, key in ipairs({ "timeout_ms", "reconnect_ms", "max_reconnect_ms" }) do
    if math.type(c[key]) ~= "integer" or c[key] < 1 then fail("config." .. key .. " must be a positive integer, got " .. tostring(c[key])) end
  end
  for _, key in ipairs({ "maxlen", "ttl_s" }) do
    if c[key] ~= nil and (math.type(c[key]) ~= "integer" or c[key] < 1) then fail("config." .. key .. " must be a positive integer, got " .. tostring(c[key])) end
  end
  for _, key in ipairs({ "key", "key_field", "value_field", "prefix", "password", "username" }) do
    if c[key] ~= nil and type(c[key]) ~= "string" then fail("config." .. key .. " must be a string") end
  end
  if c.username and not c.password then fail("config.username needs config.password") end
  checked = true
end

local function close()
  if sock then sock:close() end
  sock = nil
end

---Sends one command on the open connection and reads its reply. Returns the reply (an error
---reply included), or nil and why the connection broke (it is closed then).
local function roundtrip(args)
  local sent, err = sock:send(resp.encode(args))
  local reply
  if sent then reply, err = resp.read(sock) end
  if reply == nil then
    -- A reply not read whole leaves the stream out of step: the connection is done.
    close()
    return nil, err
  end
  return reply
end

---Opens the connection: connect, AUTH, SELECT. Returns true, or nil and why.
local function open(ctx)
  local c = ctx.config
  local s, err = temblor.tcp.connect(c.host, c.port, { timeout_ms = c.timeout_ms, tls = c.tls == true or type(c.tls) == "table" })
  if not s then return nil, "cannot connect to " .. where(c) .. ": " .. tostring(err) end
  sock = s
  sock:settimeout(c.timeout_ms)
  local steps = {}
  if c.password and c.password ~= "" then
    steps[#steps + 1] = c.username and c.username ~= "" and { "AUTH", c.username, c.password } or { "AUTH", c.password }
  end
  if c.db ~= 0 then steps[#steps + 1] = { "SELECT", tostring(c.db) } end
  for _, args in ipairs(steps) do
    local reply, failure = roundtrip(args)
    if reply == nil then return nil, args[1] .. " at " .. where(c) .. ": connection lost: " .. tostring(failure) end
    if resp.is_error(reply) then
      close()
      return nil, args[1] .. " refused by " .. where(c) .. ": " .. reply.message
    end
  end
  return true
end

---Makes sure a connection is open, waiting out the delay after a failed attempt.
local function ensure(ctx)
  if sock then return true end
  local c = ctx.config
  local wait = retry_at - ctx:now()
  if wait > 0 then ctx:sleep(wait) end
  local ok, err = open(ctx)
  if ok then
    delay = 0
    return true
  end
  delay = delay == 0 and c.reconnect_ms or math.min(delay * 2, c.max_reconnect_ms)
  retry_at = ctx:now() + delay
  ctx.state.connect_failures = (ctx.state.connect_failures or 0) + 1
  ctx:metric("connect_failures", ctx.state.connect_failures)
  return nil, err
end

---Runs one command for an event: raises (failing the event) on an error reply or a lost connection.
local function call(ctx, args)
  local ok, err = ensure(ctx)
  if not ok then fail(err) end
  local reply, failure = roundtrip(args)
  if reply == nil then
    ctx:log("warn", "connection to " .. where(ctx.config) .. " lost (" .. tostring(failure) .. "); the next event reconnects")
    fail(args[1] .. ": connection to " .. where(ctx.config) .. " lost: " .. tostring(failure))
  end
  if resp.is_error(reply) then fail(args[1] .. " refused: " .. reply.message) end
  return reply
end

---The key an event goes to: config.key, or the value of config.key_field, after config.prefix.
local function key_of(c, event)
  local key = c.key
  if c.key_field and c.key_field ~= "" then
    local value = get(event, c.key_field)
    if value == nil or value == temblor.null then fail("the event has no field '" .. c.key_field .. "' for its key (config.key_field)") end
    if type(value) ~= "string" and math.type(value) ~= "integer" then
      fail("field '" .. c.key_field .. "' holds a " .. type(value) .. "; a key must be a string or an integer")
    end
    key = tostring(value)
  end
  if key == nil or key == "" then fail("no key: set config.key or config.key_field") end
  return (c.prefix or "") .. key
end

local function value_of(c, event)
  if c.value_field and c.value_field ~= "" then
    local value = get(event, c.value_field)
    if value == nil then fail("the event has no field '" .. c.value_field .. "' for its value (config.value_field)") end
    return text(value)
  end
  return temblor.json.encode(event)
end

---The command for an event, by mode.
local function command(c, event)
  local key = key_of(c, event)
  if c.mode == "xadd" then
    if type(event) ~= "table" or event == temblor.null or getmetatable(event) == "temblor.array" then
      fail("xadd needs an object event, its fields becoming the entry's fields")
    end
    local args = { "XADD", key }
    if c.maxlen then
      args[#args + 1] = "MAXLEN"
      args[#args + 1] = "~"
      args[#args + 1] = tostring(c.maxlen)
    end
    args[#args + 1] = "*"
    local names = {}
    for name in pairs(event) do names[#names + 1] = tostring(name) end
    if #names == 0 then fail("xadd needs at least one field; the event is empty") end
    table.sort(names)
    for _, name in ipairs(names) do
      args[#args + 1] = name
      args[#args + 1] = text(event[name])
    end
    return args
  elseif c.mode == "set" then
    local args = { "SET", key, value_of(c, event) }
    if c.ttl_s then
      args[#args + 1] = "EX"
      args[#args + 1] = tostring(c.ttl_s)
    end
    return args
  elseif c.mode == "lpush" then
    return { "LPUSH", key, value_of(c, event) }
  end
  return { "PUBLISH", key, value_of(c, event) }
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "redis",
  defaults = {
    host = "127.0.0.1",
    port = 6379,
    db = 0,
    mode = "xadd",
    key = "events",
    prefix = "",
    timeout_ms = 2000,
    reconnect_ms = 100,
    max_reconnect_ms = 5000,
    dry_run = false,
  },

  -- Connected once the connection is open and AUTH and SELECT passed: until then the runner
  -- retries with the connector's reconnect backoff.
  connect = function(ctx)
    -- A config mistake is not a connection problem: connected, each event fails saying what.
    if not pcall(check_config, ctx) or ctx.config.dry_run then return true end
    close()
    local ok, err = open(ctx)
    if not ok then
      ctx:log("warn", err)
      return false
    end
    delay, retry_at = 0, 0
    return true
  end,

  on_event = function(ctx, event)
    check_config(ctx)
    local args = command(ctx.config, event)
    if ctx.config.dry_run then
      -- The command that would be sent, as an event: to see what Redis would get.
      ctx:emit({ command = args })
      return
    end
    call(ctx, args)
    ctx.state.written = (ctx.state.written or 0) + 1
    ctx:metric("written", ctx.state.written)
  end,

  on_stop = function()
    close()
  end,
}
return plugin
