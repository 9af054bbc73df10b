import Foundation
import Testing
import TemblorRuntime
import TemblorValue

/// A `lua` pipeline operator keeps what its script does to `meta`; a script whose `on_event`
/// does not take `meta` leaves it exactly as it came.
@Suite struct LuaOperatorMetaTests {
    func run(_ script: String, _ event: Event) throws -> [(port: TemblorRuntime.Port, event: Event)] {
        let dir = try FlowFixtures.temporaryDirectory()
        try script.write(toFile: dir + "/op.lua", atomically: true, encoding: .utf8)
        var op = try OperatorRegistry.standard.withLua(directory: dir).make("lua", config: ["script": "op.lua"])
        var output = OperatorOutput()
        try op.process(event, into: &output)
        return output.emitted
    }

    let event = Event(
        payload: ["n": 1], meta: ["request": ["id": 7, "path": "/x"], "stream": 3, "drop_me": true],
        id: EventId(source: 2, stream: 3, sequence: 4))

    @Test func setNestedAndRemovedKeysAreKept() throws {
        let out = try run("""
            return { api = 1, on_event = function(ctx, event, meta)
              meta.response = { status = 201, headers = { ["x-a"] = "b" } }
              meta.request.seen = meta.request.path .. "!"
              meta.drop_me = nil
              event.n = event.n + 1
              return event
            end }
            """, event)
        let forwarded = try #require(out.first?.event)
        #expect(forwarded.payload == ["n": 2])
        #expect(forwarded.meta["response"] == ["status": 201, "headers": ["x-a": "b"]])
        #expect(forwarded.meta["request"]?["seen"] == "/x!")
        #expect(forwarded.meta["request"]?["id"] == 7)
        #expect(forwarded.meta["drop_me"] == nil)
        #expect(forwarded.meta["stream"] == 3)
        // The id that carries acks back is the same event's.
        #expect(forwarded.id == event.id)
    }

    @Test func aScriptThatDoesNotTakeMetaLeavesItAsItCame() throws {
        let out = try run("""
            return { api = 1, on_event = function(ctx, event) event.n = 10; return event end }
            """, event)
        #expect(out.first?.event.meta == event.meta)
        #expect(out.first?.event.payload == ["n": 10])
    }

    @Test func readingMetaWithoutChangingItKeepsItEqual() throws {
        let out = try run("""
            return { api = 1, ports = { "found" }, on_event = function(ctx, event, meta)
              if meta.request.id == 7 then return event, "found" end
              return event
            end }
            """, event)
        #expect(out.first?.port == TemblorRuntime.Port("found"))
        #expect(out.first?.event.meta == event.meta)
    }
}
