-- Event times to Unix nanoseconds, in integer arithmetic: os.time() reads a table in local
-- time, so civil dates are converted by hand (Howard Hinnant's days_from_civil).
local M = {}

---Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
---@param y integer
---@param m integer
---@param d integer
---@return integer
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
M.days_from_civil = days_from_civil

local month_days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function days_in_month(y, m)
  if m == 2 and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return 29 end
  return month_days[m]
end

---Parses an RFC 3339 time (`2024-05-01T12:30:00.250Z`, `2024-05-01T14:30:00+02:00`); a time
---without an offset is taken as UTC, and a date alone as its midnight UTC.
---@param text string
---@return integer|nil seconds Unix seconds
---@return integer|string nanos the fraction in nanoseconds, or why the text is not a time
function M.parse_rfc3339(text)
  local y, mo, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil, "not an RFC 3339 time" end
  y, mo, d = math.tointeger(tonumber(y)), math.tointeger(tonumber(mo)), math.tointeger(tonumber(d))
  if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo) then return nil, "no such date" end
  local h, mi, s, nanos, offset = 0, 0, 0, 0, 0
  if rest ~= "" then
    local hh, mm, ss, tail = rest:match("^[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
    if not hh then return nil, "not an RFC 3339 time" end
    h, mi, s = math.tointeger(tonumber(hh)), math.tointeger(tonumber(mm)), math.tointeger(tonumber(ss))
    if h > 23 or mi > 59 or s > 60 then return nil, "no such time of day" end
    local fraction, zone = tail:match("^%.(%d+)(.*)$")
    if fraction then
      -- Nanoseconds: the first nine digits, padded.
      nanos = math.tointeger(tonumber((fraction .. "000000000"):sub(1, 9)))
    else
      zone = tail
    end
    if zone == "Z" or zone == "z" or zone == "" then
      offset = 0
    else
      local sign, oh, om = zone:match("^([+-])(%d%d):?(%d%d)$")
      if not sign then return nil, "bad UTC offset '" .. zone .. "'" end
      offset = (math.tointeger(tonumber(oh)) * 60 + math.tointeger(tonumber(om))) * 60
      if sign == "-" then offset = -offset end
    end
  end
  local seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
  return seconds, nanos
end

---Unix nanoseconds of an event's time field: an RFC 3339 string, or a number of Unix seconds,
---milliseconds, microseconds or nanoseconds (told apart by their size, as Loki's clients do).
---@param value any
---@return integer|nil
---@return string? err
function M.unix_ns(value)
  if type(value) == "string" then
    local seconds, nanos = M.parse_rfc3339(value)
    if not seconds then return nil, nanos end
    return seconds * 1000000000 + nanos
  end
  if math.type(value) == "integer" then
    local size = math.abs(value)
    if size < 100000000000 then return value * 1000000000 end          -- seconds (until 5138)
    if size < 100000000000000 then return value * 1000000 end          -- milliseconds
    if size < 100000000000000000 then return value * 1000 end          -- microseconds
    return value
  end
  if math.type(value) == "float" then
    if value ~= value or value == math.huge or value == -math.huge then return nil, "not a finite number" end
    local size, scale = math.abs(value), 1e9
    if size >= 1e17 then scale = 1 elseif size >= 1e14 then scale = 1e3 elseif size >= 1e11 then scale = 1e6 end
    local whole = math.floor(value)
    return math.tointeger(whole) * math.tointeger(scale) + math.tointeger(math.floor((value - whole) * scale + 0.5))
  end
  return nil, "not a time"
end

return M
