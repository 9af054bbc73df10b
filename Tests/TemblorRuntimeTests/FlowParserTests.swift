import Foundation
import Testing
import TemblorValue
@testable import TemblorRuntime

/// Parses `yaml` as `flow.yaml` and returns its errors as `line:column: message`, or `[]`.
func flowParseErrors(_ yaml: String) -> [String] {
    do {
        _ = try FlowParser.parse(yaml: yaml, file: "flow.yaml")
        return []
    } catch {
        return error.errors.map { error in
            guard let location = error.location else { return error.message }
            #expect(location.file == "flow.yaml")
            return "\(location.line):\(location.column): \(error.message)"
        }
    }
}

private func at(_ line: Int, _ column: Int) -> TemblorRuntime.SourceLocation {
    TemblorRuntime.SourceLocation(file: "flow.yaml", line: line, column: column)
}

@Suite("FlowParser")
struct FlowParserTests {
    /// The flow file of DESIGN §8, comments and all.
    static let designExample = """
        connectors:
          in:                                   # instance name
            type: file                          # a native connector type, or `lua`
            config: { path: events.jsonl, mode: read }
            codec: json                         # default per connector type
            preprocessors: [separate]           # split on newlines
          enrich:
            type: lua
            plugin: plugins/enrich.lua          # a file, or a directory with init.lua
            config: { field: "seen_by" }        # merged over the plugin's defaults
            allow: { net: ["127.0.0.1:9000"], read: [], write: [] }   # capabilities, default none
            limits: { memory_mb: 32, instructions: 10000000 }          # per state / per callback
          out:
            type: file
            config: { path: out.jsonl, mode: truncate }
            codec: json
            postprocessors: [separate]
        pipelines:
          main:                                 # operators run in order
            - passthrough
            - lua: { script: pipelines/drop_debug.lua }
        links:                                  # from[/port] -> to[/port]; ports default out -> in
          - in -> main
          - main -> enrich
          - enrich -> out
          - main/err -> errors                  # hypothetical error sink
        """

    @Test func designExampleParsesToTheExactDefinition() throws {
        let flow = try FlowParser.parse(yaml: Self.designExample, file: "flow.yaml")
        let expected = FlowDefinition(
            file: "flow.yaml",
            connectors: [
                ConnectorDefinition(
                    name: "in", type: "file", config: ["path": "events.jsonl", "mode": "read"],
                    codec: ProcessorReference(name: "json", location: at(5, 12)),
                    preprocessors: [ProcessorReference(name: "separate", location: at(6, 21))],
                    location: at(2, 3),
                    keyLocations: [
                        "type": at(3, 5), "config": at(4, 5), "config.path": at(4, 15), "config.mode": at(4, 35),
                        "codec": at(5, 5), "preprocessors": at(6, 5),
                    ]
                ),
                ConnectorDefinition(
                    name: "enrich", type: "lua", config: ["field": "seen_by"], plugin: "plugins/enrich.lua",
                    allow: ["net": ["127.0.0.1:9000"], "read": [], "write": []],
                    limits: ["memory_mb": 32, "instructions": 10_000_000],
                    location: at(7, 3),
                    keyLocations: [
                        "type": at(8, 5), "plugin": at(9, 5), "config": at(10, 5), "config.field": at(10, 15),
                        "allow": at(11, 5), "limits": at(12, 5),
                    ]
                ),
                ConnectorDefinition(
                    name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"],
                    codec: ProcessorReference(name: "json", location: at(16, 12)),
                    postprocessors: [ProcessorReference(name: "separate", location: at(17, 22))],
                    location: at(13, 3),
                    keyLocations: [
                        "type": at(14, 5), "config": at(15, 5), "config.path": at(15, 15), "config.mode": at(15, 32),
                        "codec": at(16, 5), "postprocessors": at(17, 5),
                    ]
                ),
            ],
            pipelines: [
                PipelineDefinition(
                    name: "main",
                    operators: [
                        OperatorDefinition(name: "passthrough", location: at(20, 7)),
                        OperatorDefinition(name: "lua", config: ["script": "pipelines/drop_debug.lua"], location: at(21, 7)),
                    ],
                    location: at(19, 3)
                ),
            ],
            links: [
                LinkDefinition(from: LinkEndpoint(node: "in", port: .out), to: LinkEndpoint(node: "main", port: .in), location: at(23, 5)),
                LinkDefinition(from: LinkEndpoint(node: "main", port: .out), to: LinkEndpoint(node: "enrich", port: .in), location: at(24, 5)),
                LinkDefinition(from: LinkEndpoint(node: "enrich", port: .out), to: LinkEndpoint(node: "out", port: .in), location: at(25, 5)),
                LinkDefinition(from: LinkEndpoint(node: "main", port: .err), to: LinkEndpoint(node: "errors", port: .in), location: at(26, 5)),
            ]
        )
        #expect(flow.connectors.count == 3)
        for (parsed, wanted) in zip(flow.connectors, expected.connectors) {
            #expect(parsed == wanted)
        }
        #expect(flow.pipelines == expected.pipelines)
        #expect(flow.links == expected.links)
        #expect(flow == expected)
    }

