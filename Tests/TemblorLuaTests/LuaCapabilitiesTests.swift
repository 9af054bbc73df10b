import Testing
import TemblorLua
import TemblorValue

/// Reading a connector's `allow:`: what each form grants, and a clear error for what is wrong.
@Suite struct LuaCapabilitiesTests {
    @Test func grantsReadAsWritten() throws {
        let allow: Value = ["net": ["127.0.0.1:6379", "localhost:*", "*:8125", "[::1]:9000"], "read": ["data", "/var/log/app/"], "write": "out/../spool"]
        let capabilities = try LuaCapabilities(allow, directory: "/srv/flows")
        #expect(capabilities.net == [
            .init(host: "127.0.0.1", port: 6379), .init(host: "localhost", port: nil), .init(host: nil, port: 8125), .init(host: "::1", port: 9000),
        ])
        #expect(capabilities.net.map(\.description) == ["127.0.0.1:6379", "localhost:*", "*:8125", "[::1]:9000"])
        // Paths are absolute from the flow's directory, normalised lexically.
        #expect(capabilities.read == ["/srv/flows/data", "/var/log/app"])
        #expect(capabilities.write == ["/srv/flows/spool"])
        #expect(capabilities.grantsAny(.read) && capabilities.grantsAny(.write) && capabilities.grantsAny(.net))
    }

    @Test func nothingIsGrantedByDefault() throws {
        let none = try LuaCapabilities(.null, directory: "/srv")
        #expect(none.isEmpty)
        #expect(!none.grantsAny(.net) && !none.grantsAny(.read) && !none.grantsAny(.write))
        // A write grant grants reading, not the reverse.
        let writeOnly = try LuaCapabilities(["write": ["out"]], directory: "/srv")
        #expect(writeOnly.grantsAny(.read))
        #expect(!(try LuaCapabilities(["read": ["in"]], directory: "/srv")).grantsAny(.write))
    }

    @Test(arguments: [
        (["disk": ["/"]] as Value, "'allow.disk': unknown capability; known capabilities are net, read, write"),
        (["net": ["6379"]] as Value, "'allow.net': '6379': expected \"host:port\", \"host:*\" or \"*:port\""),
        (["net": ["redis:0"]] as Value, "'allow.net': 'redis:0': the port must be a number from 1 to 65535 or *"),
        (["net": [":80"]] as Value, "'allow.net': ':80': the host is missing"),
        (["net": ["::1:9000"]] as Value, "'allow.net': '::1:9000': expected \"host:port\", \"host:*\" or \"*:port\""),
        (["read": [1]] as Value, "'allow.read': expected a list of strings, found 1"),
        (["net", "read"] as Value, "'allow': expected a mapping such as { net: [\"127.0.0.1:6379\"], read: [data], write: [out] }"),
    ])
    func mistakesAreNamed(_ allow: Value, _ message: String) {
        #expect(throws: LuaConfigError.self) { try LuaCapabilities(allow, directory: "/srv") }
        do {
            _ = try LuaCapabilities(allow, directory: "/srv")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func deniedMessagesNameWhatToGrant() {
        #expect(LuaIORequest.tcpConnect(host: "::1", port: 80, timeoutMs: nil).capability?.target == "[::1]:80")
        #expect(LuaIORequest.httpRequest(LuaHTTPRequest(method: "GET", url: "http://user@example.org/x?y")).capability?.target == "example.org:80")
        #expect(LuaIORequest.httpRequest(LuaHTTPRequest(method: "GET", url: "http://10.0.0.1:8080")).capability?.target == "10.0.0.1:8080")
        #expect(LuaIORequest.fsWrite(path: "out/x", bytes: [], append: true).capability?.kind == .write)
        #expect(LuaIORequest.tcpSend(handle: 1, bytes: [], timeoutMs: nil).capability == nil)
    }
}
