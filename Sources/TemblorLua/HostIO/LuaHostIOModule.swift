/// The Lua half of the host I/O API (DESIGN §8, "Host I/O"): `temblor.tcp`, `temblor.udp`,
/// `temblor.http`, `temblor.fs` and `temblor.now`, written over one host function so that
/// argument errors read as Lua's own and the objects a script holds are plain tables. Every
/// call that waits yields the calling coroutine; the host resumes it with the results.
enum LuaHostIOModule {
    /// `source` as C characters, where every state's loader reads it. Never mutated or freed
    /// after it was made (a lazily made global, so made once), hence safe to share.
    nonisolated(unsafe) static let text: UnsafeBufferPointer<CChar> = {
        let bytes = Array(source.utf8CString)
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return UnsafeBufferPointer(start: buffer.baseAddress, count: bytes.count - 1)
    }()

    static let source = #"""
local host_io, temblor, json_decode = ...
local type, mtype, tostring, error, setmetatable, getmetatable = type, math.type, tostring, error, setmetatable, getmetatable
local format = string.format

-- What the host knows a socket by: kept out of the script's reach (a weak table keyed by the
-- object the script holds), so that an object cannot be made to stand for another handle.
local handles = setmetatable({}, { __mode = "k" })

local function bad(position, name, expected, value)
  error(format("bad argument #%d to '%s' (%s expected, got %s)", position, name, expected, type(value)), 3)
end
local function text(value, position, name)
  -- Strings, or temblor.bytes (the host checks that a userdata is one).
  if type(value) == "string" or type(value) == "userdata" then return value end
  bad(position, name, "string", value)
end
local function port(value, position, name)
  if mtype(value) ~= "integer" or value < 0 or value > 65535 then
    error(format("bad argument #%d to '%s' (a port number from 0 to 65535 expected, got %s)", position, name, tostring(value)), 3)
  end
  return value
end
local function timeout(options, position, name, default)
  if options == nil then return default end
  if type(options) ~= "table" then bad(position, name, "table of options", options) end
  local ms = options.timeout_ms
  if ms == nil then return default end
  if mtype(ms) ~= "integer" or ms < 1 then
    error(format("bad argument #%d to '%s' (timeout_ms must be a positive integer, got %s)", position, name, tostring(ms)), 3)
  end
  return ms
end
local function own(self, kind, name)
  local entry = handles[self]
  if entry == nil or entry.kind ~= kind then
    error(format("bad self to '%s' (a %s socket expected: call it with a colon, sock:%s(...))", name, kind, name), 3)
  end
  return entry
end
local function close(self, kind)
  local entry = own(self, kind, "close")
  if entry.id then host_io("close", entry.id); entry.id = false end
  return 1
end
local function wrap(meta, kind, id)
  local object = setmetatable({}, meta)
  handles[object] = { kind = kind, id = id }
  return object
end
local function socket_class(kind)
  local class = {}
  class.__index = class
  class.__metatable = "temblor." .. kind .. ".socket"
  class.__name = class.__metatable
  class.__close = function(self) close(self, kind) end
  class.__tostring = function(self)
    local entry = handles[self]
    return format("temblor.%s.socket (%s)", kind, entry and entry.id and ("#" .. entry.id) or "closed")
  end
  class.close = function(self) return close(self, kind) end
  class.settimeout = function(self, ms)
    local entry = own(self, kind, "settimeout")
    if ms ~= nil and (mtype(ms) ~= "integer" or ms < 1) then bad(1, "settimeout", "positive integer (milliseconds)", ms) end
    entry.timeout = ms
    return 1
  end
  return class
end
local function live(entry) if entry.id then return entry.id end return nil end

-- TCP -----------------------------------------------------------------------------------------
local Tcp = socket_class("tcp")
function Tcp:send(data, options)
  local entry = own(self, "tcp", "send")
  data = text(data, 1, "send")
  local id = live(entry)
  if not id then return nil, "closed" end
  return host_io("tcp.send", id, data, timeout(options, 2, "send", entry.timeout))