    @Test func scalarsKeepTheirYAMLTypes() throws {
        let flow = try FlowParser.parse(yaml: """
            connectors:
              c:
                type: stdio
                config:
                  i: 42
                  neg: -7
                  hex: 0x1F
                  f: 2.5
                  e: 1e3
                  t: true
                  n: null
                  tilde: ~
                  empty:
                  q: "123"
                  sq: '4.5'
                  s: hello
                  big: 18446744073709551615
                  tagged: !!str 12
                  list: [1, "a", false]
                  nested: { a: { b: 1 } }
            """, file: "flow.yaml")
        let config = try #require(flow.connectors.first?.config)
        let expected: Value = [
            "i": .int(42), "neg": .int(-7), "hex": .int(31), "f": .float(2.5), "e": .float(1000), "t": true,
            "n": nil, "tilde": nil, "empty": nil, "q": .string("123"), "sq": .string("4.5"), "s": "hello",
            "big": .uint(UInt64.max), "tagged": .string("12"), "list": [1, "a", false], "nested": ["a": ["b": 1]],
        ]
        #expect(config == expected)
        // Order is the file's.
        #expect(config.objectValue.map { Array($0.keys) } == expected.objectValue.map { Array($0.keys) })
        #expect(flow.connectors.first?.keyLocations["config.nested.a.b"] == at(20, 22))
    }

    @Test func linksAcceptAnySpacingAndDefaultTheirPorts() throws {
        let flow = try FlowParser.parse(yaml: """
            links:
              - a->b
              - "a   ->   b/in"
              - main/err->errors/in
              - "\tx/debug -> y\t"
            """, file: "flow.yaml")
        let pairs = flow.links.map { "\($0.from) => \($0.to)" }
        #expect(pairs == ["a/out => b/in", "a/out => b/in", "main/err => errors/in", "x/debug => y/in"])
        #expect(flow.links.map(\.location) == [at(2, 5), at(3, 5), at(4, 5), at(5, 5)])
    }

