-- A parser of the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE`
-- lines, samples `name{label="value",...} value [timestamp_ms]`. It returns the samples it
-- read and, for each line it could not read, the line number and the reason, so that one bad
-- line costs that line only.

local M = {}

local TYPES = { counter = true, gauge = true, histogram = true, summary = true, untyped = true }

-- Raised (as a table) for a line that does not parse; `at` is the byte column.
local Bad = {}

local function bad(at, fmt, ...)
  error(setmetatable({ reason = string.format(fmt, ...) .. " (column " .. at .. ")" }, Bad), 0)
end

local function blanks(line, i)
  return line:match("^[ \t]*()", i)
end

-- A label value or HELP text up to `stop` (a closing quote; nil: the end of the line), with
-- the escapes `allowed` maps to their characters.
local function unescape(line, i, stop, allowed, what)
  local parts, j = {}, i
  while true do
    local c = line:sub(j, j)
    if c == "" then
      if stop then bad(i, "%s has no closing '%s'", what, stop) end
      break
    end
    if c == stop then break end
    if c == "\\" then
      local e = line:sub(j + 1, j + 1)
      local char = allowed[e]
      if not char then bad(j, "invalid escape '\\%s' in %s", e, what) end
      parts[#parts + 1] = char
      j = j + 2
    else
      local k = line:find(stop and "[\\" .. stop .. "]" or "\\", j, not stop) or (#line + 1)
      parts[#parts + 1] = line:sub(j, k - 1)
      j = k
    end
  end
  return table.concat(parts), j + 1
end

local LABEL_ESCAPES = { ["\\"] = "\\", ['"'] = '"', n = "\n" }
local HELP_ESCAPES = { ["\\"] = "\\", n = "\n" }

local function labels(line, i)
  local out = temblor.object()
  i = blanks(line, i + 1)
  while line:sub(i, i) ~= "}" do
    local name, after = line:match("^([%a_][%w_]*)()", i)
    if not name then bad(i, "expected a label name or '}'") end
    if out[name] ~= nil then bad(i, "label %q appears twice", name) end
    i = blanks(line, after)
    if line:sub(i, i) ~= "=" then bad(i, "expected '=' after label %q", name) end
    i = blanks(line, i + 1)
    if line:sub(i, i) ~= '"' then bad(i, "expected '\"' to open the value of label %q", name) end
    local value
    value, i = unescape(line, i + 1, '"', LABEL_ESCAPES, "the value of label " .. string.format("%q", name))
    if not utf8.len(value) then bad(i, "the value of label %q is not valid UTF-8", name) end
    out[name] = value
    i = blanks(line, i)
    local c = line:sub(i, i)
    if c == "," then
      i = blanks(line, i + 1)
    elseif c ~= "}" then
      bad(i, "expected ',' or '}' after the value of label %q", name)
    end
  end
  return out, i + 1
end

-- Sample values are 64-bit floats. JSON has no NaN or infinities, so those stay strings.
local function value_of(text, at)
  local lower = text:lower()
  if lower == "nan" then return "NaN" end
  if lower == "+inf" or lower == "inf" or lower == "+infinity" or lower == "infinity" then return "+Inf" end
  if lower == "-inf" or lower == "-infinity" then return "-Inf" end
  if text:find("^[+-]?%d+%.?%d*$") or text:find("^[+-]?%.%d+$")
    or text:find("^[+-]?%d+%.?%d*[eE][+-]?%d+$") or text:find("^[+-]?%.%d+[eE][+-]?%d+$") then
    local v = tonumber(text) + 0.0
    if v == math.huge then return "+Inf" end
    if v == -math.huge then return "-Inf" end
    return v
  end
  bad(at, "invalid sample value %q", text)
end

local function sample(line)
  local name, i = line:match("^([%a_:][%w_:]*)()")
  if not name then bad(1, "expected a metric name") end
  local out = { name = name }
  local brace = blanks(line, i)
  if line:sub(brace, brace) == "{" then
    out.labels, i = labels(line, brace)
  else
    out.labels = temblor.object()
  end
  local j = blanks(line, i)
  if j == i and j <= #line then bad(i, "expected a space before the value") end
  local text, after = line:match("^([^ \t]+)()", j)
  if not text then bad(j, "expected a sample value") end
  out.value = value_of(text, j)
  j = blanks(line, after)
  if j <= #line then
    local stamp, rest = line:match("^([^ \t]+)()", j)
    if not stamp:find("^%-?%d+$") or not math.tointeger(tonumber(stamp)) then
      bad(j, "invalid timestamp %q (expected integer milliseconds)", stamp)
    end
    out.timestamp_ms = math.tointeger(tonumber(stamp))
    if blanks(line, rest) <= #line then bad(blanks(line, rest), "unexpected text after the timestamp") end
  end
  return out
end

-- The family a sample belongs to: its own name, or the name without the suffix of a
-- histogram's or summary's series.
local function family(name, types)
  if types[name] then return name end
  local base, suffix = name:match("^(.*)_(%a+)$")
  if base then
    local t = types[base]
    if (suffix == "bucket" and t == "histogram") or ((suffix == "sum" or suffix == "count") and (t == "histogram" or t == "summary")) then
      return base
    end
  end
  return name
end

---Parses an exposition. Returns the samples ({ name, labels, value, type, help?,
---timestamp_ms? }) and the problems ({ line = n, reason = "...", text = "..." }).
---@param body string
---@return table[] samples
---@return table[] problems
function M.parse(body)
  local types, helps, seen = {}, {}, {}
  local samples, problems = {}, {}
  local n = 0
  for raw in (body .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local line = raw:gsub("\r$", "")
    local ok, err = pcall(function()
      if line:find("^[ \t]*$") then return end
      if line:find("^[ \t]*#") then
        local keyword, rest = line:match("^[ \t]*#[ \t]+(%u+)()")
        if keyword ~= "HELP" and keyword ~= "TYPE" then return end   -- a plain comment
        local at = blanks(line, rest)
        local name, after = line:match("^([%a_:][%w_:]*)()", at)
        if not name or at == rest then bad(at, "expected a metric name after # %s", keyword) end
        if keyword == "HELP" then
          if helps[name] then bad(at, "a second HELP line for %s", name) end
          local text = ""
          if after <= #line then
            if not line:find("^[ \t]", after) then bad(after, "expected a space after the metric name") end
            text = unescape(line, blanks(line, after), nil, HELP_ESCAPES, "HELP text")
          end
          helps[name] = text
        else
          if types[name] then bad(at, "a second TYPE line for %s", name) end
          if seen[name] then bad(at, "TYPE line for %s after its samples", name) end
          local kind = line:match("^[ \t]+(%S+)[ \t]*$", after)
          if not kind or not TYPES[kind] then
            bad(after, "unknown metric type %q (expected counter, gauge, histogram, summary or untyped)", kind or "")
          end
          types[name] = kind
        end
        return
      end
      local s = sample(line)
      local f = family(s.name, types)
      seen[f] = true
      s.type = types[f] or "untyped"
      s.help = helps[f]
      samples[#samples + 1] = s
    end)
    if not ok then
      if getmetatable(err) ~= Bad then error(err, 0) end
      problems[#problems + 1] = { line = n, reason = err.reason, text = line }
    end
  end
  return samples, problems
end

return M
