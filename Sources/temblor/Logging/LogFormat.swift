import ArgumentParser
import Logging

/// How the daemon writes its logs: text for people, JSON lines for log shippers.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    /// Makes this the process's log format; once, at the start of a command.
    func bootstrap() {
        switch self {
        case .text: LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
    }
}
