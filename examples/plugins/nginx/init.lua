-- An nginx access-log parser, as a pipeline operator. Each event's payload is one log line (a
-- string), or a table holding it in `field`. The line is read with `log_format`: "combined"
-- (nginx's default), "main" (the one of the stock nginx.conf) or a format of your own in
-- nginx's `$variable` syntax. Each variable becomes a field of its name: numbers typed,
-- `-` left out, $time_local as RFC 3339, $request split into method, path and protocol.
-- A line that does not match the format fails the event with what was expected where.

local FORMATS = {
  combined = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    .. '"$http_referer" "$http_user_agent"',
  main = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    .. '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
}

-- Types of nginx's own variables; anything else is a string unless config.types says otherwise.
local TYPES = {
  status = "integer", body_bytes_sent = "integer", bytes_sent = "integer",
  request_length = "integer", connection = "integer", connection_requests = "integer",
  remote_port = "integer", server_port = "integer", pid = "integer", content_length = "integer",
  request_time = "float", msec = "float",
  time_local = "time_local", request = "request",
}

local MONTHS = {
  Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
  Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12,
}
local MONTH_DAYS = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function bad(fmt, ...)
  error("nginx: " .. string.format(fmt, ...), 0)
end

---Compiles a log_format into a list of steps: { literal = "..." } and { var = "name" }.
---@param format string
local function compile(format)
  local steps, i = {}, 1
  local literal = {}
  while i <= #format do
    local c = format:sub(i, i)
    if c == "$" then
      local name, after = format:match("^{([%a_][%w_]*)}()", i + 1)
      if not name then name, after = format:match("^([%a_][%w_]*)()", i + 1) end
      if not name then bad("log_format: '$' at position %d is not followed by a variable name", i) end
      if #literal > 0 then
        steps[#steps + 1] = { literal = table.concat(literal) }
        literal = {}
      elseif #steps > 0 and steps[#steps].var then
        bad("log_format: $%s and $%s have no text between them, so they cannot be told apart",
          steps[#steps].var, name)
      end
      steps[#steps + 1] = { var = name }
      i = after
    else
      literal[#literal + 1] = c
      i = i + 1
    end
  end
  if #literal > 0 then steps[#steps + 1] = { literal = table.concat(literal) } end
  local has_var = false
  for _, step in ipairs(steps) do has_var = has_var or step.var ~= nil end
  if not has_var then bad("log_format %q has no $variable", format) end
  return steps
end

local compiled = {}   -- format text -> steps, so that each format is compiled once per state

---Cuts a line into { name = raw text, ... } and the column where each value started.
local function split(steps, line)
  local values, columns, pos = {}, {}, 1
  for k, step in ipairs(steps) do
    if step.literal then
      if line:sub(pos, pos + #step.literal - 1) ~= step.literal then
        local after = k > 1 and (" after $" .. steps[k - 1].var) or " at the start of the line"
        bad("the line does not match log_format: expected %q%s at column %d", step.literal, after, pos)
      end
      pos = pos + #step.literal
    else
      local next_step = steps[k + 1]
      local value
      if next_step == nil then
        value = line:sub(pos)
      elseif k + 1 == #steps then
        -- The format ends with this literal: the value runs up to the end of the line.
        local stop = #line - #next_step.literal
        if stop < pos - 1 or line:sub(stop + 1) ~= next_step.literal then
          bad("the line does not match log_format: expected %q at the end of the line, after $%s",
            next_step.literal, step.var)
        end
        value = line:sub(pos, stop)
      else
        local stop = line:find(next_step.literal, pos, true)
        if not stop then
          bad("the line does not match log_format: expected %q after $%s (from column %d)",
            next_step.literal, step.var, pos)
        end
        value = line:sub(pos, stop - 1)
      end
      values[#values + 1] = { step.var, value }
      columns[#values] = pos
      pos = pos + #value
    end
  end
  return values, columns
end

-- nginx writes `"`, `\`, control characters and bytes above 0x7e as \xHH. Undo that when the
-- result is UTF-8 text; otherwise keep the escaped text (a string, not bytes).
local function unescape(value)
  if not value:find("\\x", 1, true) then return value end
  local decoded = value:gsub("\\x(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end)
  if utf8.len(decoded) then return decoded end
  return value
end

local function time_local(text, name, column)
  local d, mon, y, h, mi, s, sign, oh, om =
    text:match("^(%d%d)/(%a%a%a)/(%d%d%d%d):(%d%d):(%d%d):(%d%d) ([+-])(%d%d)(%d%d)$")
  local month = MONTHS[mon]
  local days = month and MONTH_DAYS[month]
  if month == 2 and not (tonumber(y) % 4 == 0 and (tonumber(y) % 100 ~= 0 or tonumber(y) % 400 == 0)) then
    days = 28
  end
  if not d or not month or tonumber(d) < 1 or tonumber(d) > days or tonumber(h) > 23
    or tonumber(mi) > 59 or tonumber(s) > 60 or tonumber(oh) > 23 or tonumber(om) > 59 then
    bad("$%s %q at column %d is not a time like 10/Oct/2000:13:55:36 -0700", name, text, column)
  end
  return string.format("%s-%02d-%sT%s:%s:%s%s%s:%s", y, month, d, h, mi, s, sign, oh, om)
end

local function typed(kind, name, raw, column, out)
  if kind == "integer" then
    local n = raw:match("^%d+$") and math.tointeger(tonumber(raw))
    if not n then bad("$%s is %q at column %d, expected an integer", name, raw, column) end
    out[name] = n
  elseif kind == "float" then
    local n = (raw:match("^%d+%.?%d*$") or raw:match("^%d*%.%d+$")) and tonumber(raw)
    if not n then bad("$%s is %q at column %d, expected a number", name, raw, column) end
    out[name] = n + 0.0
  elseif kind == "time_local" then
    out[name] = time_local(raw, name, column)
  elseif kind == "request" then
    local text = unescape(raw)
    local method, path, protocol = text:match("^(%S+) (.+) (HTTP/%d[%d.]*)$")
    if not method then method, path = text:match("^(%S+) (%S+)$") end   -- HTTP/0.9
    if method then
      out.method, out.path, out.protocol = method, path, protocol
    else
      out[name] = text   -- not an HTTP request line (a TLS handshake on a plain port, say)
    end
  else
    out[name] = unescape(raw)
  end
end

---@param ctx temblor.Context
local function program(ctx)
  local format = ctx.config.log_format
  if type(format) ~= "string" then bad("config log_format must be a string, not %s", type(format)) end
  format = FORMATS[format] or format
  local steps = compiled[format]
  if not steps then
    steps = compile(format)
    compiled[format] = steps
  end
  return steps
end

-- A line arrives as a string, or as bytes (from a `binary` codec, or text that is not UTF-8).
local function text_of(value)
  if type(value) == "string" then return value end
  if type(value) == "userdata" then
    local s = tostring(value)
    if value == temblor.bytes(s) then return s end
  end
  return nil
end

---@type temblor.Plugin
local plugin = {
  api = 1,
  name = "nginx",
  defaults = { log_format = "combined", field = "message", types = temblor.object() },

  ---@param ctx temblor.Context
  ---@param event any an access-log line, or a table holding it in config.field
  on_event = function(ctx, event)
    local c = ctx.config
    local steps = program(ctx)
    if type(c.types) ~= "table" then bad("config types must be a table of variable names to types") end
    local line
    if text_of(event) then
      line = text_of(event)
    elseif type(event) == "table" and event ~= temblor.null then
      line = text_of(event[c.field])
      if line == nil then
        bad("the event has no string field %q (found %s)", c.field, event[c.field] == nil and "nothing" or type(event[c.field]))
      end
    else
      bad("expected the event to be a log line or a table, got %s", type(event))
    end
    line = line:gsub("\r?\n$", "")
    if line == "" then bad("empty line") end

    local values, columns = split(steps, line)
    local out = {}
    for k, pair in ipairs(values) do
      local name, raw = pair[1], pair[2]
      if raw ~= "-" then
        local kind = c.types[name] or TYPES[name] or "string"
        if kind ~= "integer" and kind ~= "float" and kind ~= "string" and TYPES[name] ~= kind then
          bad("config types.%s must be \"integer\", \"float\" or \"string\", not %q", name, tostring(kind))
        end
        typed(kind, name, raw, columns[k], out)
      end
    end

    if type(event) ~= "table" then return out end
    -- A table keeps its other fields; the line's field gives way to what it held.
    event[c.field] = nil
    for key, value in pairs(out) do event[key] = value end
    return event
  end,
}

return plugin
