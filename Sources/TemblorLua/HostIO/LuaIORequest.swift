/// One host I/O call of a plugin (DESIGN §8, "Host I/O"), as the script made it: the calling
/// coroutine waits while the host performs it. Handles are numbers the host gave out for the
/// sockets and line readers this plugin state opened; they mean nothing to another state.
public enum LuaIORequest: Sendable, Equatable {
    /// `temblor.tcp.connect(host, port[, {timeout_ms, tls}])`: a handle; with `tls`, once the
    /// TLS handshake succeeded.
    case tcpConnect(host: String, port: Int, timeoutMs: Int?, tls: Bool = false)
    /// `sock:send(s)`: the number of bytes sent.
    case tcpSend(handle: Int, bytes: [UInt8], timeoutMs: Int?)
    /// `sock:receive(pattern)`: the bytes read (a line without its end of line).
    case tcpReceive(handle: Int, pattern: ReceivePattern, timeoutMs: Int?)
    /// `temblor.udp.open()`: a handle to a socket bound to an ephemeral port, for sending.
    case udpOpen
    /// `temblor.udp.bind(host, port)`: a handle to a socket receiving on that address.
    case udpBind(host: String, port: Int)
    /// `sock:sendto(s, host, port)`: the number of bytes sent.
    case udpSendTo(handle: Int, bytes: [UInt8], host: String, port: Int, timeoutMs: Int?)
    /// `sock:receivefrom()`: the datagram, the sender's address and port.
    case udpReceiveFrom(handle: Int, timeoutMs: Int?)
    /// `sock:close()` or the end of `temblor.fs.lines`: nothing (closing twice is not an error).
    case close(handle: Int)
    /// `temblor.http.request{...}`: the status, the headers and the body.
    case httpRequest(LuaHTTPRequest)
    /// `temblor.fs.read(path)`: the file's bytes.
    case fsRead(path: String)
    /// `temblor.fs.write(path, s)` and `temblor.fs.append(path, s)`: the number of bytes written.
    case fsWrite(path: String, bytes: [UInt8], append: Bool)
    /// `temblor.fs.list(dir)`: the names in the directory, sorted, without `.` and `..`.
    case fsList(path: String)
    /// `temblor.fs.lines(path)`: a handle to read the file's lines one call at a time.
    case fsOpenLines(path: String)
    /// The next line of a `fsOpenLines` handle (without its end of line); no value at the end.
    case fsNextLine(handle: Int)
    /// `ctx:sleep(ms)` outside the source function: nothing, once the time has passed.
    case sleep(milliseconds: Int)

    /// How `sock:receive` cuts what arrives.
    public enum ReceivePattern: Sendable, Equatable {
        /// `"*l"`: up to the next `\n`, which is dropped with a `\r` before it.
        case line
        /// `"*a"`: everything until the peer closes.
        case all
        /// A number: exactly that many bytes.
        case count(Int)
        /// `sock:receive_until(s)`: up to the delimiter, which is consumed and dropped.
        case delimiter([UInt8])
    }
}

/// What `temblor.http.request{method, url, headers, body, timeout_ms}` asks for.
public struct LuaHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// In the order the script gave them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeoutMs: Int?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil, timeoutMs: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMs = timeoutMs
    }

    public static func == (a: LuaHTTPRequest, b: LuaHTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.timeoutMs == b.timeoutMs
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}
