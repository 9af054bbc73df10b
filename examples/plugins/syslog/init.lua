-- An RFC 5424 syslog parser, as a pipeline operator. Each event's payload is one syslog line (a
-- string), or a table holding the line in `field`; the line becomes its parts:
--   { facility, severity, facility_name, severity_name, version, timestamp, hostname,
--     app_name, procid, msgid, structured_data = { [sd_id] = { [param] = value } }, message }
-- NILVALUE ("-") fields are left out. A line that does not follow the RFC's grammar fails the
-- event with what is wrong and at which byte column (on_error = "raise", the default), or
-- goes out unchanged on the port `invalid` with meta.error set (on_error = "route").

-- Facility names after RFC 5424 table 1 (13-15 as the common short names for "log audit",
-- "log alert" and "clock daemon").
local FACILITIES = {
  [0] = "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
  "authpriv", "ftp", "ntp", "audit", "alert", "clock",
  "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}
local SEVERITIES = {
  [0] = "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
}

local BOM = "\239\187\191"

-- Thrown for a line that does not parse: a table, so that on_event can tell it from a bug.
local Malformed = {}
Malformed.__index = Malformed

local function fail(column, fmt, ...)
  error(setmetatable({ text = string.format(fmt, ...) .. " at column " .. column }, Malformed), 0)
end

-- A printable US-ASCII token (%d33-126) of 1..max bytes starting at i, up to the next space or
-- the end of the line. Returns the token (nil for NILVALUE) and the position after it.
local function token(line, i, what, max)
  if i > #line then fail(i, "unexpected end of line, expected %s", what) end
  local j = i
  while j <= #line do
    local b = line:byte(j)
    if b == 32 then break end
    if b < 33 or b > 126 then fail(j, "%s has a character that is not printable US-ASCII (byte %d)", what, b) end
    j = j + 1
  end
  local value = line:sub(i, j - 1)
  if value == "" then fail(i, "empty %s (a space too many?)", what) end
  if #value > max then fail(i, "%s is %d characters long, at most %d are allowed", what, #value, max) end
  if value == "-" then value = nil end
  return value, j
end

local function space(line, i, after)
  if i > #line then fail(i, "unexpected end of line after %s", after) end
  if line:byte(i) ~= 32 then fail(i, "expected a space after %s", after) end
  return i + 1
end

local function leap(year) return (year % 4 == 0 and year % 100 ~= 0) or year % 400 == 0 end
local MONTH_DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- TIMESTAMP = NILVALUE / FULL-DATE "T" FULL-TIME (RFC 3339 with the RFC's restrictions: upper
-- case T and Z, at most 6 digits of fraction, no leap second). Kept as the text it was.
local function timestamp(line, i)
  local text, j = token(line, i, "TIMESTAMP", 64)
  if text == nil then return nil, j end
  local y, mo, d, h, mi, s, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(.*)$")
  if not y then fail(i, "invalid TIMESTAMP %q: expected YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)", text) end
  y, mo, d, h, mi, s = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(s)
  local days = MONTH_DAYS[mo]
  if not days then fail(i + 5, "invalid TIMESTAMP %q: month %02d", text, mo) end
  if mo == 2 and leap(y) then days = 29 end
  if d < 1 or d > days then fail(i + 8, "invalid TIMESTAMP %q: day %02d of month %02d", text, d, mo) end
  if h > 23 then fail(i + 11, "invalid TIMESTAMP %q: hour %02d", text, h) end
  if mi > 59 then fail(i + 14, "invalid TIMESTAMP %q: minute %02d", text, mi) end
  if s > 59 then fail(i + 17, "invalid TIMESTAMP %q: second %02d (leap seconds are not allowed)", text, s) end
  local at = i + 19
  local fraction = rest:match("^%.(%d+)")
  if rest:sub(1, 1) == "." then
    if not fraction or #fraction > 6 then fail(at, "invalid TIMESTAMP %q: the fraction of a second has 1 to 6 digits", text) end
    rest = rest:sub(#fraction + 2)
    at = at + #fraction + 1
  end
  if rest ~= "Z" then
    local oh, om = rest:match("^[+-](%d%d):(%d%d)$")
    if not oh then fail(at, "invalid TIMESTAMP %q: expected the offset Z, +hh:mm or -hh:mm", text) end
    if tonumber(oh) > 23 or tonumber(om) > 59 then fail(at, "invalid TIMESTAMP %q: offset %s out of range", text, rest) end
  end
  return text, j
end

-- SD-NAME: 1..32 printable US-ASCII bytes except '=', ' ', ']' and '"'.
local function sd_name(line, i, what)
  local j = i
  while j <= #line do
    local b = line:byte(j)
    if b == 61 or b == 32 or b == 93 or b == 34 then break end
    if b < 33 or b > 126 then fail(j, "%s has a character that is not printable US-ASCII (byte %d)", what, b) end
    j = j + 1
  end
  if j == i then fail(i, "expected %s", what) end
  if j - i > 32 then fail(i, "%s is %d characters long, at most 32 are allowed", what, j - i) end
  return line:sub(i, j - 1), j
end

-- PARAM-VALUE between double quotes, starting after the opening quote. \" \\ and \] are
-- unescaped; a backslash before anything else stays as it is (RFC 5424 section 6.3.3).
local function param_value(line, i)
  local parts, start, j = {}, i, i
  while true do
    local b = line:byte(j)
    if b == nil then fail(i - 1, "unterminated PARAM-VALUE (no closing '\"')") end
    if b == 34 then break end
    if b == 92 then
      local next_byte = line:byte(j + 1)
      if next_byte == 34 or next_byte == 92 or next_byte == 93 then
        parts[#parts + 1] = line:sub(start, j - 1)
        start = j + 1
        j = j + 2
      else
        j = j + 1
      end
    else
      j = j + 1
    end
  end
  parts[#parts + 1] = line:sub(start, j - 1)
  local value = table.concat(parts)
  if not utf8.len(value) then fail(i, "PARAM-VALUE is not valid UTF-8") end
  return value, j + 1
end

-- STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT; SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]".
-- A param repeated within an element (which the RFC allows) becomes an array of its values.
local function structured_data(line, i)
  local c = line:sub(i, i)
  if c == "-" then return nil, i + 1 end
  if c ~= "[" then fail(i, "expected STRUCTURED-DATA ('-' or '[')") end
  local sd = {}
  while line:sub(i, i) == "[" do
    local id, j = sd_name(line, i + 1, "SD-ID")
    if sd[id] then fail(i + 1, "SD-ID %q appears twice", id) end
    local params = temblor.object()
    while line:byte(j) == 32 do
      local name
      name, j = sd_name(line, j + 1, "PARAM-NAME")
      if line:sub(j, j) ~= "=" then fail(j, "expected '=' after PARAM-NAME %q", name) end
      if line:sub(j + 1, j + 1) ~= '"' then fail(j + 1, "expected '\"' to open the value of %q", name) end
      local value
      value, j = param_value(line, j + 2)
      local seen = params[name]
      if seen == nil then
        params[name] = value
      elseif type(seen) == "table" then
        seen[#seen + 1] = value
      else
        params[name] = { seen, value }
      end
    end
    if line:sub(j, j) ~= "]" then fail(j, "expected ']' or a space and an SD-PARAM in SD-ELEMENT %q", id) end
    sd[id] = params
    i = j + 1
  end
  return sd, i
end

---Parses one RFC 5424 line; raises a Malformed error.
---@param line string
---@return table
local function parse(line)
  line = line:gsub("\r?\n$", "")
  if line:sub(1, 1) ~= "<" then fail(1, "expected '<' to open the PRI") end
  local digits = line:match("^<(%d*)>")
  if not digits then
    local seen = line:match("^<(%d*)")
    if #seen > 3 then fail(2, "PRI has more than 3 digits") end
    fail(2 + #seen, "expected a digit or '>' in the PRI")
  end
  if #digits == 0 then fail(2, "empty PRI") end
  if #digits > 3 then fail(2, "PRI has more than 3 digits") end
  local pri = tonumber(digits)
  if pri > 191 then fail(2, "PRI %d out of range (0 to 191)", pri) end
  local i = #digits + 3
  local version = line:match("^[1-9]%d?%d?", i)
  if not version then
    if line:match("^%a%a%a ", i) then fail(i, "expected VERSION (this looks like an RFC 3164 line)") end
    fail(i, "expected VERSION (a number from 1)")
  end
  if version ~= "1" then fail(i, "unsupported VERSION %s (only 1 is defined)", version) end
  i = space(line, i + #version, "VERSION")
  local result = {
    facility = pri // 8, severity = pri % 8,
    facility_name = FACILITIES[pri // 8], severity_name = SEVERITIES[pri % 8],
    version = 1,
  }
  result.timestamp, i = timestamp(line, i)
  i = space(line, i, "TIMESTAMP")
  result.hostname, i = token(line, i, "HOSTNAME", 255)
  i = space(line, i, "HOSTNAME")
  result.app_name, i = token(line, i, "APP-NAME", 48)
  i = space(line, i, "APP-NAME")
  result.procid, i = token(line, i, "PROCID", 128)
  i = space(line, i, "PROCID")
  result.msgid, i = token(line, i, "MSGID", 32)
  i = space(line, i, "MSGID")
  result.structured_data, i = structured_data(line, i)
  if i <= #line then
    if line:byte(i) ~= 32 then fail(i, "expected a space between STRUCTURED-DATA and MSG") end
    local message = line:sub(i + 1)
    if message:sub(1, 3) == BOM then
      message = message:sub(4)
      -- MSG-UTF8: after a BOM the message must be UTF-8 (MSG-ANY without a BOM may be anything).
      if not utf8.len(message) then fail(i + 4, "MSG starts with a BOM but is not valid UTF-8") end
    end
    result.message = message
  end
  return result
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
  name = "syslog",
  ports = { "invalid" },
  defaults = { field = "message", on_error = "raise" },

  ---@param ctx temblor.Context
  ---@param event any a syslog line, or a table holding it in config.field
  ---@param meta temblor.Meta
  on_event = function(ctx, event, meta)
    local c = ctx.config
    if c.on_error ~= "raise" and c.on_error ~= "route" then
      error(string.format("syslog: config on_error must be \"raise\" or \"route\", not %q", tostring(c.on_error)), 0)
    end
    local line
    if text_of(event) then
      line = text_of(event)
    elseif type(event) == "table" and event ~= temblor.null then
      line = text_of(event[c.field])
      if line == nil then
        error(string.format("syslog: the event has no string field %q (found %s)", c.field,
          event[c.field] == nil and "nothing" or type(event[c.field])), 0)
      end
    else
      error("syslog: expected the event to be a syslog line or a table, got " .. type(event), 0)
    end

    local ok, parsed = pcall(parse, line)
    if not ok then
      if getmetatable(parsed) ~= Malformed then error(parsed, 0) end
      local message = "syslog: " .. parsed.text
      if c.on_error == "route" then
        meta.error = message
        return event, "invalid"
      end
      error(message, 0)
    end

    if type(event) ~= "table" then return parsed end
    -- A table keeps its other fields; the line's field gives way to what it held.
    event[c.field] = nil
    for key, value in pairs(parsed) do event[key] = value end
    return event
  end,
}

return plugin
