-- temblor.test: the unit-test API of `temblor test` (docs/plugin-testing.md).
--
-- A test file declares plugins and cases; the host runs each case in a coroutine and hands it
-- a fresh instance `p` of the plugin. What `p` does (feeding events, running the source, the
-- fake clock) happens in the host: each method yields a request and the host resumes the case
-- with `true, results...` or `false, message`. The fake world behind the host I/O stubs (files,
-- socket buffers, datagrams) lives here, and the host asks it through `driver.io`.

local t = {}

local yield, pack, unpack = coroutine.yield, table.pack, table.unpack
local type, tostring, pairs, ipairs, error, pcall = type, tostring, pairs, ipairs, error, pcall
local mtype, format, concat, sort = math.type, string.format, table.concat, table.sort
local null = temblor.null

-- Declarations -------------------------------------------------------------------------------

local plugins, cases = {}, {}
local option_names = { config = true, kind = true, allow = true, limits = true, codec = true }

---Declares the plugin the next cases test: a file or a directory with init.lua, relative to
---the test file.
---@param path string
---@param options? { config?: table, kind?: "connector"|"operator", allow?: table, limits?: table, codec?: string }
function t.plugin(path, options)
  if type(path) ~= "string" or path == "" then error("t.plugin: the plugin's path must be a string such as \"init.lua\"", 2) end
  options = options or {}
  if type(options) ~= "table" then error("t.plugin: the options must be a table", 2) end
  for key in pairs(options) do
    if not option_names[key] then
      error(format("t.plugin: unknown option '%s' (the options are config, kind, allow, limits and codec)", tostring(key)), 2)
    end
  end
  if options.kind ~= nil and options.kind ~= "connector" and options.kind ~= "operator" then
    error("t.plugin: kind must be \"connector\" or \"operator\"", 2)
  end
  plugins[#plugins + 1] = { path = path, options = options }
end

---Declares a case: `fn(p)` gets a fresh instance of the plugin declared last.
---@param name string
---@param fn fun(p: temblor.test.Plugin)
function t.case(name, fn)
  if type(name) ~= "string" then error("t.case: the name must be a string", 2) end
  if type(fn) ~= "function" then error("t.case: the case must be a function(p)", 2) end
  if #plugins == 0 then error("t.case: declare the plugin first, with t.plugin(path)", 2) end
  cases[#cases + 1] = { name = name, fn = fn, plugin = #plugins }
end

-- Rendering and comparing values -------------------------------------------------------------

local function is_identifier(key)
  return type(key) == "string" and key:match("^[%a_][%w_]*$") ~= nil
end

local function render(value, depth)
  depth = depth or 0
  local kind = type(value)
  if value == null then return "temblor.null" end
  if kind == "string" then return format("%q", value):gsub("\\\n", "\\n") end
  if kind == "number" then
    if mtype(value) == "integer" then return format("%d", value) end
    if value == math.floor(value) and value > -1e15 and value < 1e15 then return format("%.1f", value) end
    return format("%.17g", value)
  end
  if kind ~= "table" then return tostring(value) end
  if depth > 8 then return "{...}" end
  local parts, count = {}, #value
  local sequence = count > 0 and next(value, count) == nil
  if sequence then
    for i = 1, count do parts[i] = render(value[i], depth + 1) end
    return "{ " .. concat(parts, ", ") .. " }"
  end
  local keys = {}
  for key in pairs(value) do keys[#keys + 1] = key end
  if #keys == 0 then return "{}" end
  sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, key in ipairs(keys) do
    local name = is_identifier(key) and key or ("[" .. render(key, depth + 1) .. "]")
    parts[#parts + 1] = name .. " = " .. render(value[key], depth + 1)
  end
  return "{ " .. concat(parts, ", ") .. " }"
end
t.render = render

local function describe(value)
  local text = render(value)
  if #text > 300 then text = text:sub(1, 297) .. "..." end
  if type(value) == "number" then text = text .. " (" .. mtype(value) .. ")" end
  return text
end

local function child(path, key)
  if is_identifier(key) then return (path == "" and "" or path .. ".") .. key end
  return path .. "[" .. render(key) .. "]"
end

local function differences(actual, expected, path, out)
  if rawequal(actual, expected) then return end
  local ta, te = type(actual), type(expected)
  if ta == "table" and te == "table" and actual ~= null and expected ~= null then
    local seen = {}
    for key, value in pairs(expected) do
      seen[key] = true
      differences(actual[key], value, child(path, key), out)
    end
    for key, value in pairs(actual) do
      if not seen[key] then differences(value, nil, child(path, key), out) end
    end
    return
  end
  local same
  if ta == "number" and te == "number" then
    same = mtype(actual) == mtype(expected) and (actual == expected or (actual ~= actual and expected ~= expected))
  else
    same = ta == te and actual == expected
  end
  if not same then
    out[#out + 1] = format("%s: expected %s, got %s", path == "" and "the value" or path, describe(expected), describe(actual))
  end
end

local function fail(message, extra, level)
  error(extra and (message .. ": " .. extra) or message, level + 1)
end

---Passes when the two are equal as values; on failure, lists every path that differs.
function t.same(actual, expected, message)
  local out = {}
  differences(actual, expected, "", out)
  if #out == 0 then return end
  local shown = {}
  for i = 1, math.min(#out, 20) do shown[i] = "  " .. out[i] end
  if #out > 20 then shown[#shown + 1] = format("  ... and %d more", #out - 20) end
  local head = (message and (message .. ": ") or "") .. format("not the same (%d difference%s)", #out, #out == 1 and "" or "s")
  error(head .. "\n" .. concat(shown, "\n") .. "\n  expected: " .. describe(expected) .. "\n  actual:   " .. describe(actual), 2)
end

---Passes when `value` is neither false nor nil.
function t.ok(value, message)
  if not value then fail(message or "expected a true value", "got " .. describe(value), 2) end
  return value
end

---Passes when two numbers differ by at most `tolerance` (default 1e-9).
function t.near(actual, expected, tolerance, message)
  tolerance = tolerance or 1e-9
  if type(actual) ~= "number" or type(expected) ~= "number" or math.abs(actual - expected) > tolerance then
    fail(message or "not near", format("expected %s within %s, got %s", describe(expected), tostring(tolerance), describe(actual)), 2)
  end
end

---Passes when `string.find(text, pattern)` finds the pattern.
function t.matches(text, pattern, message)
  if type(text) ~= "string" or not text:find(pattern) then
    fail(message or "no match", format("expected text matching %q, got %s", pattern, describe(text)), 2)
  end
end

---Passes when `fn()` raises an error whose message contains `pattern` (a Lua pattern).
function t.fails(fn, pattern, message)
  local ok, err = pcall(fn)
  if ok then fail(message or "expected an error", "the function returned normally", 2) end
  if pattern and not tostring(err):find(pattern) then
    fail(message or "another error", format("expected an error matching %q, got %s", pattern, describe(tostring(err))), 2)
  end
  return err
end

-- The plugin under test ----------------------------------------------------------------------

local world  -- the fake outside world of the running case

local function ask(request)
  local results = pack(yield(request))
  if not results[1] then error(results[2], 3) end
  return unpack(results, 2, results.n)
end

---@class temblor.test.Plugin
local Plugin = {}
Plugin.__index = Plugin
Plugin.__metatable = "temblor.test.plugin"

function Plugin:start() return (ask { op = "start" }) end
function Plugin:feed(event, meta)
  if event == nil then error("p:feed: the event is missing", 2) end
  if meta ~= nil and type(meta) ~= "table" then error("p:feed: the metadata must be a table", 2) end
  local ok, err = ask { op = "feed", event = event, meta = meta }
  return ok, err
end
function Plugin:emitted() return (ask { op = "emitted" }) end
function Plugin:acked() return (ask { op = "acked" }) end
function Plugin:failed() return (ask { op = "failed" }) end
function Plugin:errors() return (ask { op = "errors" }) end
function Plugin:logs() return (ask { op = "logs" }) end
function Plugin:state() return (ask { op = "state" }) end
function Plugin:now() return (ask { op = "now" }) end
function Plugin:stop() ask { op = "stop" } end
function Plugin:call(hook)
  if type(hook) ~= "string" then error("p:call: the hook's name must be a string such as \"on_drain\"", 2) end
  return (ask { op = "call", hook = hook })
end
function Plugin:run_source(options)
  options = options or {}
  if type(options) ~= "table" then error("p:run_source: the options must be a table such as { events = 10 }", 2) end
  return (ask { op = "run_source", events = options.events, ms = options.ms })
end
function Plugin:advance(ms)
  if mtype(ms) ~= "integer" or ms < 0 then error("p:advance: the milliseconds must be an integer of 0 or more", 2) end
  ask { op = "advance", ms = ms }
end
function Plugin:reload(path)
  if path ~= nil and type(path) ~= "string" then error("p:reload: the path must be a string", 2) end
  local ok, err = ask { op = "reload", path = path }
  return ok, err
end

local function stub(self, kind, fn, name)
  if type(fn) ~= "function" then error(format("p:%s: the stub must be a function", name), 3) end
  world[kind] = fn
  ask { op = "mock", kind = kind }
  return self
end
function Plugin:mock_http(fn) return stub(self, "http", fn, "mock_http") end
function Plugin:mock_tcp(fn) return stub(self, "tcp", fn, "mock_tcp") end
function Plugin:mock_udp(fn) return stub(self, "udp", fn, "mock_udp") end
function Plugin:datagram(data, host, port)
  if type(data) ~= "string" then error("p:datagram: the datagram must be a string", 2) end
  world.inbox[#world.inbox + 1] = { data = data, host = host or "127.0.0.1", port = port or 40000 }
  if not world.udp_mocked then
    world.udp_mocked = true
    ask { op = "mock", kind = "udp" }
  end
  return self
end

local function normal(path)
  path = path:gsub("^%./", ""):gsub("/+", "/")
  if #path > 1 then path = path:gsub("/$", "") end
  return path
end
function Plugin:mock_fs(files)
  if type(files) ~= "table" then error("p:mock_fs: the files must be a table of paths to contents", 2) end
  local copy = {}
  for path, content in pairs(files) do
    if type(path) ~= "string" or type(content) ~= "string" then error("p:mock_fs: paths and contents must be strings", 2) end
    copy[normal(path)] = content
  end
  world.files = copy
  ask { op = "mock", kind = "fs" }
  return self
end
function Plugin:files()
  local copy = temblor.object()
  for path, content in pairs(world.files or {}) do copy[path] = content end
  return copy
end

-- The fake world -----------------------------------------------------------------------------

local first_handle = 1 << 20

local function new_world()
  return { handles = {}, next_handle = first_handle, inbox = {} }
end

local function open(entry)
  local handle = world.next_handle
  world.next_handle = handle + 1
  world.handles[handle] = entry
  return handle
end

local function values(...) return { values = temblor.array(pack(...)) } end
local function waits(request) return { wait = request.timeout_ms, error = "timeout" } end

local function call_stub(name, fn, ...)
  local results = pack(pcall(fn, ...))
  if not results[1] then return nil, { raise = format("the %s stub failed: %s", name, tostring(results[2])) } end
  return results
end

local io = {}

io["http.request"] = function(request)
  local results, raised = call_stub("http", world.http, {
    method = request.method, url = request.url, headers = request.headers or {}, body = request.body or "",
    timeout_ms = request.timeout_ms,
  })
  if raised then return raised end
  local response, message = results[2], results[3]
  if response == nil then return { error = message or "the http stub returned nothing" } end
  if type(response) ~= "table" then
    return { raise = "the http stub must return a response table, or nil and a message; it returned a " .. type(response) }
  end
  local status = response.status or 200
  if mtype(status) ~= "integer" then return { raise = "the http stub's status must be an integer, not " .. describe(status) } end
  local headers = temblor.object()
  for name, value in pairs(response.headers or {}) do headers[tostring(name):lower()] = tostring(value) end
  return values(status, headers, tostring(response.body or ""))
end

io["tcp.connect"] = function(request)
  local conn = { host = request.host, port = request.port, tls = request.tls }
  local results, raised = call_stub("tcp", world.tcp, conn, nil)
  if raised then return raised end
  local reply, message = results[2], results[3]
  if (reply == nil and message ~= nil) or reply == false then return { error = message or "connection refused" } end
  return values(open { kind = "tcp", conn = conn, buffer = type(reply) == "string" and reply or "", closed = false })
end

io["tcp.send"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed or entry.peer_closed then return { error = "closed" } end
  local results, raised = call_stub("tcp", world.tcp, entry.conn, request.data)
  if raised then return raised end
  local reply = results[2]
  if reply == false then entry.peer_closed = true
  elseif type(reply) == "string" then entry.buffer = entry.buffer .. reply end
  return values(#request.data)
end

local function take(entry, count)
  local data = entry.buffer:sub(1, count)
  entry.buffer = entry.buffer:sub(count + 1)
  return data
end

io["tcp.receive"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed then return { error = "closed" } end
  local pattern, buffer = request.pattern, entry.buffer
  if pattern == "*l" then
    local stop = buffer:find("\n", 1, true)
    if stop then
      local line = take(entry, stop):sub(1, -2)
      return values((line:gsub("\r$", "")))
    end
  elseif pattern == "*a" then
    if entry.peer_closed then return values(take(entry, #buffer)) end
  elseif mtype(pattern) == "integer" then
    if #buffer >= pattern then return values(take(entry, pattern)) end
  end
  if entry.peer_closed then return { error = "closed" } end
  return waits(request)
end

io["tcp.receive_until"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed then return { error = "closed" } end
  local start, stop = entry.buffer:find(request.delimiter, 1, true)
  if start then
    local data = take(entry, stop):sub(1, start - 1)
    return values(data)
  end
  if entry.peer_closed then return { error = "closed" } end
  return waits(request)
end

io["udp.open"] = function() return values(open { kind = "udp", inbox = {} }) end
io["udp.bind"] = function(request)
  return values(open { kind = "udp", inbox = world.inbox, bound = request.host .. ":" .. request.port })
end

io["udp.sendto"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed then return { error = "closed" } end
  if world.udp then
    local results, raised = call_stub("udp", world.udp, request.data, request.host, request.port)
    if raised then return raised end
    if type(results[2]) == "string" then
      entry.inbox[#entry.inbox + 1] = { data = results[2], host = request.host, port = request.port }
    end
  end
  return values(#request.data)
end

io["udp.receivefrom"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed then return { error = "closed" } end
  local datagram = table.remove(entry.inbox, 1)
  if datagram then return values(datagram.data, datagram.host, datagram.port) end
  return waits(request)
end

io["close"] = function(request)
  local entry = world.handles[request.handle]
  if entry then entry.closed = true end
  return values(true)
end

local function no_file(path) return { error = path .. ": No such file or directory" } end

io["fs.read"] = function(request)
  local content = world.files[normal(request.path)]
  if content == nil then return no_file(request.path) end
  return values(content)
end

io["fs.write"] = function(request)
  local path = normal(request.path)
  world.files[path] = (request.append and world.files[path] or "") .. request.data
  return values(#request.data)
end

io["fs.list"] = function(request)
  local directory = normal(request.path)
  local prefix = (directory == "." or directory == "") and "" or (directory .. "/")
  local names, seen = {}, {}
  for path in pairs(world.files) do
    if path:sub(1, #prefix) == prefix then
      local name = path:sub(#prefix + 1):match("^[^/]+")
      if name and not seen[name] then seen[name] = true; names[#names + 1] = name end
    end
  end
  if #names == 0 and prefix ~= "" then return no_file(request.path) end
  sort(names)
  return values(temblor.array(names))
end

io["fs.lines"] = function(request)
  local content = world.files[normal(request.path)]
  if content == nil then return no_file(request.path) end
  local lines = {}
  for line in content:gmatch("([^\n]*)\n") do lines[#lines + 1] = (line:gsub("\r$", "")) end
  local rest = content:match("([^\n]+)$")
  if rest then lines[#lines + 1] = (rest:gsub("\r$", "")) end
  return values(open { kind = "lines", lines = lines, next = 1 })
end

io["fs.next_line"] = function(request)
  local entry = world.handles[request.handle]
  if not entry or entry.closed then return { error = "closed" } end
  local line = entry.lines[entry.next]
  if line == nil then return values() end
  entry.next = entry.next + 1
  return values(line)
end

-- The driver the host calls ------------------------------------------------------------------

local driver = {}

---The declared cases and the plugin each one tests.
function driver.cases()
  local list = temblor.array()
  for index, case in ipairs(cases) do
    local plugin = plugins[case.plugin]
    list[index] = { name = case.name, plugin = plugin.path, options = plugin.options, spec = case.plugin }
  end
  return list
end

---Runs case `index` with a fresh plugin instance (the host made it before starting this).
function driver.run(index)
  world = new_world()
  world.files = {}
  local p = setmetatable({}, Plugin)
  cases[index].fn(p)
  return true
end

---Answers a stubbed host I/O call of the running case.
function driver.io(request)
  local answer = io[request.call]
  if not answer then return { raise = "no stub answers " .. tostring(request.call) } end
  if request.data ~= nil and type(request.data) ~= "string" then request.data = tostring(request.data) end
  return answer(request)
end

---A fixture run: the differences between what was emitted and what was expected, as text.
function driver.compare(actual, expected)
  local out = {}
  differences(actual, expected, "", out)
  return concat(out, "\n")
end

rawset(_G, "__temblor_test", driver)

return t
