import TemblorValue
import Yams

extension FlowParser {
    /// The form every link takes, as error messages show it.
    static let linkForm = "'from[/port] -> to[/port]'"

    /// The `links` section: a list of `from[/port] -> to[/port]` strings.
    mutating func links(from node: Node) -> [LinkDefinition] {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            report("'links' must be a list of \(Self.linkForm) strings, not \(describe(node))", at: node)
            return []
        }
        var links: [LinkDefinition] = []
        for element in sequence {
            guard case .scalar(let scalar) = element else {
                report("a link must be a string \(Self.linkForm), not \(describe(element))", at: element)
                continue
            }
            guard let (from, to) = Self.parseLink(scalar.string) else {
                report(
                    "malformed link '\(scalar.string)'; write it as \(Self.linkForm), e.g. 'in -> main' or 'main/err -> errors'",
                    at: element
                )
                continue
            }
            links.append(LinkDefinition(from: from, to: to, location: location(element)))
        }
        return links
    }

    /// `from[/port] -> to[/port]` with any spaces around the arrow; ports default to `out` and `in`.
    static func parseLink(_ text: String) -> (LinkEndpoint, LinkEndpoint)? {
        let sides = text.split(separator: "->", omittingEmptySubsequences: false)
        guard sides.count == 2,
              let from = endpoint(sides[0], defaultPort: .out),
              let to = endpoint(sides[1], defaultPort: .in) else { return nil }
        return (from, to)
    }

    /// `node` or `node/port`, trimmed; neither part may be empty or hold spaces.
    private static func endpoint(_ text: Substring, defaultPort: Port) -> LinkEndpoint? {
        let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        let parts = String(trimmed).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            return nil
        }
        return LinkEndpoint(node: String(parts[0]), port: parts.count == 2 ? Port(String(parts[1])) : defaultPort)
    }
}