    @Test func processorsTakeANameOrANameWithConfig() throws {
        let flow = try FlowParser.parse(yaml: """
            connectors:
              c:
                type: stdio
                codec: { name: csv, config: { separator: ";" } }
                preprocessors:
                  - name: separate
                    config: { separator: "|", max_length: 64 }
                  - base64
                postprocessors: []
            """, file: "flow.yaml")
        let connector = try #require(flow.connectors.first)
        #expect(connector.codec == ProcessorReference(name: "csv", config: ["separator": ";"], location: at(4, 12)))
        #expect(connector.preprocessors == [
            ProcessorReference(name: "separate", config: ["separator": "|", "max_length": 64], location: at(6, 9)),
            ProcessorReference(name: "base64", location: at(8, 9)),
        ])
        #expect(connector.postprocessors == [])
    }

    @Test func operatorsAreNamesOrOneKeyMappings() throws {
        let flow = try FlowParser.parse(yaml: """
            pipelines:
              p:
                - passthrough
                - batch: { count: 10 }
                - batch:
                - { lua: { script: x.lua } }
              empty: []
            """, file: "flow.yaml")
        #expect(flow.pipelines == [
            PipelineDefinition(name: "p", operators: [
                OperatorDefinition(name: "passthrough", location: at(3, 7)),
                OperatorDefinition(name: "batch", config: ["count": 10], location: at(4, 7)),
                OperatorDefinition(name: "batch", location: at(5, 7)),
                OperatorDefinition(name: "lua", config: ["script": "x.lua"], location: at(6, 9)),
            ], location: at(2, 3)),
            PipelineDefinition(name: "empty", operators: [], location: at(7, 3)),
        ])
    }

    @Test func emptySectionsAreEmpty() throws {
        let flow = try FlowParser.parse(yaml: "connectors:\npipelines:\nlinks: []\n", file: "flow.yaml")
        #expect(flow == FlowDefinition(file: "flow.yaml"))
    }

    @Test func yamlSyntaxErrorCarriesLibyamlsLineAndColumn() {
        #expect(flowParseErrors("connectors:\n  in:\n    type: file\n   bad\n") == [
            "4:4: invalid YAML: did not find expected key (while parsing a block mapping at line 2, column 3); "
                + "check the indentation, quoting and ':' here",
        ])
        #expect(flowParseErrors("links: [a -> b\n") == [
            "2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 8); "
                + "check the indentation, quoting and ':' here",
        ])
    }

    @Test func controlCharacterIsAReaderError() {
        #expect(flowParseErrors("links:\n  - a -> b\u{1}\n") == [
            "2:11: invalid YAML: control characters are not allowed; remove or escape that character",
        ])
    }

    @Test func secondDocumentIsRefused() {
        #expect(flowParseErrors("links: []\n---\nlinks: []\n") == [
            "2:1: a flow file holds one YAML document, but another one starts here; remove the '---' or split the file",
        ])
    }

    @Test func repeatedKeyIsReported() {
        #expect(flowParseErrors("connectors:\n  in: { type: file }\n  in: { type: stdio }\n") == [
            "2:3: key 'in' appears more than once in this mapping; rename or remove the repeats",
        ])
    }

    @Test func emptyFileIsAnError() {
        #expect(flowParseErrors("") == ["1:1: the flow file is empty; it needs 'connectors', 'pipelines' and 'links'"])
        #expect(flowParseErrors("# nothing\n") == ["1:1: the flow file is empty; it needs 'connectors', 'pipelines' and 'links'"])
    }

    @Test func rootMustBeAMapping() {
        #expect(flowParseErrors("- in -> main\n") == [
            "1:1: a flow file must be a mapping with the keys connectors, pipelines and links, not a list",
        ])
    }

    @Test func unknownTopLevelKeyListsTheKnownOnes() {
        #expect(flowParseErrors("conectors: {}\nroutes: []\n") == [
            "1:1: unknown top-level key 'conectors' (did you mean 'connectors'?); known keys: connectors, pipelines, links",
            "2:1: unknown top-level key 'routes'; known keys: connectors, pipelines, links",
        ])
    }

    @Test func sectionsOfTheWrongKind() {
        #expect(flowParseErrors("connectors: [in, out]\npipelines: main\nlinks: { in: main }\n") == [
            "1:13: 'connectors' must be a mapping of names to connector definitions, not a list",
            "2:12: 'pipelines' must be a mapping of names to lists of operators, not the string 'main'",
            "3:8: 'links' must be a list of 'from[/port] -> to[/port]' strings, not a mapping",
        ])
    }

    @Test func connectorMustBeAMapping() {
        #expect(flowParseErrors("connectors:\n  in: file\n  out: [file]\n") == [
            "2:7: connector 'in' must be a mapping with at least a 'type' key, not the string 'file'",
            "3:8: connector 'out' must be a mapping with at least a 'type' key, not a list",
        ])
    }

    @Test func connectorWithoutType() {
        #expect(flowParseErrors("connectors:\n  in:\n    config: { path: x }\n") == [
            "2:3: connector 'in' has no 'type'; add one such as 'type: file' or 'type: lua'",
        ])
    }

    @Test func connectorKeysOfTheWrongKind() {
        #expect(flowParseErrors("""
            connectors:
              in:
                type: { name: file }
                config: path=x
                plugin: [enrich.lua]
                allow: [net]
                limits: true
                reconnect: "fast"
            """) == [
            "3:11: 'type' of connector 'in' must be a connector type name such as file or lua, not a mapping",
            "4:13: 'config' of connector 'in' must be a mapping of settings, not the string 'path=x'",
            "5:13: 'plugin' of connector 'in' must be the path of a Lua file or of a directory with init.lua, not a list",
            "6:12: 'allow' of connector 'in' must be a mapping of settings, not a list",
            "7:13: 'limits' of connector 'in' must be a mapping of settings, not the boolean true",
            "8:16: 'reconnect' of connector 'in' must be a mapping of settings, not the string 'fast'",
        ])
    }

    @Test func unknownConnectorKeyListsTheKnownOnes() {
        #expect(flowParseErrors("connectors:\n  in:\n    type: file\n    codecs: json\n    color: red\n") == [
            "4:5: unknown key 'codecs' in connector 'in' (did you mean 'codec'?); known keys: type, config, codec, "
                + "preprocessors, postprocessors, plugin, allow, limits, reconnect, buffer",
            "5:5: unknown key 'color' in connector 'in'; known keys: type, config, codec, "
                + "preprocessors, postprocessors, plugin, allow, limits, reconnect, buffer",
        ])
    }

    @Test func malformedCodecsAndProcessors() {
        #expect(flowParseErrors("""
            connectors:
              in:
                type: file
                codec: [json]
                preprocessors: separate
                postprocessors:
                  - { config: { separator: "|" } }
                  - { name: separate, sep: "|" }
                  - [separate]
            """) == [
            "4:12: the codec of connector 'in' must be a name such as json, or a mapping such as "
                + "{ name: json, config: { ... } }, not a list",
            "5:20: 'preprocessors' of connector 'in' must be a list such as [separate], not the string 'separate'",
            "7:9: a postprocessor of connector 'in' has no 'name'; write it as a name such as separate, "
                + "or a mapping such as { name: separate, config: { ... } }",
            "8:27: unknown key 'sep' in a postprocessor of connector 'in'; known keys: name, config",
            "9:9: a postprocessor of connector 'in' must be a name such as separate, or a mapping such as "
                + "{ name: separate, config: { ... } }, not a list",
        ])
    }

    @Test func pipelineMustBeAListOfOperators() {
        #expect(flowParseErrors("pipelines:\n  main: passthrough\n  other:\n") == [
            "2:9: pipeline 'main' must be a list of operators such as [passthrough], not the string 'passthrough'",
            "3:9: pipeline 'other' must be a list of operators such as [passthrough], not nothing",
        ])
    }

    @Test func operatorWithSeveralKeysOrOfTheWrongKind() {
        #expect(flowParseErrors("""
            pipelines:
              main:
                - batch: { count: 10 }
                  lua: { script: x.lua }
                -
                - [passthrough]
            """) == [
            "3:7: an operator of pipeline 'main' must be a one-key mapping such as 'batch: { count: 10 }', "
                + "but this one has 2 keys (batch, lua); give each operator its own list item",
            "5:6: an operator of pipeline 'main' must be a name such as passthrough or a one-key mapping such as "
                + "'batch: { count: 10 }', not nothing",
            "6:7: an operator of pipeline 'main' must be a name such as passthrough or a one-key mapping such as "
                + "'batch: { count: 10 }', not a list",
        ])
    }

    @Test func malformedLinksSayTheExpectedForm() {
        let hint = "write it as 'from[/port] -> to[/port]', e.g. 'in -> main' or 'main/err -> errors'"
        #expect(flowParseErrors("""
            links:
              - in main
              - in ->
              - a -> b -> c
              - a/ -> b
              - a/b/c -> d
              - my source -> b
              - { from: a, to: b }
            """) == [
            "2:5: malformed link 'in main'; \(hint)",
            "3:5: malformed link 'in ->'; \(hint)",
            "4:5: malformed link 'a -> b -> c'; \(hint)",
            "5:5: malformed link 'a/ -> b'; \(hint)",
            "6:5: malformed link 'a/b/c -> d'; \(hint)",
            "7:5: malformed link 'my source -> b'; \(hint)",
            "8:5: a link must be a string 'from[/port] -> to[/port]', not a mapping",
        ])
    }

    @Test func namesThatLinksCannotSpell() {
        #expect(flowParseErrors("connectors:\n  a/b: { type: file }\npipelines:\n  \"my pipe\": []\n  \"\": []\n") == [
            "2:3: connector name 'a/b' cannot be used in links; remove '/', '->' and spaces from it",
            "4:3: pipeline name 'my pipe' cannot be used in links; remove '/', '->' and spaces from it",
            "5:3: a pipeline name cannot be empty",
        ])
    }

    @Test func connectorAndPipelineCannotShareAName() {
        #expect(flowParseErrors("connectors:\n  main: { type: file }\npipelines:\n  main: [passthrough]\n") == [
            "4:3: 'main' is already the name of the connector at line 2; rename this pipeline, links cannot tell them apart",
        ])
        #expect(flowParseErrors("pipelines:\n  main: [passthrough]\nconnectors:\n  main: { type: file }\n") == [
            "4:3: 'main' is already the name of the pipeline at line 2; rename this connector, links cannot tell them apart",
        ])
    }

    @Test func badlyTaggedScalar() {
        #expect(flowParseErrors("connectors:\n  c:\n    type: file\n    config: { n: !!int ten }\n") == [
            "4:18: 'ten' is tagged !!int but is not a 64-bit integer; fix the value or remove the tag",
        ])
    }

    @Test func aliasesCannotExpandWithoutBound() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...6 {
            yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        yaml = "connectors:\n  c:\n    type: file\n    config:\n" + yaml.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n"
        let errors = flowParseErrors(yaml)
        #expect(errors.count == 1)
        #expect(errors.first?.hasSuffix(
            "the flow file holds more than 100000 values once aliases are expanded; remove the aliases that repeat large parts"
        ) == true)
    }

    @Test func allErrorsAreCollected() {
        #expect(flowParseErrors("""
            connectors:
              in:
                typ: file
              out: { type: file }
            pipelines:
              main: [passthrough]
            links:
              - in => main
            extra: 1
            """) == [
            "3:5: unknown key 'typ' in connector 'in' (did you mean 'type'?); known keys: type, config, codec, "
                + "preprocessors, postprocessors, plugin, allow, limits, reconnect, buffer",
            "2:3: connector 'in' has no 'type'; add one such as 'type: file' or 'type: lua'",
            "8:5: malformed link 'in => main'; write it as 'from[/port] -> to[/port]', e.g. 'in -> main' or 'main/err -> errors'",
            "9:1: unknown top-level key 'extra'; known keys: connectors, pipelines, links",
        ])
    }

    @Test func readsAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-parser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("flow.yaml").path
        try "links:\n  - a -> b\n".write(toFile: path, atomically: true, encoding: .utf8)
        let flow = try FlowParser.parse(contentsOf: path)
        #expect(flow.file == path)
        #expect(flow.links.first?.location == TemblorRuntime.SourceLocation(file: path, line: 2, column: 5))

        let bad = directory.appendingPathComponent("bad.yaml").path
        try "links: 3\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: FlowErrors.self) { try FlowParser.parse(contentsOf: bad) }
        do {
            _ = try FlowParser.parse(contentsOf: bad)
        } catch {
            #expect(error.description == "\(bad):1:8: 'links' must be a list of 'from[/port] -> to[/port]' strings, not the number 3")
        }

        let latin1 = directory.appendingPathComponent("latin1.yaml").path
        _ = FileManager.default.createFile(atPath: latin1, contents: Data([0x6C, 0x3A, 0x20, 0xE9, 0x0A]))
        #expect(fileErrors(latin1) == [FlowError("flow file '\(latin1)' is not UTF-8 text; save it as UTF-8", at: nil)])
        #expect(fileErrors(directory.path) == [
            FlowError("'\(directory.path)' is a directory; name a flow file such as flow.yaml", at: nil),
        ])
    }

    @Test func missingFileSaysSo() {
        #expect(fileErrors("/nonexistent/flow.yaml") == [
            FlowError("flow file '/nonexistent/flow.yaml' does not exist; check the path", at: nil),
        ])
    }

    private func fileErrors(_ path: String) -> [FlowError] {
        do {
            _ = try FlowParser.parse(contentsOf: path)
            return []
        } catch {
            return error.errors
        }
    }
}
