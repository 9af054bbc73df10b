import struct Foundation.UUID
import class Foundation.FileManager
import Testing
import TemblorCodecs
import TemblorValue
@testable import TemblorRuntime

/// Sends every event to `debug` as well: an operator with an extra output port.
private struct RouteOperator: Operator {
    mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        output.emit(event, on: "debug")
    }

    var extraPorts: [Port] { ["debug"] }
}

@Suite("FlowValidator")
struct FlowValidatorTests {
    /// file, stdio and null as the stock connectors will describe themselves, plus a
    /// source-only type; passthrough and an operator with an extra port.
    static let catalog: FlowCatalog = {
        let file = ConnectorTypeInfo(name: "file", hasSource: true, hasSink: true) { config throws(ConnectorConfigError) in
            guard config["path"]?.stringValue != nil else {
                throw ConnectorConfigError(key: "path", "required: set it to the file to read or write")
            }
            if let mode = config["mode"], !["read", "append", "truncate"].contains(mode.stringValue ?? "") {
                throw ConnectorConfigError(key: "mode", "expected read, append or truncate, got \(mode)")
            }
        }
        let stdio = ConnectorTypeInfo(name: "stdio", hasSource: true, hasSink: true) { config throws(ConnectorConfigError) in
            guard config.isNull else { throw ConnectorConfigError(key: "", "stdio takes no configuration") }
        }
        let null = ConnectorTypeInfo(name: "null", hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in }
        let metronome = ConnectorTypeInfo(name: "metronome", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in }
        var operators = OperatorRegistry()
        operators.register("passthrough") { config throws(OperatorError) in try PassthroughOperator(config: config) }
        operators.register("route") { _ throws(OperatorError) in RouteOperator() }
        return FlowCatalog(connectorTypes: [file, stdio, null, metronome], operators: operators)
    }()

    /// The DESIGN §8 flow, with an `errors` sink and without the Lua operator the test catalog lacks.
    static let validFlow = """
        connectors:
          in:
            type: file
            config: { path: events.jsonl, mode: read }
            codec: json
            preprocessors: [separate]
          enrich:
            type: lua
            plugin: plugins/enrich.lua
            config: { field: "seen_by" }
            allow: { net: ["127.0.0.1:9000"], read: [], write: [] }
            limits: { memory_mb: 32, instructions: 10000000 }
          out:
            type: file
            config: { path: out.jsonl, mode: truncate }
            codec: json
            postprocessors: [separate]
          errors:
            type: stdio
        pipelines:
          main:
            - passthrough
        links:
          - in -> main
          - main -> enrich
          - enrich -> out
          - main/err -> errors
        """

    /// Parses and validates `yaml`; errors as `line:column: message`.
    func errors(_ yaml: String) throws -> [String] {
        let flow = try FlowParser.parse(yaml: yaml, file: "flow.yaml")
        return FlowValidator(catalog: Self.catalog).validate(flow).map { error in
            guard let location = error.location else { return error.message }
            return "\(location.line):\(location.column): \(error.message)"
        }
    }

