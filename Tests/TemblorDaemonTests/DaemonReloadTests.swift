import Foundation
import Testing
import TemblorDaemon

/// A Lua plugin's record in the flow detail, and how a reload over the API changes it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DaemonReloadTests {
    func plugin(tag: String) -> String {
        """
        return {
          api = 1,
          on_event = function(ctx, event, meta)
            event.tag = "\(tag)"
            ctx:emit(event, meta)
          end,
        }
        """
    }

    @Test func aReloadOverTheApiSwapsThePluginAndItsRecordSaysSo() async throws {
        try await ApiHarness.with { api in
            try plugin(tag: "one").write(toFile: api.directory + "/tag.lua", atomically: true, encoding: .utf8)
            #expect(try await api.call(.POST, "/v1/flows?id=tagged", body: """
                connectors:
                  tick: { type: metronome, config: { interval_ms: 5 } }
                  tag: { type: lua, plugin: tag.lua }
                  sink: { type: blackhole }
                links: [tick -> tag, tag -> sink]
                """).status == 201)
            try await api.waitUntil("events through the plugin") { (try await api.flow("tagged")["events_out"] as? Int ?? 0) > 3 }
            let first = try #require((try await api.flow("tagged")["plugins"] as? [[String: Any]])?.first)
            #expect(first["node"] as? String == "tag")
            #expect((first["plugin"] as? String)?.hasSuffix("tag.lua") == true)
            let hash = try #require(first["hash"] as? String)
            #expect(!hash.isEmpty)
            #expect(first["reloads"] as? Int == 0)
            #expect(first["restarts"] as? Int == 0)
            #expect(first["faults"] as? Int == 0)
            #expect((first["memory_bytes"] as? Int ?? 0) > 0)
            let loadedAt = try #require(first["loaded_at"] as? Double)

            // Unchanged: nothing swapped.
            let same = try await api.call(.POST, "/v1/flows/tagged/reload")
            #expect(same.status == 200)
            #expect(same.object?["unchanged"] as? Int == 1)
            #expect(same.object?["swapped"] as? Int == 0)

            try plugin(tag: "two").write(toFile: api.directory + "/tag.lua", atomically: true, encoding: .utf8)
            let swapped = try await api.call(.POST, "/v1/flows/tagged/reload")
            #expect(swapped.status == 200)
            #expect(swapped.object?["swapped"] as? Int == 1)
            #expect(swapped.object?["failed"] as? Int == 0)
            let outcome = try #require((swapped.object?["plugins"] as? [[String: Any]])?.first)
            #expect(outcome["flow"] as? String == "tagged")
            #expect(outcome["result"] as? String == "swapped")
            #expect(outcome["old_hash"] as? String == hash)
            #expect((swapped.object?["report"] as? [String])?.isEmpty == false)

            let after = try #require((try await api.flow("tagged")["plugins"] as? [[String: Any]])?.first)
            #expect(after["reloads"] as? Int == 1)
            #expect(after["hash"] as? String == outcome["hash"] as? String)
            #expect(after["hash"] as? String != hash)
            #expect((after["loaded_at"] as? Double ?? 0) > loadedAt)

            // A broken script is refused; the running version stays, and so does its record.
            try "return {".write(toFile: api.directory + "/tag.lua", atomically: true, encoding: .utf8)
            let refused = try await api.call(.POST, "/v1/reload")
            #expect(refused.status == 200)
            #expect(refused.object?["failed"] as? Int == 1)
            let error = (refused.object?["plugins"] as? [[String: Any]])?.first?["error"] as? String
            #expect(error?.contains("tag.lua") == true, "\(refused.text)")
            let kept = try #require((try await api.flow("tagged")["plugins"] as? [[String: Any]])?.first)
            #expect(kept["hash"] as? String == after["hash"] as? String)
            #expect(kept["reloads"] as? Int == 1)
            let flow = try await api.flow("tagged")
            #expect(flow["status"] as? String == "running")
            #expect(flow["failed"] as? Int == 0)
        }
    }
}
