---@meta temblor
-- LuaLS annotations of the host API a Temblor plugin sees, so that editors complete `ctx:` and
-- `temblor.` and check plugin tables. Point your editor's Lua.workspace.library at this folder
-- (docs/plugins.md, "Editor setup"). This file only describes the API; the host provides it at
-- run time.

---The value JSON null maps to (never `nil`, so that arrays keep their holes). It holds no
---fields: it is one table shared by every null of the state.
---@class temblor.null

---Raw bytes, kept apart from strings so that binary data is never mistaken for text.
---`tostring(b)` gives the bytes back as a Lua string, `#b` their length, and two bytes values
---with the same content are `==`. A Lua string that is not valid UTF-8 also becomes bytes when
---it leaves Lua.
---@class temblor.bytes: userdata
---@operator len: integer

---An unsigned integer above math.maxinteger (2^63 - 1), as it arrives from an event: it comes
---back out unchanged, `tostring` shows it, but Lua arithmetic on it raises an error.
---@class temblor.uint: userdata

---The metadata of an event: named fields (a file source's events carry `path` and `stream`).
---@class temblor.Meta: table<string, any>

---What every hook receives: the connector's configuration and state, and the host's services.
---Methods are called with a colon: `ctx:emit(event)`.
---@class temblor.Context
---@field config table<string, any> The flow's `config`, merged over the plugin's `defaults`.
---@field state table<string, any> Starts empty; carried over when the plugin's state is restarted after faults.
local Context = {}

---Emits an event (any value: usually a table). From `source` it yields to the host every batch,
---which is where backpressure applies; from `on_event`, `on_drain` and `ctx:every` functions
---the events go out when the callback returns (at most 100000 per call).
---@param value any
---@param meta? temblor.Meta Fields merged into the event's metadata.
function Context:emit(value, meta) end

---Emits bytes for the connector's own preprocessors and codec to decode (JSON by default, no
---preprocessor: each call is one frame). Frames that fail to decode go to the `err` port.
---@param bytes string|temblor.bytes
---@param meta? temblor.Meta
function Context:emit_raw(bytes, meta) end

---Logs through Temblor's logger (standard error), tagged with the connector and plugin names.
---Levels below `info` are not shown by default.
---@param level "trace"|"debug"|"info"|"warn"|"warning"|"error"
---@param message any Rendered as text when it is not a string.
function Context:log(level, message) end

---Pauses the `source` function for `ms` milliseconds (0 to 86400000); the host sends what it
---emitted meanwhile. Only in `source`, and in every callback of a connector granted host I/O by `allow:`:
---elsewhere it raises an error. Returns at once while the flow is stopping.
---@param ms number
function Context:sleep(ms) end

---Calls `fn(ctx)` every `ms` milliseconds (1 to 86400000) while the connector's source side runs
---(its `out` is linked); register it from `on_start` or `source`. Timers cannot be cancelled:
---a connector with a timer runs until the flow is stopped.
---@param ms number
---@param fn fun(ctx: temblor.Context)
function Context:every(ms, fn) end

---False once the flow is stopping: sources loop `while ctx:running() do ... end`.
---@return boolean
function Context:running() end

---Monotonic milliseconds, for measuring time within the plugin (not the time of day).
---@return integer
function Context:now() end

---Records a finite number as the gauge `temblor_plugin_metric{connector, name}`.
---@param name string
---@param value number
function Context:metric(name, value) end

---The host's module: the global `temblor`, also what `require("temblor")` returns.
---@class temblor
---@field api integer The host API major version this Temblor provides (1).
---@field null temblor.null
temblor = {}

---Marks a table as an array, so that `{}` stays an empty array: returns the same table. Only
---its keys 1..#t are read when it leaves Lua.
---@generic T: table
---@param t? T
---@return T
function temblor.array(t) end

---Marks a table as an object, so that `{}` stays an empty object: returns the same table.
---@generic T: table
---@param t? T
---@return T
function temblor.object(t) end

---Wraps a string's bytes as a bytes value.
---@param s string
---@return temblor.bytes
function temblor.bytes(s) end

---Options of a host I/O call that waits.
---@class temblor.IOOptions
---@field timeout_ms? integer The call's deadline; default: the connector's `limits.io_timeout_ms` (30000).

---@class temblor.TcpConnectOptions: temblor.IOOptions
---@field tls? boolean Speak TLS, trusting the system's store or the connector's `config.tls`.

---A TCP connection opened with `temblor.tcp.connect`. Failures return `nil, err`
---(`"timeout"`, `"closed"`, ...).
---@class temblor.TcpSocket
local TcpSocket = {}

---Sends `data`; returns the number of bytes sent once written.
---@param data string|temblor.bytes
---@param options? temblor.IOOptions
---@return integer? sent
---@return string? err
function TcpSocket:send(data, options) end

---Reads a line without its end of line (`"*l"`, the default), exactly `n` bytes, or everything
---until the peer closes (`"*a"`).
---@param pattern? "*l"|"*a"|integer
---@param options? temblor.IOOptions
---@return string? data
---@return string? err
function TcpSocket:receive(pattern, options) end

---Reads up to `delimiter`, which is consumed and not returned.
---@param delimiter string
---@param options? temblor.IOOptions
---@return string? data
---@return string? err
function TcpSocket:receive_until(delimiter, options) end

---Sets the deadline of this socket's calls that give no `timeout_ms`.
---@param ms integer
function TcpSocket:settimeout(ms) end

---Closes the socket (also done by `local sock <close> = ...`, and when the state ends).
function TcpSocket:close() end

