import TemblorValue

/// A whole HTTP response as `temblor.http.request` gives it to the script.
struct LuaHTTPResponse: Sendable {
    var status: Int
    /// Lowercased names in the order they first came; repeated ones joined with ", ".
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Whether the connection may carry another request (HTTP/1.1 without `Connection: close`).
    var keepAlive = false

    /// `status, headers, body`.
    var values: [Value] {
        var object = Object()
        for (name, value) in headers { object[name] = .string(value) }
        return [.int(Int64(status)), .object(object), .bytes(body)]
    }
}
