import TemblorCodecs
import TemblorValue
import Yams

/// Reads a flow file (DESIGN §8) into a `FlowDefinition`, reporting every problem of shape it
/// finds, each at the line and column to change. Names are checked later by `FlowValidator`.
public struct FlowParser {
    /// The file name errors and locations carry.
    let file: String
    /// Problems found so far, in the order they were met.
    var errors: [FlowError] = []
    /// How many more values the file may produce, so that aliases cannot expand without bound.
    var valuesLeft = FlowParser.maxValues
    /// Set once the value budget ran out, so that the error is reported once.
    var budgetExhausted = false

    /// The most values a flow file may hold once aliases are expanded.
    static let maxValues = 100_000
    /// The deepest nesting a configuration value may have.
    static let maxDepth = 64
    /// The keys a flow file may have at the top level, in the order the documentation shows them.
    static let topLevelKeys = ["connectors", "pipelines", "links"]

    init(file: String) {
        self.file = file
    }

    /// Parses flow YAML; `file` is the name locations and errors carry. Throws every problem
    /// found, not just the first.
    public static func parse(yaml: String, file: String) throws(FlowErrors) -> FlowDefinition {
        var parser = FlowParser(file: file)
        let flow = parser.flow(fromYAML: yaml)
        guard parser.errors.isEmpty else { throw FlowErrors(parser.errors) }
        return flow
    }

    /// Builds the definition from the document, recording problems instead of stopping at them.
    mutating func flow(fromYAML yaml: String) -> FlowDefinition {
        var flow = FlowDefinition(file: file)
        let root: Node?
        do {
            // The basic resolver has no regexes: scalars are typed by YAMLScalarResolver.
            root = try Yams.Parser(yaml: yaml, resolver: .basic, encoding: .utf8).singleRoot()
        } catch {
            errors.append(flowError(fromYAML: error, in: yaml))
            return flow
        }
        guard let root else {
            report("the flow file is empty; it needs 'connectors', 'pipelines' and 'links'", at: nil)
            return flow
        }
        guard case .mapping(let mapping) = root else {
            report(
                "a flow file must be a mapping with the keys connectors, pipelines and links, not \(describe(root))",
                at: root
            )
            return flow
        }
        for (keyNode, valueNode) in mapping {
            guard let key = keyName(keyNode) else { continue }
            switch key {
            case "connectors":
                flow.connectors = connectors(from: valueNode)
            case "pipelines":
                flow.pipelines = pipelines(from: valueNode)
            case "links":
                flow.links = links(from: valueNode)
            default:
                report(
                    NameSuggestion.message(
                        "unknown top-level key '\(key)'", name: key, known: Self.topLevelKeys, knownLabel: "known keys"
                    ),
                    at: keyNode
                )
            }
        }
        checkDistinctNames(flow)
        return flow
    }

    /// A connector and a pipeline with the same name would make links ambiguous: the later one
    /// in the file is reported, naming where the first stands.
    mutating func checkDistinctNames(_ flow: FlowDefinition) {
        var connectorLocations: [String: SourceLocation] = [:]
        for connector in flow.connectors {
            connectorLocations[connector.name] = connector.location
        }
        for pipeline in flow.pipelines {
            guard let connector = connectorLocations[pipeline.name] else { continue }
            let pipelineFirst = (pipeline.location.line, pipeline.location.column) < (connector.line, connector.column)
            let (first, second) = pipelineFirst ? ("pipeline", "connector") : ("connector", "pipeline")
            let firstLocation = pipelineFirst ? pipeline.location : connector
            let secondLocation = pipelineFirst ? connector : pipeline.location
            errors.append(FlowError(
                "'\(pipeline.name)' is already the name of the \(first) at line \(firstLocation.line); "
                    + "rename this \(second), links cannot tell them apart",
                at: secondLocation
            ))
        }
    }
}
