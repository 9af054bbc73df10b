import TemblorValue

/// A MessagePack extension value (a type code and opaque data), and the `Value` shape that
/// carries it through pipelines: `{"$ext": {"type": <int>, "data": <bytes>}}`.
///
/// `Value` has no extension case, so the codec decodes every ext as that object and encodes any
/// object of exactly that shape back to the same ext bytes; nothing is lost either way.
public struct MessagePackExtension: Sendable, Hashable {
    /// The application-defined type code; negative codes are reserved by the spec (-1 is a timestamp).
    public var type: Int8
    /// The payload, uninterpreted.
    public var data: [UInt8]

    /// The key of the single-entry object that marks an extension value.
    public static let marker = "$ext"
    /// The inner key holding the type code.
    public static let typeKey = "type"
    /// The inner key holding the payload bytes.
    public static let dataKey = "data"

    /// An extension to encode, e.g. through its `value`.
    public init(type: Int8, data: [UInt8]) {
        self.type = type
        self.data = data
    }

    /// Reads the extension shape; `nil` for any other value, which then encodes as a plain map.
    ///
    /// The shape is exact: one key `$ext` holding an object with exactly `type` (an integer in
    /// -128...127) and `data` (bytes). Anything looser stays an ordinary map.
    public init?(_ value: Value) {
        guard case .object(let outer) = value else { return nil }
        self.init(object: outer)
    }

    /// The same as `init?(_ value:)` for an object already unwrapped, as the encoder has it.
    public init?(object outer: Object) {
        guard outer.count == 1 else { return nil }
        let entry = outer[outer.startIndex]
        guard entry.key == Self.marker, case .object(let inner) = entry.value, inner.count == 2,
            let typeValue = inner[Self.typeKey], let type = typeValue.intValue.flatMap({ Int8(exactly: $0) }),
            case .bytes(let data)? = inner[Self.dataKey]
        else { return nil }
        self.init(type: type, data: data)
    }

    /// The value the codec decodes this extension to.
    public var value: Value {
        var inner = Object(minimumCapacity: 2)
        inner.appendUnchecked(key: Self.typeKey, value: .int(Int64(type)))
        inner.appendUnchecked(key: Self.dataKey, value: .bytes(data))
        var outer = Object(minimumCapacity: 1)
        outer.appendUnchecked(key: Self.marker, value: .object(inner))
        return .object(outer)
    }
}
