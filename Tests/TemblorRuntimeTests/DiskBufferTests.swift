import Testing
import TemblorValue
@testable import TemblorRuntime

@Suite struct DiskBufferTests {
    /// Parses and validates `yaml` as the validator tests do; errors as `line:column: message`.
    func errors(_ yaml: String) throws -> [String] {
        try FlowValidatorTests().errors(yaml)
    }

    @Test func aBufferOnASinkIsValidAndBecomesAWalInFrontOfIt() throws {
        let yaml = """
            connectors:
              in: { type: stdio }
              out:
                type: file
                config: { path: out.jsonl }
                buffer: { type: disk, path: /var/lib/temblor/out, max_bytes: 1048576 }
            links:
              - in -> out
            """
        #expect(try errors(yaml) == [])
        let flow = try FlowParser.parse(yaml: yaml, file: "flow.yaml").expandingBuffers()
        #expect(flow.connectors.map(\.name) == ["in", "out", "out.buffer"])
        #expect(flow.connectors[2].type == "wal")
        #expect(flow.connectors[2].config == ["path": "/var/lib/temblor/out", "max_bytes": 1_048_576])
        #expect(flow.links.map { "\($0.from) -> \($0.to)" } == ["in/out -> out.buffer/in", "out.buffer/out -> out/in"])
    }

    @Test func badBuffersNameTheKeyAndItsLine() throws {
        let flow = { (buffer: String, type: String) in
            """
            connectors:
              in: { type: stdio }
              out:
                type: \(type)
                buffer: \(buffer)
            links:
              - in -> out
            """
        }
        #expect(try errors(flow("{ type: memory, path: b }", "null")) == [
            "5:15: connector 'out': config 'buffer.type': expected 'disk' (events in memory need no buffer key), got 'memory'",
        ])
        #expect(try errors(flow("{ type: disk }", "null")) == [
            "5:5: connector 'out': config 'buffer.path': missing; a disk buffer needs the directory it keeps its wal in",
        ])
        #expect(try errors(flow("{ type: disk, path: b, size: 3 }", "null")) == [
            "5:36: connector 'out': config 'buffer.size': unknown key; known keys: type, path, max_bytes",
        ])
        #expect(try errors(flow("{ type: disk, path: b, max_bytes: -1 }", "null")) == [
            "5:36: connector 'out': config 'buffer.max_bytes': expected a positive integer (bytes), got -1",
        ])
        #expect(throws: FlowErrors.self) { try errors(flow("disk", "null")) }
    }

    @Test func aConnectorWithoutASinkSideRefusesABuffer() throws {
        let yaml = """
            connectors:
              tick:
                type: metronome
                buffer: { type: disk, path: b }
              out: { type: null }
            links:
              - tick -> out
            """
        #expect(try errors(yaml) == [
            "4:5: connector 'tick': 'buffer' puts a disk buffer in front of a sink, and a metronome connector has no sink side; remove it",
        ])
    }

    @Test func aNodeNamedLikeTheBufferIsRefused() throws {
        let yaml = """
            connectors:
              in: { type: stdio }
              out:
                type: null
                buffer: { type: disk, path: b }
              out.buffer: { type: null }
            links:
              - in -> out
              - in -> out.buffer
            """
        #expect(try errors(yaml) == [
            "5:5: connector 'out': its disk buffer runs as 'out.buffer', a name this flow already uses; rename that node",
        ])
    }
}
