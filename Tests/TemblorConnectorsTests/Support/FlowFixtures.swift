import Foundation
import TemblorRuntime

/// What tests that build flows in code share: a place for their files, and links.
enum FlowFixtures {
    /// Where a test's flow definitions say they come from.
    static let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

    /// A fresh directory for a test's input and output files.
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    /// `from[/port] -> to`.
    static func link(_ from: String, _ to: String, fromPort: TemblorRuntime.Port = .out) -> LinkDefinition {
        LinkDefinition(from: LinkEndpoint(node: from, port: fromPort), to: LinkEndpoint(node: to, port: .in), location: here)
    }
}
