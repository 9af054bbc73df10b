---@meta
-- LuaLS annotations of the host API a Temblor plugin sees (DESIGN §8), so that editors
-- complete `ctx:` and `temblor.`. Point your editor's Lua.workspace.library at this folder.
-- This file only describes the API; the host provides it at run time.

---The value that stands for JSON null (never `nil`, so arrays keep their holes).
---@class temblor.null

---Raw bytes, kept apart from strings so that binary data is never mistaken for text.
---@class temblor.bytes

---@class temblor.Meta: table<string, any>

---What every hook receives: the connector's configuration and state, and the host's services.
---@class temblor.Context
---@field config table<string, any> The flow's `config`, merged over the plugin's `defaults`.
---@field state table<string, any> Survives restarts and reloads of the plugin.
local Context = {}

---Emits an event; in a source it yields while the bus applies backpressure.
---@param value any
---@param meta? temblor.Meta
function Context:emit(value, meta) end

---Emits raw bytes, decoded by the connector's native preprocessors and codec.
---@param bytes string|temblor.bytes
---@param meta? temblor.Meta
function Context:emit_raw(bytes, meta) end

---Logs through the daemon's logger, tagged with the plugin's name.
---@param level "trace"|"debug"|"info"|"warn"|"error"
---@param message string
function Context:log(level, message) end

---Suspends the calling coroutine for `ms` milliseconds.
---@param ms integer
function Context:sleep(ms) end

---Calls `fn` every `ms` milliseconds while the connector runs.
---@param ms integer
---@param fn fun(ctx: temblor.Context)
function Context:every(ms, fn) end

---False once the flow is stopping: sources loop `while ctx:running() do ... end`.
---@return boolean
function Context:running() end

---Monotonic milliseconds, for measuring time within the plugin.
---@return integer
function Context:now() end

---Records a metric value under the plugin's name.
---@param name string
---@param value number
function Context:metric(name, value) end

---A TCP connection opened with `temblor.tcp.connect` (calls yield; failures return nil, err).
---@class temblor.TcpSocket
local TcpSocket = {}
---@param data string
---@return integer? sent, string? err
function TcpSocket:send(data) end
---@param pattern "*l"|"*a"|integer
---@return string? data, string? err
function TcpSocket:receive(pattern) end
function TcpSocket:close() end

---A UDP socket from `temblor.udp.bind` or `temblor.udp.open`.
---@class temblor.UdpSocket
local UdpSocket = {}
---@param data string
---@param host string
---@param port integer
---@return boolean? ok, string? err
function UdpSocket:sendto(data, host, port) end
---@return string? data, string? host, integer? port
function UdpSocket:receivefrom() end
function UdpSocket:close() end

---@class temblor.HttpRequest
---@field method? string
---@field url string
---@field headers? table<string, string>
---@field body? string
---@field timeout_ms? integer

---@class temblor.HttpResponse
---@field status integer
---@field headers table<string, string>
---@field body string

---@class temblor
---@field null temblor.null
temblor = {}

---Marks a table as an array, so that `{}` stays an empty array.
---@param t? any[]
---@return any[]
function temblor.array(t) end

---Marks a table as an object, so that `{}` stays an empty object.
---@param t? table<string, any>
---@return table<string, any>
function temblor.object(t) end

---Wraps a string's bytes as a bytes value.
---@param s string
---@return temblor.bytes
function temblor.bytes(s) end

---Host I/O: every call checks the connector's `allow` capabilities and yields the coroutine.
temblor.tcp = {}
---@param host string
---@param port integer
---@param options? { timeout_ms?: integer }
---@return temblor.TcpSocket? socket, string? err
function temblor.tcp.connect(host, port, options) end

temblor.udp = {}
---@return temblor.UdpSocket? socket, string? err
function temblor.udp.bind(host, port) end
---@return temblor.UdpSocket? socket, string? err
function temblor.udp.open() end

temblor.http = {}
---@param request temblor.HttpRequest
---@return temblor.HttpResponse? response, string? err
function temblor.http.request(request) end

temblor.fs = {}
---@return string? content, string? err
function temblor.fs.read(path) end
---@return (fun(): string?)? lines, string? err
function temblor.fs.lines(path) end
---@return boolean? ok, string? err
function temblor.fs.write(path, data) end
---@return boolean? ok, string? err
function temblor.fs.append(path, data) end
---@return string[]? names, string? err
function temblor.fs.list(dir) end

---The table a connector plugin returns.
---@class temblor.Plugin
---@field api integer The host API major version the plugin was written for (1).
---@field name? string
---@field defaults? table<string, any> Configuration defaults; the flow's `config` is merged over them.
---@field connect? fun(ctx: temblor.Context): boolean Returning false or raising is retried with backoff.
---@field on_start? fun(ctx: temblor.Context)
---@field on_pause? fun(ctx: temblor.Context)
---@field on_resume? fun(ctx: temblor.Context)
---@field on_drain? fun(ctx: temblor.Context)
---@field on_stop? fun(ctx: temblor.Context)
---@field source? fun(ctx: temblor.Context) Runs as a coroutine; ctx:emit yields under backpressure.
---@field on_event? fun(ctx: temblor.Context, event: any, meta: temblor.Meta): any Return = ack; error() = fail.
---@field on_reload? fun(ctx: temblor.Context, old_state: table): table
