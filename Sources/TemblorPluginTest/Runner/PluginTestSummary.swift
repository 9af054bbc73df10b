/// How a run of `temblor test` went, and the exit status that says so.
public struct PluginTestSummary: Sendable, Equatable {
    public var passed: Int
    public var failed: Int
    /// Test files (or the plugins they name, or fixtures) that did not load.
    public var unloaded: Int

    /// 0 when every case passed, 1 when one failed, 2 when something did not load.
    public var exitCode: Int32 { unloaded > 0 ? 2 : failed > 0 ? 1 : 0 }
}
