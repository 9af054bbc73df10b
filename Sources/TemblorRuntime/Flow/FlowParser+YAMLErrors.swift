import Yams

extension FlowParser {
    /// A Yams error as a flow error at libyaml's line and column, saying what to fix.
    func flowError(fromYAML error: any Error, in yaml: String) -> FlowError {
        guard let yamlError = error as? YamlError else {
            return FlowError("invalid YAML: \(error)", at: location(nil as Node?))
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem == "but found another document" {
                return FlowError(
                    "a flow file holds one YAML document, but another one starts here; remove the '---' or split the file",
                    at: location(mark)
                )
            }
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            message += "; check the indentation, quoting and ':' here"
            return FlowError(message, at: location(mark))
        case .reader(let problem, let offset, _, _):
            let position = offset.map { Self.lineAndColumn(ofCharacter: $0, in: yaml) } ?? (line: 1, column: 1)
            return FlowError(
                "invalid YAML: \(problem); remove or escape that character",
                at: SourceLocation(file: file, line: position.line, column: position.column)
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            let message = duplicates.count == 1
                ? "key \(keys) appears more than once in this mapping; rename or remove the repeats"
                : "keys \(keys) appear more than once in this mapping; rename or remove the repeats"
            return FlowError(message, at: location(context.mark))
        case .memory:
            return FlowError("the YAML parser ran out of memory; the flow file is too large", at: location(nil as Node?))
        default:
            return FlowError("invalid YAML: \(yamlError)", at: location(nil as Node?))
        }
    }

    /// The line and column (in Unicode scalars, as libyaml counts) of a `Character` offset,
    /// which is how Yams reports reader errors.
    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 0
        for character in text {
            if index == offset { break }
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
            index += 1
        }
        return (line, column)
    }
}
