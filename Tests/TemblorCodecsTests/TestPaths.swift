import Foundation

/// Locations the tests read from, found relative to this file so that `swift test` works from any directory.
enum TestPaths {
    /// The project root (the directory holding Package.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the project, as CI and every developer have it.
    static let shared: URL = root.deletingLastPathComponent().appendingPathComponent("shared")

    static let jsonTestSuite: URL = shared.appendingPathComponent("conformance/JSONTestSuite/test_parsing")
}