---A UDP socket from `temblor.udp.bind` (receives) or `temblor.udp.open` (sends).
---@class temblor.UdpSocket
local UdpSocket = {}

---Sends one datagram to `host:port` (which the connector's `allow.net` must grant).
---@param data string|temblor.bytes
---@param host string
---@param port integer
---@param options? temblor.IOOptions
---@return integer? sent
---@return string? err
function UdpSocket:sendto(data, host, port, options) end

---Waits for the next datagram: its data, and the sender's address and port.
---@param options? temblor.IOOptions
---@return string? data
---@return string|nil host_or_err
---@return integer? port
function UdpSocket:receivefrom(options) end

---The same as `sendto`.
---@param data string|temblor.bytes
---@param host string
---@param port integer
---@param options? temblor.IOOptions
---@return integer? sent
---@return string? err
function UdpSocket:send_to(data, host, port, options) end

---The same as `receivefrom`.
---@param options? temblor.IOOptions
---@return string? data
---@return string|nil host_or_err
---@return integer? port
function UdpSocket:receive_from(options) end

---Sets the deadline of this socket's calls that give no `timeout_ms`.
---@param ms integer
function UdpSocket:settimeout(ms) end
---Closes the socket (also done when the state ends).
function UdpSocket:close() end

---TCP client connections, granted by the connector's `allow.net`.
temblor.tcp = {}

---Connects to `host:port`.
---@param host string
---@param port integer
---@param options? temblor.TcpConnectOptions
---@return temblor.TcpSocket? sock
---@return string? err
function temblor.tcp.connect(host, port, options) end

temblor.udp = {}

---A socket receiving on `host:port` (granted by `allow.net`).
---@param host string
---@param port integer
---@return temblor.UdpSocket? sock
---@return string? err
function temblor.udp.bind(host, port) end

---An unbound socket for sending datagrams.
---@return temblor.UdpSocket? sock
---@return string? err
function temblor.udp.open() end

---@class temblor.HttpRequest
---@field method? string Default "GET".
---@field url string `http://host[:port]/path?query` or `https://...` (trusting the system store, or the connector's `config.tls`)
---@field headers? table<string, string>
---@field body? string|temblor.bytes
---@field timeout_ms? integer

---@class temblor.HttpResponse
---@field status integer
---@field headers table<string, string> Lower-case names; repeated headers joined with ", ".
---@field body string

temblor.http = {}

---Sends an HTTP/1.1 request and reads the whole response (a 404 is a response, not an error).
---@param request temblor.HttpRequest|string A table, or a URL to GET.
---@return temblor.HttpResponse? response
---@return string? err
function temblor.http.request(request) end

---Files, where `allow.read` and `allow.write` grant them (relative paths start from the flow's directory).
temblor.fs = {}

---@param path string
---@return string? data
---@return string? err
function temblor.fs.read(path) end

---Creates or truncates the file.
---@param path string
---@param data string|temblor.bytes
---@return integer? written
---@return string? err
function temblor.fs.write(path, data) end

---@param path string
---@param data string|temblor.bytes
---@return integer? written
---@return string? err
function temblor.fs.append(path, data) end

---The names in a directory, sorted.
---@param path string
---@return string[]? names
---@return string? err
function temblor.fs.list(path) end

---An iterator over the file's lines, read as the loop goes: `for line in assert(temblor.fs.lines(p)) do`.
---@param path string
---@return (fun(): string?)? lines
---@return string? err
function temblor.fs.lines(path) end

temblor.json = {}

---Parses JSON text (null is `temblor.null`).
---@param text string
---@return any value
---@return string? err
function temblor.json.decode(text) end

---JSON text of a value: sequences and `temblor.array` tables are arrays, other tables objects.
---@param value any
---@return string
function temblor.json.encode(value) end

---A monotonic clock in milliseconds (with a fraction), for deadlines.
---@return number
function temblor.now() end

---The table a plugin file returns: a connector (`type: lua`) or a pipeline operator
---(`- lua: { script: ... }`, which only uses `on_event` and `ports`).
---@class temblor.Plugin
---@field api integer The host API major version the plugin was written for (1).
---@field name? string Shown in logs; defaults to the file name.
---@field defaults? table<string, any> Configuration defaults; the flow's `config` is merged over them.
---@field ports? string[] Pipeline operators: output ports besides `out` and `err` that `on_event` may route to.
---@field connect? fun(ctx: temblor.Context): boolean Return true when connected; false, nil or an error is retried with the connector's `reconnect` backoff.
---@field on_start? fun(ctx: temblor.Context) After `connect` succeeded, before events flow.
---@field on_pause? fun(ctx: temblor.Context) A sink downstream cannot accept events: the source side is held.
---@field on_resume? fun(ctx: temblor.Context) The sinks accept events again.
---@field on_drain? fun(ctx: temblor.Context) Once, after the input ended and `source` finished; what it emits still goes out.
---@field on_stop? fun(ctx: temblor.Context) The whole flow has drained; `ctx:running()` is false.
---@field source? fun(ctx: temblor.Context) The source side, run as a coroutine; returning ends it.
---@field on_event? fun(ctx: temblor.Context, event: any, meta: temblor.Meta): any, string? Connectors: returning acknowledges the event, an error fails it. Operators: return the event, nil to drop it, or event, "port"; changes made to `meta` are kept.
---@field on_reload? fun(ctx: temblor.Context, old_state: table): table? Runs in the state of a new version when the plugin is reloaded; a table it returns becomes ctx.state.

return temblor
