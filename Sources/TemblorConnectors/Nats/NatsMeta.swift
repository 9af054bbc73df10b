import TemblorNATS
import TemblorValue

/// `meta.nats` of the events a `nats` source makes, and what a `nats` sink reads back from it:
/// `{subject, received_subject, reply, headers, stream, sequence, delivered}`.
enum NatsMeta {
    /// The metadata of a core NATS message: its subject, reply subject and headers.
    static func core(_ message: NATSMessage) -> Value {
        var nats: Object = ["subject": .string(message.subject), "received_subject": .string(message.subject)]
        if let reply = message.reply { nats["reply"] = .string(reply) }
        if let headers = message.headers, !headers.isEmpty { nats["headers"] = headersValue(headers) }
        return ["nats": .object(nats)]
    }

    /// The metadata of a message a JetStream consumer delivered: also its stream, stream sequence
    /// and delivery count. Its ack subject stays with the connector, which settles it.
    static func jetStream(_ message: JetStreamMessage) -> Value {
        var nats: Object = [
            "subject": .string(message.message.subject), "received_subject": .string(message.message.subject),
            "stream": .string(message.metadata.stream), "sequence": .integer(message.metadata.streamSequence),
            "delivered": .int(Int64(message.metadata.delivered)),
        ]
        if let headers = message.message.headers, !headers.isEmpty { nats["headers"] = headersValue(headers) }
        return ["nats": .object(nats)]
    }

    /// Headers as a mapping: a name seen once maps to its value, a repeated one to the list.
    static func headersValue(_ headers: NATSHeaders) -> Value {
        var object = Object()
        for (name, value) in headers {
            switch object[name] {
            case nil: object[name] = .string(value)
            case .array(var values)?:
                values.append(.string(value))
                object[name] = .array(values)
            case let single?: object[name] = .array([single, .string(value)])
            }
        }
        return .object(object)
    }

    /// The subject an event goes to: `meta.nats.subject` when a pipeline changed it (it differs
    /// from the subject the message was received on), else the connector's `subject`.
    static func subject(of event: Event, default configured: String?) -> String? {
        guard let nats = event.meta["nats"], let subject = nats["subject"]?.stringValue else { return configured }
        if let received = nats["received_subject"]?.stringValue, received == subject { return configured }
        return subject
    }

    /// `meta.nats.headers` as NATS headers; nil when there are none. Numbers and booleans are
    /// written as text, lists as repeated headers.
    static func headers(of event: Event) throws(NatsSinkError) -> NATSHeaders? {
        guard let raw = event.meta["nats"]?["headers"], !raw.isNull else { return nil }
        guard let object = raw.objectValue else { throw .badHeaders("meta.nats.headers must be a mapping of names to strings, got \(raw.typeName)") }
        var headers = NATSHeaders()
        for (name, value) in object {
            for item in value.arrayValue ?? [value] {
                let text: String
                switch item {
                case .string(let s): text = s
                case .int, .uint, .float, .bool: text = "\(item)"
                default: throw .badHeaders("meta.nats.headers.\(name) must be a string or a list of strings, got \(item.typeName)")
                }
                headers.append(text, for: name)
            }
        }
        return headers.isEmpty ? nil : headers
    }

    /// The `Nats-Msg-Id` a JetStream sink publishes `event` with, stable across redeliveries of
    /// the message it came from: `meta.nats.msg_id` when a pipeline set one, else the incoming
    /// message's own `Nats-Msg-Id`, else `STREAM:SEQUENCE` when it came from JetStream, else the
    /// event's id under `run` (unique to this run, so that a restart never collides with
    /// the ids of the last one). One message that became several events gives each its part
    /// number (`:N`).
    static func messageID(of event: Event, run: String) -> String {
        let nats = event.meta["nats"]
        let base: String
        if let id = nats?["msg_id"]?.stringValue, !id.isEmpty {
            return id
        } else if let id = Self.header("Nats-Msg-Id", in: nats?["headers"]) {
            base = id
        } else if let stream = nats?["stream"]?.stringValue, let sequence = nats?["sequence"]?.uintValue {
            base = "\(stream):\(sequence)"
        } else {
            return "\(run)-\(event.id.source)-\(event.id.stream)-\(event.id.sequence)"
        }
        if let part = nats?["part"]?.intValue { return "\(base):\(part)" }
        return base
    }

    /// A header's (first) value in a `meta.nats.headers` mapping, its name matched without case.
    static func header(_ name: String, in headers: Value?) -> String? {
        guard let object = headers?.objectValue else { return nil }
        let lowered = name.lowercased()
        for (key, value) in object where key.lowercased() == lowered {
            return value.stringValue ?? value.arrayValue?.first?.stringValue
        }
        return nil
    }
}
