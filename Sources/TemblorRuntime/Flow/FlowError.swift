/// A problem in a flow file, with where it is and what to change.
public struct FlowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The place in the file; `nil` only when the file could not be read at all.
    public var location: SourceLocation?
    /// What is wrong and what to change, in one sentence a user can act on.
    public var message: String

    public init(_ message: String, at location: SourceLocation?) {
        self.message = message
        self.location = location
    }

    /// `file:line:column: message`, as compilers print errors, so editors can jump to them.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// Every problem found in a flow; checking reports them all at once, not just the first.
public struct FlowErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [FlowError]

    public init(_ errors: [FlowError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
