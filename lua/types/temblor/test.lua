---@meta temblor.test
-- LuaLS annotations of `temblor.test`, the unit-test API of `temblor test`
-- (docs/plugin-testing.md), so that editors complete `t.` and `p:` in *_test.lua files.

---A response a `p:mock_http` stub returns.
---@class temblor.test.HttpResponse
---@field status? integer Default 200.
---@field headers? table<string, string>
---@field body? string Default "".

---What a `p:mock_http` stub receives.
---@class temblor.test.HttpRequest
---@field method string
---@field url string
---@field headers table<string, string>
---@field body string "" when the request has none.
---@field timeout_ms integer

---The connection a `p:mock_tcp` stub is told about.
---@class temblor.test.TcpConnection
---@field host string
---@field port integer
---@field tls boolean

---An event the plugin emitted.
---@class temblor.test.Emitted
---@field payload any
---@field meta table<string, any> `{}` when none was given.
---@field port? string An operator's port, when it is not `out` (`"err"` for an event `on_event` failed on).

---A line the plugin logged with `ctx:log`.
---@class temblor.test.LogLine
---@field level "trace"|"debug"|"info"|"warn"|"error"
---@field message string

---The options of `t.plugin`.
---@class temblor.test.PluginOptions
---@field config? table The flow's `config`, merged over the plugin's `defaults`.
---@field kind? "connector"|"operator" Default "connector".
---@field allow? { net?: string[], read?: string[], write?: string[] } Without it, everything is granted.
---@field limits? table As a flow's `limits:`.
---@field codec? "json"|"string"|"binary" What decodes `ctx:emit_raw` bytes; default "json".

---The plugin under test, a fresh instance for each case.
---@class temblor.test.Plugin
local Plugin = {}

---Runs `connect` (which must return true) and `on_start`; done before the first call that runs the plugin.
---@return boolean connected
---@return string? err
function Plugin:start() end

---Calls `on_event(ctx, event, meta)`: acked when it returns, failed when it raises (an operator's is routed).
---@param event any
---@param meta? table<string, any>
---@return boolean ok
---@return string? err
function Plugin:feed(event, meta) end

---Every event emitted so far, in order.
---@return temblor.test.Emitted[]
function Plugin:emitted() end

---How many fed events were acknowledged.
---@return integer
function Plugin:acked() end

---How many fed events failed.
---@return integer
function Plugin:failed() end

---The error messages so far: failed events, failed hooks, a failed source.
---@return string[]
function Plugin:errors() end

---What the plugin logged with `ctx:log`.
---@return temblor.test.LogLine[]
function Plugin:logs() end

---`ctx.state` as it is now.
---@return table
function Plugin:state() end

---The fake clock in milliseconds (what `ctx:now()` reads); 0 when the case starts.
---@return integer
function Plugin:now() end

---Runs a lifecycle hook and returns its first result; its error is raised.
---@param hook "connect"|"on_start"|"on_pause"|"on_resume"|"on_drain"|"on_stop"
---@return any
function Plugin:call(hook) end

---`ctx:running()` turns false and `on_stop` runs.
function Plugin:stop() end

---Runs the source until it returns, emitted `events` events, or `ms` passed on the fake clock.
---@param options? { events?: integer, ms?: integer }
---@return integer emitted How many events the source emitted during the call.
function Plugin:run_source(options) end

---Moves the fake clock: timers fire at their times, a sleeping source started by run_source resumes.
---@param ms integer
function Plugin:advance(ms) end

---Loads the plugin again (or `path`) as a hot reload does: `ctx.state` carried, `on_reload` run.
---@param path? string Relative to the test file.
---@return boolean ok
---@return string? err
function Plugin:reload(path) end

---Answers every `temblor.http.request` of the plugin.
---@param fn fun(request: temblor.test.HttpRequest): temblor.test.HttpResponse?, string?
---@return temblor.test.Plugin
function Plugin:mock_http(fn) end

---A fake TCP peer: called with `data == nil` at the connect, then with each chunk sent. A string
---it returns is queued for the plugin's reads; `false` closes; `nil, "connection refused"` refuses.
---@param fn fun(conn: temblor.test.TcpConnection, data: string?): (string|false|nil), string?
---@return temblor.test.Plugin
function Plugin:mock_tcp(fn) end

---Answers each datagram the plugin sends; a string it returns is a reply to the sending socket.
---@param fn fun(data: string, host: string, port: integer): string?
---@return temblor.test.Plugin
function Plugin:mock_udp(fn) end

---Queues a datagram for the plugin's socket bound with `temblor.udp.bind`.
---@param data string
---@param host? string Default "127.0.0.1".
---@param port? integer Default 40000.
---@return temblor.test.Plugin
function Plugin:datagram(data, host, port) end

---Replaces the file system with `files` (paths to contents).
---@param files table<string, string>
---@return temblor.test.Plugin
function Plugin:mock_fs(files) end

---The fake file system as it is now.
---@return table<string, string>
function Plugin:files() end

---@class temblor.test
local t = {}

---Declares the plugin the next cases test (relative to the test file).
---@param path string
---@param options? temblor.test.PluginOptions
function t.plugin(path, options) end

---Declares a case: `fn(p)` gets a fresh instance of the plugin declared last.
---@param name string
---@param fn fun(p: temblor.test.Plugin)
function t.case(name, fn) end

---Passes when the values are equal (tables field by field, integers and floats apart); lists what differs.
---@param actual any
---@param expected any
---@param message? string
function t.same(actual, expected, message) end

---Passes when `value` is neither false nor nil.
---@generic T
---@param value T
---@param message? string
---@return T
function t.ok(value, message) end

---Passes when two numbers differ by at most `tolerance` (default 1e-9).
---@param actual number
---@param expected number
---@param tolerance? number
---@param message? string
function t.near(actual, expected, tolerance, message) end

---Passes when `string.find(text, pattern)` finds the pattern.
---@param text string
---@param pattern string
---@param message? string
function t.matches(text, pattern, message) end

---Passes when `fn()` raises an error matching `pattern`; returns the error.
---@param fn fun()
---@param pattern? string
---@param message? string
---@return any err
function t.fails(fn, pattern, message) end

---A value as text, as failure messages show it.
---@param value any
---@return string
function t.render(value) end

return t
