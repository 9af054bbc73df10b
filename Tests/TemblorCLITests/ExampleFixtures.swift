import Foundation

/// The shipped examples, and fresh copies of them for tests to run.
enum ExampleFixtures {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    /// A copy of an example in a fresh directory, so runs never write into the source tree.
    static func copy(example name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: examples.appendingPathComponent(name), to: target)
        return target
    }
}
