import Foundation
import Testing
import TemblorDaemon

/// The token and the roots: what a daemon reachable by others must refuse, and how it says so.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DaemonSecurityTests {
    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 5 } }
          sink: { type: blackhole }
        links: [tick -> sink]
        """

    @Test func everyRequestButTheHealthEndpointsNeedsTheToken() async throws {
        try await ApiHarness.with(token: "s3cret-token") { api in
            for path in ["/v1/flows", "/v1/flows/x", "/metrics"] {
                for authorization in ["", "Bearer wrong-token", "Bearer s3cret-toke", "Bearer s3cret-token2", "Basic czNjcmV0LXRva2Vu"] {
                    let refused = try await api.call(.GET, path, authorization: authorization)
                    #expect(refused.status == 401, "\(path) with \(authorization)")
                    #expect(refused.headers.first(name: "www-authenticate") == "Bearer")
                    #expect((refused.object?["error"] as? String)?.contains("Bearer") == true)
                }
            }
            // Refused deploys, stops and reloads change nothing.
            #expect(try await api.call(.POST, "/v1/flows?id=sneaky", body: ticking, authorization: "").status == 401)
            #expect(try await api.call(.POST, "/v1/reload", authorization: "Bearer nope").status == 401)
            #expect(try await api.call(.GET, "/v1/flows").array?.isEmpty == true)
            #expect(try await api.call(.POST, "/v1/flows?id=ok", body: ticking).status == 201)
            #expect(try await api.call(.DELETE, "/v1/flows/ok", authorization: "Bearer nope").status == 401)
            #expect(try await api.flow("ok")["status"] as? String == "running")
            // Health stays open for the orchestrator.
            #expect(try await api.call(.GET, "/healthz", authorization: "").status == 200)
            #expect(try await api.call(.GET, "/readyz", authorization: "").status == 200)
            // The status page asks for the token, then works with the cookie it sets.
            let login = try await api.call(.GET, "/", authorization: "")
            #expect(login.status == 401)
            #expect(login.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
            #expect(login.text.contains("temblor_token"))
            let page = try await api.call(.GET, "/", authorization: "", headers: [("cookie", "theme=dark; temblor_token=s3cret-token")])
            #expect(page.status == 200)
            #expect(page.text.contains("<table"))
            #expect(try await api.call(.GET, "/v1/flows", authorization: "", headers: [("cookie", "temblor_token=s3cret-token")]).status == 200)
            #expect(try await api.call(.GET, "/v1/flows", authorization: "", headers: [("cookie", "temblor_token=guess")]).status == 401)
        }
    }

    /// A flow deployed over the API may name files only under the roots: any other path is
    /// refused with 403 naming it, and nothing of the flow starts.
    @Test func pathsOutsideTheRootsAreRefusedBeforeAnythingStarts() async throws {
        let root = try ApiHarness.directory()
        let outside = try ApiHarness.directory()
        try "{\"n\":1}\n".write(toFile: outside + "/secret.jsonl", atomically: true, encoding: .utf8)
        try await ApiHarness.with(roots: [root], directory: root) { api in
            let cases = [
                ("reader", "in: { type: file, config: { path: \(outside)/secret.jsonl } }\n  out: { type: blackhole }", "\(outside)/secret.jsonl"),
                ("writer", "in: { type: metronome, config: { interval_ms: 5 } }\n  out: { type: file, config: { path: ../escape.jsonl, mode: truncate } }",
                 "escape.jsonl"),
                ("plugin", "in: { type: metronome, config: { interval_ms: 5 } }\n  out: { type: lua, plugin: \(outside)/evil.lua }", "\(outside)/evil.lua"),
            ]
            for (id, connectors, path) in cases {
                let refused = try await api.call(.POST, "/v1/flows?id=\(id)", body: "connectors:\n  \(connectors)\nlinks: [in -> out]\n")
                #expect(refused.status == 403, "\(id): \(refused.text)")
                let said = ((refused.object?["error"] as? String) ?? "") + ((refused.object?["details"] as? [String]) ?? []).joined()
                #expect(said.contains(path), "\(id): \(refused.text)")
            }
            #expect(try await api.call(.GET, "/v1/flows").array?.isEmpty == true)
            #expect(!FileManager.default.fileExists(atPath: (root as NSString).deletingLastPathComponent + "/escape.jsonl"))
            // Under the root, the same flow runs.
            try "{\"n\":1}\n{\"n\":2}\n".write(toFile: root + "/mine.jsonl", atomically: true, encoding: .utf8)
            let allowed = try await api.call(.POST, "/v1/flows?id=inside", body: """
                connectors:
                  in: { type: file, config: { path: \(root)/mine.jsonl } }
                  out: { type: file, config: { path: copy.jsonl, mode: truncate } }
                links: [in -> out]
                """)
            #expect(allowed.status == 201, "\(allowed.text)")
            try await api.waitUntil("the copy") { try await api.flow("inside")["status"] as? String == "stopped" }
            #expect(try String(contentsOfFile: root + "/copy.jsonl", encoding: .utf8) == "{\"n\":1}\n{\"n\":2}\n")
        }
    }
}