    @Test func designExampleIsValid() throws {
        // The plugin is loaded as a run would load it, so it must exist beside the flow.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-design-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try """
            return {
              api = 1,
              name = "enrich",
              defaults = { field = "seen_by" },
              on_event = function(ctx, event, meta)
                event[ctx.config.field] = "temblor"
                ctx:emit(event, meta)
              end,
            }
            """.write(toFile: dir + "/plugins/enrich.lua", atomically: true, encoding: .utf8)
        try Self.validFlow.write(toFile: dir + "/flow.yaml", atomically: true, encoding: .utf8)
        let flow = try FlowParser.parse(contentsOf: dir + "/flow.yaml")
        #expect(FlowValidator(catalog: Self.catalog).validate(flow).map(\.description) == [])
        // Without the plugin, the error names the file that is missing.
        try FileManager.default.removeItem(atPath: dir + "/plugins/enrich.lua")
        let missing = FlowValidator(catalog: Self.catalog).validate(flow).map(\.description)
        #expect(missing.count == 1 && missing[0].contains("plugins/enrich.lua: cannot read the plugin"))
    }

    @Test func unknownConnectorTypeSuggestsTheClosest() throws {
        #expect(try errors("""
            connectors:
              a: { type: fil, config: { path: x } }
              b: { type: kafka }
            links:
              - a -> b
            """) == [
            "2:8: unknown connector type 'fil' in connector 'a' (did you mean 'file'?); known types: file, lua, metronome, null, stdio",
            "3:8: unknown connector type 'kafka' in connector 'b'; known types: file, lua, metronome, null, stdio",
        ])
    }

    @Test func connectorConfigErrorPointsAtTheKey() throws {
        #expect(try errors("""
            connectors:
              a:
                type: file
                config:
                  path: x
                  mode: write
              b:
                type: file
                config: { mode: read }
              c:
                type: file
              d:
                type: stdio
                config: { x: 1 }
            links:
              - a -> b
              - c -> d
            """) == [
            "6:7: connector 'a': config 'mode': expected read, append or truncate, got \"write\"",
            "9:5: connector 'b': config 'path': required: set it to the file to read or write",
            "10:3: connector 'c': config 'path': required: set it to the file to read or write",
            "14:5: connector 'd': stdio takes no configuration",
        ])
    }

    @Test func unknownCodecSuggestsTheClosest() throws {
        #expect(try errors("""
            connectors:
              a: { type: stdio, codec: jsno }
              b: { type: stdio, codec: { name: protobuf } }
            links:
              - a -> b
            """) == [
            "2:28: unknown codec 'jsno' in connector 'a' (did you mean 'json'?); known codecs: binary, csv, influx, json, msgpack, string, yaml",
            "3:28: unknown codec 'protobuf' in connector 'b'; known codecs: binary, csv, influx, json, msgpack, string, yaml",
        ])
    }

    @Test func codecConfigIsCheckedByTheCodec() throws {
        #expect(try errors("""
            connectors:
              a:
                type: stdio
                codec: { name: json, config: { pretty: true } }
              b: { type: stdio, codec: { name: yaml, config: { style: fancy } } }
            links:
              - a -> b
            """) == [
            "4:12: connector 'a': json: config 'pretty': unknown key; it takes no configuration",
            "5:28: connector 'b': yaml: config 'style': expected one of block, flow, got 'fancy'",
        ])
    }

    @Test func unknownPreprocessorAndBadPostprocessorConfig() throws {
        #expect(try errors("""
            connectors:
              a:
                type: stdio
                preprocessors: [seperate, lines]
              b:
                type: stdio
                postprocessors:
                  - { name: separate, config: { separator: "" } }
                  - compress
            links:
              - a -> b
            """) == [
            "4:21: unknown preprocessor 'seperate' in connector 'a' (did you mean 'separate'?); known preprocessors: "
                + "base64, decompress, gzip, length-prefixed, separate, zlib",
            "4:31: unknown preprocessor 'lines' in connector 'a'; known preprocessors: "
                + "base64, decompress, gzip, length-prefixed, separate, zlib",
            "8:9: connector 'b': separate: config 'separator': must hold at least one byte",
        ])
    }

    @Test func unknownOperatorSuggestsTheClosest() throws {
        #expect(try errors("""
            connectors:
              a: { type: stdio }
            pipelines:
              main:
                - pasthrough
                - batch: { count: 10 }
            links:
              - a -> main
              - main -> a
            """) == [
            "5:7: unknown operator 'pasthrough' in pipeline 'main' (did you mean 'passthrough'?); known operators: passthrough, route",
            "6:7: unknown operator 'batch' in pipeline 'main'; known operators: passthrough, route",
        ])
    }

    @Test func operatorConfigIsCheckedByTheOperator() throws {
        #expect(try errors("""
            connectors:
              a: { type: stdio }
            pipelines:
              main:
                - passthrough: { fast: true }
            links:
              - a -> main
              - main -> a
            """) == [
            "5:7: pipeline 'main': passthrough: config '': takes no configuration",
        ])
    }

    @Test func luaConnectorNeedsAPlugin() throws {
        #expect(try errors("""
            connectors:
              script: { type: lua, config: { anything: 1 } }
              sink: { type: null }
            links:
              - script -> sink
            """) == [
            "2:3: lua connector 'script' has no 'plugin'; add 'plugin: <file.lua or directory with init.lua>'",
        ])
    }

    @Test func pluginOnlyAppliesToLua() throws {
        #expect(try errors("""
            connectors:
              a:
                type: stdio
                plugin: x.lua
            links:
              - a -> a
            """) == [
            "4:5: 'plugin' only applies to lua connectors; remove it from connector 'a' or set 'type: lua'",
        ])
    }

    @Test func danglingLinkEndpointSuggestsTheClosest() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              errors: { type: null }
            pipelines:
              main: [passthrough]
            links:
              - in -> main
              - main -> errors
              - main/err -> erors
              - nowhere -> main
            """) == [
            "9:5: link names 'erors', which is neither a connector nor a pipeline (did you mean 'errors'?); "
                + "connectors and pipelines: errors, in, main",
            "10:5: link names 'nowhere', which is neither a connector nor a pipeline; connectors and pipelines: errors, in, main",
        ])
    }

    @Test func portThatDoesNotExist() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: stdio }
            pipelines:
              main: [passthrough]
            links:
              - in -> main
              - main/error -> out
              - main -> out/input
            """) == [
            "8:5: pipeline 'main' has no output port 'error' (did you mean 'err'?); its output ports: out, err",
            "9:5: connector 'out' has no input port 'input'; its input ports: in",
        ])
    }

    @Test func operatorsExtraPortsCanBeLinked() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: stdio }
            pipelines:
              main: [route]
            links:
              - in -> main
              - main/debug -> out
              - main/debgu -> out
            """) == [
            "9:5: pipeline 'main' has no output port 'debgu' (did you mean 'debug'?); its output ports: out, err, debug",
        ])
    }

    @Test func portsOfAnOperatorThatFailedAreNotReportedAgain() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: stdio }
            pipelines:
              main: [rout]
            links:
              - in -> main
              - main/debug -> out
              - main/in -> out
            """) == [
            "5:10: unknown operator 'rout' in pipeline 'main' (did you mean 'route'?); known operators: passthrough, route",
            "9:5: a link must start at an output port, but 'main/in' is an input; output ports of pipeline 'main': out, err",
        ])
    }

    @Test func linkMustGoFromAnOutputToAnInput() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: stdio }
            pipelines:
              main: [passthrough]
            links:
              - in -> main
              - main/in -> out
              - main -> out/out
              - in/err -> main/err
            """) == [
            "8:5: a link must start at an output port, but 'main/in' is an input; output ports of pipeline 'main': out, err",
            "9:5: a link must end at an input port, but 'out/out' is an output; input ports of connector 'out': in",
            "10:5: a link must end at an input port, but 'main/err' is an output; input ports of pipeline 'main': in",
        ])
    }

    @Test func connectorSidesLimitTheLinks() throws {
        #expect(try errors("""
            connectors:
              tick: { type: metronome }
              sink: { type: null }
            pipelines:
              main: [passthrough]
            links:
              - tick -> main
              - main -> sink
              - sink -> main
              - main -> tick
            """) == [
            "9:5: connector 'sink' has no source side, so no link can start at it; link into it instead",
            "10:5: connector 'tick' has no sink side, so no link can end at it; link from it instead",
        ])
    }

    @Test func cycleBetweenPipelinesIsReportedWithItsPath() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: null }
            pipelines:
              a: [passthrough]
              b: [passthrough]
              c: [passthrough]
            links:
              - in -> a
              - a -> b
              - b -> c
              - c -> a
              - c -> out
            """) == [
            "10:5: links form a cycle: a -> b -> c -> a; remove one of these links",
        ])
        #expect(try errors("""
            connectors:
              in: { type: stdio }
            pipelines:
              loop: [passthrough]
            links:
              - in -> loop
              - loop -> loop
              - loop/err -> in
            """) == [
            "7:5: links form a cycle: loop -> loop; remove one of these links",
        ])
    }

    @Test func connectorWithBothSidesMayAnswerThroughAPipeline() throws {
        #expect(try errors("""
            connectors:
              server: { type: stdio }
            pipelines:
              echo: [passthrough]
            links:
              - server -> echo
              - echo -> server
            """) == [])
    }

    @Test func unlinkedNodesAreReported() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              spare: { type: null }
            pipelines:
              main: [passthrough]
              idle: [passthrough]
            links:
              - in -> main
              - main -> in
            """) == [
            "3:3: connector 'spare' is not linked to anything; link it or remove it",
            "6:3: pipeline 'idle' is not linked to anything; link it or remove it",
        ])
    }

    @Test func pipelineNeedsAnInputAndAnOutput() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
              out: { type: null }
            pipelines:
              head: [passthrough]
              tail: [passthrough]
            links:
              - in -> head
              - tail -> out
            """) == [
            "5:3: pipeline 'head' sends its events nowhere; add a link such as 'head -> SINK'",
            "6:3: pipeline 'tail' has no input; add a link such as 'SOURCE -> tail'",
        ])
    }

    @Test func repeatedLinkIsReported() throws {
        #expect(try errors("""
            connectors:
              in: { type: stdio }
            pipelines:
              main: [passthrough]
            links:
              - in -> main
              - main -> in
              - in/out -> main/in
            """) == [
            "8:5: link 'in/out -> main/in' repeats the one at line 6; remove one of them",
        ])
    }

    @Test func errorsComeInFileOrder() throws {
        let found = try errors("""
            connectors:
              in: { type: stdio, codec: jsn }
              x: { type: nope }
            pipelines:
              main: [passtrough]
            links:
              - in -> main
              - main -> ghost
            """
        )
        #expect(found == [
            "2:29: unknown codec 'jsn' in connector 'in' (did you mean 'json'?); known codecs: binary, csv, influx, json, msgpack, string, yaml",
            "3:3: connector 'x' is not linked to anything; link it or remove it",
            "3:8: unknown connector type 'nope' in connector 'x'; known types: file, lua, metronome, null, stdio",
            "5:10: unknown operator 'passtrough' in pipeline 'main' (did you mean 'passthrough'?); known operators: passthrough, route",
            "8:5: link names 'ghost', which is neither a connector nor a pipeline; connectors and pipelines: in, main, x",
        ])
    }

    @Test func definitionsBuiltInCodeAreCheckedToo() {
        let here = TemblorRuntime.SourceLocation(file: "code", line: 1, column: 1)
        let flow = FlowDefinition(
            file: "code",
            connectors: [ConnectorDefinition(name: "c", type: "", location: here)],
            links: [LinkDefinition(from: LinkEndpoint(node: "c", port: .out), to: LinkEndpoint(node: "c", port: .in), location: here)]
        )
        #expect(FlowValidator(catalog: Self.catalog).validate(flow) == [
            FlowError("connector 'c' has no 'type'; add one such as 'type: file' or 'type: lua'", at: here),
        ])
    }

    @Test func editDistanceCountsSwapsAsOneEdit() {
        #expect(NameSuggestion.editDistance("json", "jsno") == 1)
        #expect(NameSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestion.editDistance("", "abc") == 3)
        #expect(NameSuggestion.closest(to: "File", in: ["file", "stdio"]) == "file")
        #expect(NameSuggestion.closest(to: "in", in: ["out", "err"]) == nil)
    }
}

/// The `reconnect:` block is checked before a run, not when the first connection drops.
@Suite struct FlowReconnectValidationTests {
    @Test func aBadReconnectBlockIsReportedAtItsKey() throws {
        let yaml = """
            connectors:
              out:
                type: file
                config: { path: out.jsonl, mode: write }
                reconnect: { initial_ms: -5 }
              in:
                type: file
                config: { path: in.jsonl }
            links:
              - in -> out

            """
        let flow = try FlowParser.parse(yaml: yaml, file: "flow.yaml")
        var registry = OperatorRegistry()
        registry.register("passthrough") { config throws(OperatorError) in try PassthroughOperator(config: config) }
        let file = ConnectorTypeInfo(name: "file", hasSource: true, hasSink: true) { _ throws(ConnectorConfigError) in }
        let errors = FlowValidator(catalog: FlowCatalog(connectorTypes: [file], operators: registry)).validate(flow)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.location?.line == 5, "\(error)")
        #expect(error.message.hasPrefix("connector 'out': config 'reconnect.initial_ms': "), "\(error)")
    }
}