end
function Tcp:receive(pattern, options)
  local entry = own(self, "tcp", "receive")
  if pattern == nil then pattern = "*l" end
  if pattern == "l" then pattern = "*l" elseif pattern == "a" then pattern = "*a" end
  if pattern ~= "*l" and pattern ~= "*a" and not (mtype(pattern) == "integer" and pattern >= 0) then
    error(format("bad argument #1 to 'receive' (\"*l\", \"*a\" or a byte count expected, got %s)", tostring(pattern)), 2)
  end
  local id = live(entry)
  if not id then return nil, "closed" end
  return host_io("tcp.receive", id, pattern, timeout(options, 2, "receive", entry.timeout))
end
function Tcp:receive_until(delimiter, options)
  local entry = own(self, "tcp", "receive_until")
  if type(delimiter) ~= "string" or delimiter == "" then bad(1, "receive_until", "non-empty string", delimiter) end
  local id = live(entry)
  if not id then return nil, "closed" end
  return host_io("tcp.receive_until", id, delimiter, timeout(options, 2, "receive_until", entry.timeout))
end
Tcp.receiveuntil = Tcp.receive_until

local tcp = {}
function tcp.connect(host, port_number, options)
  if type(host) ~= "string" then bad(1, "temblor.tcp.connect", "string", host) end
  port_number = port(port_number, 2, "temblor.tcp.connect")
  local ms = timeout(options, 3, "temblor.tcp.connect")
  local tls = options ~= nil and options.tls or false
  if type(tls) ~= "boolean" then
    error(format("bad argument #3 to 'temblor.tcp.connect' (tls must be true or false, got %s)", tostring(tls)), 2)
  end
  local id, err = host_io("tcp.connect", host, port_number, ms, tls)
  if not id then return nil, err end
  return wrap(Tcp, "tcp", id)
end

-- UDP -----------------------------------------------------------------------------------------
local Udp = socket_class("udp")
function Udp:sendto(data, host, port_number, options)
  local entry = own(self, "udp", "sendto")
  data = text(data, 1, "sendto")
  if type(host) ~= "string" then bad(2, "sendto", "string", host) end
  port_number = port(port_number, 3, "sendto")
  local id = live(entry)
  if not id then return nil, "closed" end
  return host_io("udp.sendto", id, data, host, port_number, timeout(options, 4, "sendto", entry.timeout))
end
function Udp:receivefrom(options)
  local entry = own(self, "udp", "receivefrom")
  local id = live(entry)
  if not id then return nil, "closed" end
  return host_io("udp.receivefrom", id, timeout(options, 1, "receivefrom", entry.timeout))
end
Udp.send_to = Udp.sendto
Udp.receive_from = Udp.receivefrom

local udp = {}
function udp.open()
  local id, err = host_io("udp.open")
  if not id then return nil, err end
  return wrap(Udp, "udp", id)
end
function udp.bind(host, port_number)
  if type(host) ~= "string" then bad(1, "temblor.udp.bind", "string", host) end
  port_number = port(port_number, 2, "temblor.udp.bind")
  local id, err = host_io("udp.bind", host, port_number)
  if not id then return nil, err end
  return wrap(Udp, "udp", id)
end

-- HTTP ----------------------------------------------------------------------------------------
local http = {}
function http.request(request)
  if type(request) == "string" then request = { url = request } end
  if type(request) ~= "table" then bad(1, "temblor.http.request", "table {method, url, headers, body, timeout_ms}", request) end
  local method = request.method or "GET"
  if type(method) ~= "string" or not method:match("^[A-Za-z]+$") then bad(1, "temblor.http.request", "method as a word such as \"GET\"", method) end
  if type(request.url) ~= "string" then bad(1, "temblor.http.request", "url string", request.url) end
  local headers = request.headers
  if headers ~= nil and type(headers) ~= "table" then bad(1, "temblor.http.request", "headers table", headers) end
  local body = request.body
  if body ~= nil then body = text(body, 1, "temblor.http.request") end
  local status, response_headers, response_body = host_io("http.request", method:upper(), request.url, headers, body,
    timeout(request, 1, "temblor.http.request"))
  if not status then return nil, response_headers end
  return { status = status, headers = response_headers, body = response_body }
