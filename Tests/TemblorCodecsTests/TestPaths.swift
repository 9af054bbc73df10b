import Foundation

/// Locations the tests read from, found relative to this file so that `swift test` works from any directory.
enum TestPaths {
    /// The project root (the directory holding Package.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Test data shipped with the repository (each set with its licence), so a clone alone tests.
    static let data: URL = root.appendingPathComponent("Tests/Data")

    /// JSONTestSuite's parsing cases (MIT, see Tests/Data/JSONTestSuite/LICENSE).
    static let jsonTestSuite: URL = data.appendingPathComponent("JSONTestSuite/test_parsing")
}
