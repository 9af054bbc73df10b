/// One finding of the lint, positioned at the token it is about.
public struct LuaLintDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// An error stops the plugin from loading or running as meant; a warning is likely a bug.
    public enum Severity: String, Sendable {
        /// The plugin would fail to load, or the host would refuse it.
        case error
        /// The plugin loads, but likely does not do what was meant.
        case warning
    }

    /// How serious the finding is.
    public var severity: Severity
    /// 1-based line of the token the finding is about.
    public var line: Int
    /// 1-based column, in bytes from the line's start.
    public var column: Int
    /// What is wrong and how to fix it, in one sentence.
    public var message: String

    /// A finding at `line:column`; the lint makes these, tests and callers compare with them.
    public init(severity: Severity, line: Int, column: Int, message: String) {
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ severity: Severity, at position: LuaPosition, _ message: String) {
        self.init(severity: severity, line: position.line, column: position.column, message: message)
    }

    /// `file:line:column: severity: message`, the form editors and compilers use.
    public func formatted(file: String) -> String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)"
    }

    /// `line:column: severity: message`, for when there is no file name.
    public var description: String { "\(line):\(column): \(severity.rawValue): \(message)" }
}
