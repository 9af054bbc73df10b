import Testing

@testable import TemblorNATS

@Suite struct NATSServerAddressTests {
    @Test func parsesEveryAcceptedForm() throws {
        let plain = try NATSServerAddress(url: "nats://demo.nats.io:4443")
        #expect(plain.host == "demo.nats.io" && plain.port == 4443 && !plain.tls)
        let tls = try NATSServerAddress(url: "TLS://10.0.0.1")
        #expect(tls.host == "10.0.0.1" && tls.port == 4222 && tls.tls)
        #expect(try NATSServerAddress(url: "127.0.0.1:4223") == NATSServerAddress(host: "127.0.0.1", port: 4223))
        #expect(try NATSServerAddress(url: " localhost ") == NATSServerAddress(host: "localhost"))
        #expect(try NATSServerAddress(url: "nats://h:5/") == NATSServerAddress(host: "h", port: 5))
        let v6 = try NATSServerAddress(url: "[::1]:4222")
        #expect(v6.host == "::1" && v6.port == 4222)
        #expect(v6.description == "[::1]:4222")
        #expect(try NATSServerAddress(url: "nats://[fe80::1]").port == 4222)
        #expect(try NATSServerAddress(url: "::1").host == "::1")
        let credentials = try NATSServerAddress(url: "nats://alice:p%40ss@127.0.0.1:4222")
        #expect(credentials.user == "alice" && credentials.password == "p@ss" && credentials.host == "127.0.0.1")
        #expect(credentials.description == "127.0.0.1:4222")
        let token = try NATSServerAddress(url: "nats://s3cret@h")
        #expect(token.user == "s3cret" && token.password == nil)
        #expect(tls.description == "tls://10.0.0.1:4222")
    }

    @Test func refusesBadURLsSayingWhy() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("http://h:4222", "scheme 'http'"),
            ("nats://h:0", "port '0'"),
            ("nats://h:70000", "port '70000'"),
            ("nats://h:abc", "port 'abc'"),
            ("nats://:4222", "names no host"),
            ("nats://[::1", "never closes"),
            ("nats://[::1]x", "after the IPv6 address"),
            ("nats://h:4222/path", "path or query"),
        ]
        for (url, expected) in cases {
            do {
                _ = try NATSServerAddress(url: url)
                Issue.record("'\(url)' parsed")
            } catch {
                #expect("\(error)".contains(expected), "\(url): \(error)")
                #expect("\(error)".hasPrefix("bad nats server url: "))
            }
        }
    }

    @Test func rotatesThroughConfiguredThenDiscoveredServers() {
        var rotation = NATSServerRotation([NATSServerAddress(host: "a"), NATSServerAddress(host: "b"), NATSServerAddress(host: "A")])
        #expect(rotation.servers.map(\.host) == ["a", "b"])
        #expect(rotation.add(discovered: ["b:4222", "c:4223", "h:notaport", "10.0.0.1:4222"], tls: true).map(\.description) == ["tls://c:4223", "tls://10.0.0.1:4222"])
        rotation.use(NATSServerAddress(host: "b"))
        #expect(rotation.next()?.host == "c")
        #expect(rotation.next()?.host == "10.0.0.1")
        #expect(rotation.next()?.host == "a")
        var single = NATSServerRotation([NATSServerAddress(host: "only")])
        #expect(single.next()?.host == "only")
        #expect(single.next()?.host == "only")
    }

    @Test func checksSubjects() {
        for good in ["a", "a.b", "$JS.API.STREAM.INFO.S", "_INBOX.x.1", "foo*", "a.b-c_d"] {
            #expect(throws: Never.self) { try NATSSubject.validatePublish(good) }
        }
        for bad in ["", "a b", "a\tb", "a..b", ".a", "a.", "a.*", "a.>", "*", "line\r\nbreak"] {
            #expect(throws: NATSError.self, "\(bad.debugDescription)") { try NATSSubject.validatePublish(bad) }
        }
        for good in ["a.*", "a.>", ">", "*.b.*", "a.*.>"] {
            #expect(throws: Never.self) { try NATSSubject.validateSubscribe(good) }
        }
        for bad in ["a.>.b", ">.a", "a..b", "a b", ""] {
            #expect(throws: NATSError.self, "\(bad.debugDescription)") { try NATSSubject.validateSubscribe(bad) }
        }
        #expect(throws: NATSError.self) { try NATSSubject.validateQueue("a b") }
        #expect(throws: Never.self) { try NATSSubject.validateQueue("workers") }
    }
}
