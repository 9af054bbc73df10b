-- A Redis sink speaking RESP over temblor.tcp. Each event becomes an XADD to a stream (its
-- top-level fields as the entry's fields) or, with mode = "set", a SET of the event as JSON
-- under a key taken from one of its fields. An event is acked only once Redis replied; a
-- refusal (an error reply) fails it, a lost connection is reopened on the next event.
local sock

local function command(args)
  local out = { "*" .. #args .. "\r\n" }
  for _, arg in ipairs(args) do
    out[#out + 1] = "$" .. #arg .. "\r\n" .. arg .. "\r\n"
  end
  return table.concat(out)
end

-- One reply: what XADD and SET answer (a status, an error, a number or a bulk string).
local function reply()
  local line, err = sock:receive("*l")
  if not line then return nil, err end
  local kind, rest = line:sub(1, 1), line:sub(2)
  if kind == "+" or kind == ":" then return rest end
  if kind == "-" then error("redis refused: " .. rest) end
  if kind == "$" then
    local n = math.tointeger(tonumber(rest))
    if n < 0 then return temblor.null end
    local data, failure = sock:receive(n + 2)
    if not data then return nil, failure end
    return data:sub(1, n)
  end
  return nil, "unexpected reply: " .. line
end

local function call(ctx, args)
  if not sock then
    sock = assert(temblor.tcp.connect(ctx.config.host, ctx.config.port, { timeout_ms = ctx.config.timeout_ms }))
  end
  local sent, err = sock:send(command(args))
  local result
  if sent then result, err = reply() end
  if result == nil then
    sock:close()
    sock = nil
    error("redis: " .. err)
  end
  return result
end

local function text(value)
  if type(value) == "string" then return value end
  if math.type(value) == "integer" then return tostring(value) end
  return temblor.json.encode(value)
end

return {
  api = 1,
  name = "redis",
  defaults = { host = "127.0.0.1", port = 6379, timeout_ms = 2000, mode = "xadd", stream = "events", key_field = "id", prefix = "" },
  connect = function(ctx)
    return call(ctx, { "PING" }) == "PONG"
  end,
  on_event = function(ctx, event)
    local c = ctx.config
    if c.mode == "set" then
      local key = event[c.key_field]
      if key == nil then error("the event has no '" .. c.key_field .. "' field to make its key from") end
      call(ctx, { "SET", c.prefix .. text(key), temblor.json.encode(event) })
    else
      local args, keys = { "XADD", c.stream, "*" }, {}
      for key in pairs(event) do keys[#keys + 1] = key end
      table.sort(keys)
      for _, key in ipairs(keys) do
        args[#args + 1] = key
        args[#args + 1] = text(event[key])
      end
      call(ctx, args)
    end
  end,
  on_stop = function(ctx)
    if sock then sock:close() end
  end,
}
