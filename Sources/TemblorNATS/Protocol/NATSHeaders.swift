/// The headers of a message, in the order they were added, a name possibly more than once.
/// Names are case-sensitive, as the server and JetStream read them (`Nats-Msg-Id` is not
/// `nats-msg-id`); their case is kept as written.
public struct NATSHeaders: Sendable, Sequence, Equatable {
    /// One header line.
    public typealias Element = (name: String, value: String)

    var fields: [Element]
    /// The status code of the version line (`NATS/1.0 503`): how the server says "no
    /// responders", "no messages" or "request timeout" without a payload.
    public var status: Int?
    /// The words after the status code (`No Messages`), if any.
    public var statusDescription: String?

    /// No headers and no status.
    public init() {
        fields = []
    }

    /// The given headers, in order; a name may repeat.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`; setting replaces every value of it (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            guard let newValue else {
                fields.removeAll { $0.name == name }
                return
            }
            if let first = fields.firstIndex(where: { $0.name == name }) {
                fields[first].value = newValue
                var index = fields.index(after: first)
                while index < fields.endIndex {
                    if fields[index].name == name { fields.remove(at: index) } else { index += 1 }
                }
            } else {
                fields.append((name: name, value: newValue))
            }
        }
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// Adds a value after the existing ones, keeping any earlier value of the same name.
    public mutating func append(_ value: String, for name: String) {
        fields.append((name: name, value: value))
    }

    /// How many header lines there are (a repeated name counts each time).
    public var count: Int { fields.count }

    /// True with no header lines (a status alone still counts as empty).
    public var isEmpty: Bool { fields.isEmpty }

    /// The header lines in order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    /// The same lines in the same order, and the same status.
    public static func == (lhs: NATSHeaders, rhs: NATSHeaders) -> Bool {
        lhs.status == rhs.status && lhs.statusDescription == rhs.statusDescription
            && lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
