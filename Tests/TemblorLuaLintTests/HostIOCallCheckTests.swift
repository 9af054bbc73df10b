import Testing
import TemblorLuaLint

@Suite struct HostIOCallCheckTests {
    private func calls(_ source: String) -> [String] {
        LintFixtures.lint(source).hostIOCalls.map { "\($0.kind.rawValue) \($0.function) \($0.line):\($0.column)" }
    }

    @Test func everyFunctionWithItsKind() {
        let source = """
            temblor.http.request{ url = "http://x" }
            temblor.tcp.connect("h", 1)
            temblor.udp.bind("h", 1)
            temblor.udp.open()
            local a = temblor.fs.read("a")
            for l in temblor.fs.lines("b") do end
            local names = temblor.fs.list(".")
            temblor.fs.write("c", "x")
            temblor.fs.append"d"
            temblor.json.encode({})
            temblor.now()
            """
        #expect(calls(source) == [
            "net temblor.http.request 1:1", "net temblor.tcp.connect 2:1", "net temblor.udp.bind 3:1", "net temblor.udp.open 4:1",
            "read temblor.fs.read 5:11", "read temblor.fs.lines 6:10", "read temblor.fs.list 7:15",
            "write temblor.fs.write 8:1", "write temblor.fs.append 9:1",
        ])
    }

    @Test func aliases() {
        let source = """
            local http = temblor.http
            local fs = require("temblor").fs
            local t = require "temblor"
            local request = temblor.http.request
            local udp, tcp = temblor.udp, temblor["tcp"]
            http.request("http://x")
            fs.write("p", "d")
            t.fs.read("p")
            request{ url = "u" }
            udp.open()
            tcp.connect("h", 1)
            t["fs"]["list"](".")
            """
        #expect(calls(source) == [
            "net temblor.http.request 6:1", "write temblor.fs.write 7:1", "read temblor.fs.read 8:1",
            "net temblor.http.request 9:1", "net temblor.udp.open 10:1", "net temblor.tcp.connect 11:1",
            "read temblor.fs.list 12:1",
        ])
    }

    @Test func localTemblorFromRequire() {
        #expect(calls("local temblor = require(\"temblor\")\nreturn { source = function(ctx) temblor.fs.read('x') end }") == [
            "read temblor.fs.read 2:33"
        ])
    }

    @Test func shadowedNamesAreNotTheHost() {
        let source = """
            local function f(temblor) temblor.fs.read("x") end
            do local temblor = {} temblor.http.request("u") end
            local http = temblor.http
            local function g(http) http.request("u") end
            local require = function() return {} end
            require("temblor").fs.read("x")
            """
        #expect(calls(source) == [])
    }

    @Test func aliasesFollowScopes() {
        let source = """
            local fs = temblor.fs
            do
              local fs = { read = print }
              fs.read("not the host")
            end
            fs.read("the host")
            local late
            local function open() late = temblor.fs end
            local function use() late.write("p", "d") end
            """
        #expect(calls(source) == ["read temblor.fs.read 6:1", "write temblor.fs.write 9:22"])
    }

    @Test func nestedCallsAndMethodSyntax() {
        let source = """
            local ok, body = pcall(temblor.fs.read, "p")
            local sock = assert(temblor.tcp.connect(host, port))
            sock:send(temblor.fs.read("x"))
            temblor.http:request("u")
            """
        #expect(calls(source) == [
            "read temblor.fs.read 1:18", "net temblor.tcp.connect 2:21", "read temblor.fs.read 3:11", "net temblor.http.request 4:1",
        ])
    }

    @Test func globalAlias() {
        #expect(calls("http = temblor.http\nhttp.request('u')") == ["net temblor.http.request 2:1"])
    }

    @Test func declarationsAreNotCalls() {
        #expect(calls("temblor.fs = {}\nfunction temblor.fs.read(path) end\nlocal f = temblor.fs.read") == [])
    }
}