end

-- Files ---------------------------------------------------------------------------------------
local fs = {}
local function path_of(path, name)
  if type(path) ~= "string" or path == "" then bad(1, name, "path string", path) end
  return path
end
function fs.read(path) return host_io("fs.read", path_of(path, "temblor.fs.read")) end
function fs.write(path, data) return host_io("fs.write", path_of(path, "temblor.fs.write"), text(data, 2, "temblor.fs.write")) end
function fs.append(path, data) return host_io("fs.append", path_of(path, "temblor.fs.append"), text(data, 2, "temblor.fs.append")) end
function fs.list(path) return host_io("fs.list", path_of(path, "temblor.fs.list")) end
local Lines = { __metatable = "temblor.fs.lines" }
Lines.__close = function(reader) if reader.id then host_io("close", reader.id); reader.id = false end end
Lines.__index = Lines
-- Returns an iterator for `for line in ...`, which closes the file when the loop ends, breaks
-- or fails (the fourth value is its closing value); or nil, err when the file cannot be opened.
function fs.lines(path)
  local id, err = host_io("fs.lines", path_of(path, "temblor.fs.lines"))
  if not id then return nil, err end
  local reader = setmetatable({ id = id }, Lines)
  local function next_line()
    if not reader.id then return nil end
    local line, failure = host_io("fs.next_line", reader.id)
    if line == nil then
      reader.id = false
      if failure then error(failure, 2) end
    end
    return line
  end
  return next_line, nil, nil, reader
end

-- JSON ----------------------------------------------------------------------------------------
-- decode is the host's (simdjson, the Value bridge's mapping: null is temblor.null); encode
-- writes what the bridge would: arrays for sequences and temblor.array tables, objects else.
local json = { decode = json_decode }
local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return escapes[c] or format("\\u%04x", c:byte()) end) .. '"'
end
local null, concat, pairs, next, sort = temblor.null, table.concat, pairs, next, table.sort
local function encode(value, depth)
  if depth > 100 then error("temblor.json.encode: value nested deeper than 100 levels", depth + 2) end
  local kind = type(value)
  if value == nil or value == null then return "null" end
  if kind == "boolean" then return value and "true" or "false" end
  if kind == "number" then
    if mtype(value) == "integer" then return format("%d", value) end
    if value ~= value or value == math.huge or value == -math.huge then error("temblor.json.encode: " .. tostring(value) .. " has no JSON form", depth + 2) end
    -- The shortest text that reads back as the same number, and still a float when it is
    -- integral (1.0, not 1), as the Value bridge keeps them apart.
    local text
    for digits = 15, 17 do
      text = format("%." .. digits .. "g", value)
      if tonumber(text) == value then break end
    end
    if not text:find("[%.eEn]") then text = text .. ".0" end
    return text
  end
  if kind == "string" then return quote(value) end
  if kind == "userdata" then return quote(tostring(value)) end
  if kind ~= "table" then error("temblor.json.encode: a " .. kind .. " has no JSON form", depth + 2) end
  local parts, count = {}, #value
  if getmetatable(value) == "temblor.array" or (count > 0 and next(value, count) == nil) or (next(value) == nil and getmetatable(value) ~= "temblor.object") then
    for i = 1, count do parts[i] = encode(value[i], depth + 1) end
    return "[" .. concat(parts, ",") .. "]"
  end
  for key, item in pairs(value) do
    if type(key) ~= "string" then key = tostring(key) end
    parts[#parts + 1] = quote(key) .. ":" .. encode(item, depth + 1)
  end
  return "{" .. concat(parts, ",") .. "}"
end
function json.encode(value) return encode(value, 0) end

temblor.tcp, temblor.udp, temblor.http, temblor.fs, temblor.json = tcp, udp, http, fs, json
-- Milliseconds of a monotonic clock, with a fraction: for deadlines and durations.
function temblor.now() return host_io("now") end
"""#
}
