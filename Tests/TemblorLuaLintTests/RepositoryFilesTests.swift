import Testing

@testable import TemblorLuaLint

@Suite struct RepositoryFilesTests {
    @Test func theRepositoryHasLuaFiles() {
        #expect(RepositoryLuaFiles.root != nil)
        #expect(RepositoryLuaFiles.all.count >= 10)
        #expect(RepositoryLuaFiles.all.contains { $0.path == "lua/types/temblor.lua" })
    }

    @Test(arguments: RepositoryLuaFiles.all.map(\.path))
    func parsesWithoutSyntaxError(path: String) throws {
        let text = try #require(RepositoryLuaFiles.all.first { $0.path == path }?.text)
        #expect(throws: Never.self) { try LuaParser.parse(text) }
    }

    @Test(arguments: RepositoryLuaFiles.all.map(\.path).filter { $0.hasPrefix("examples/") })
    func examplePluginsAreClean(path: String) throws {
        let text = try #require(RepositoryLuaFiles.all.first { $0.path == path }?.text)
        // A gallery plugin's other files are modules it requires, and test files return nothing.
        let isModule = (path.hasPrefix("examples/plugins/") && !path.hasSuffix("/init.lua")) || path.hasSuffix("_test.lua")
        let report = isModule ? LuaLint.check(text, hostAPI: 1, allowedKeys: nil) : LintFixtures.lint(text)
        #expect(report.diagnostics == [], "\(path)")
    }

    @Test func exampleHostIOCalls() throws {
        func calls(_ path: String) throws -> [String] {
            let text = try #require(RepositoryLuaFiles.all.first { $0.path == path }?.text)
            return LintFixtures.lint(text).hostIOCalls.map { "\($0.kind.rawValue) \($0.function)" }
        }
        #expect(try calls("examples/lua-http-poller/poller.lua") == ["net temblor.http.request"])
        #expect(try calls("examples/lua-redis/redis.lua") == ["net temblor.tcp.connect"])
        #expect(try calls("examples/lua-aggregate/aggregate.lua") == [])
    }
}
