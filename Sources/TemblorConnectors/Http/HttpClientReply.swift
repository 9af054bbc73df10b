import HTTPTypes
import TemblorRuntime
import TemblorValue

/// A response `http_client` received, on its way from the sink side (which sent the request)
/// to the source side (which emits it as an event).
struct HttpClientReply: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// `meta.correlation` of the request event, copied so a flow can join the two.
    var correlation: Value?
    var method: String
    var url: String

    /// `meta` of the response's events.
    var meta: Value {
        var names = Object()
        for (name, value) in headers {
            let key = name.lowercased()
            if let earlier = names[key]?.stringValue {
                names[key] = .string(earlier + ", " + value)
            } else {
                names[key] = .string(value)
            }
        }
        var meta: Value = [
            "response": ["status": .int(Int64(status)), "headers": .object(names)],
            "request": ["method": .string(method), "url": .string(url)],
        ]
        if let correlation { meta["correlation"] = correlation }
        return meta
    }

    var contentType: String? {
        headers.first { $0.name.lowercased() == "content-type" }?.value
    }
}
