-- RESP2, the Redis protocol: commands are arrays of bulk strings; replies are simple strings
-- (+), errors (-), integers (:), bulk strings ($, $-1 for none) and arrays (*, *-1 for none),
-- arrays nesting any of them.
local temblor = require("temblor")

local M = {}

-- An error reply: a value of its own, so that it can sit in an array like any other reply.
local ErrorReply = {}
ErrorReply.__index = ErrorReply

---@param message string
function M.error_reply(message) return setmetatable({ message = message }, ErrorReply) end

---@return boolean
function M.is_error(value) return getmetatable(value) == ErrorReply end

---The bytes of a command.
---@param args string[]
---@return string
function M.encode(args)
  local out = { "*" .. #args .. "\r\n" }
  for _, arg in ipairs(args) do
    out[#out + 1] = "$" .. #arg .. "\r\n"
    out[#out + 1] = arg
    out[#out + 1] = "\r\n"
  end
  return table.concat(out)
end

local MAX_DEPTH = 32

---Reads one reply from `sock` (anything with LuaSocket's `receive("*l")` and `receive(n)`).
---Returns the reply (a string, an integer, a list, `temblor.null`, or an error reply), or nil
---and why the connection is no longer usable (`closed`, `timeout`, a protocol error).
---@param sock { receive: fun(self: any, pattern: string|integer): string?, string? }
---@param depth? integer
function M.read(sock, depth)
  depth = depth or 0
  if depth > MAX_DEPTH then return nil, "protocol error: replies nested deeper than " .. MAX_DEPTH end
  local line, err = sock:receive("*l")
  if not line then return nil, err end
  local kind, rest = line:sub(1, 1), line:sub(2)
  if kind == "+" then return rest end
  if kind == "-" then return M.error_reply(rest) end
  local n = rest:match("^%-?%d+$") and math.tointeger(tonumber(rest))
  if kind == ":" then
    if not n then return nil, "protocol error: bad integer reply ':" .. rest:sub(1, 40) .. "'" end
    return n
  end
  if kind == "$" then
    if not n or n < -1 then return nil, "protocol error: bad bulk length '$" .. rest:sub(1, 40) .. "'" end
    if n == -1 then return temblor.null end
    local data, failure = sock:receive(n + 2)
    if not data then return nil, failure end
    if data:sub(-2) ~= "\r\n" then return nil, "protocol error: a bulk string of " .. n .. " bytes does not end with CRLF" end
    return data:sub(1, n)
  end
  if kind == "*" then
    if not n or n < -1 then return nil, "protocol error: bad array length '*" .. rest:sub(1, 40) .. "'" end
    if n == -1 then return temblor.null end
    local items = {}
    for i = 1, n do
      local item, failure = M.read(sock, depth + 1)
      if item == nil then return nil, failure end
      items[i] = item
    end
    return items
  end
  return nil, "protocol error: unexpected reply '" .. line:sub(1, 40) .. "'"
end

return M
