/// Why a test file, a plugin under test or a fixture could not be used; the message says what
/// to change.
public struct PluginTestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
