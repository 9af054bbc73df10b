import Foundation

extension FlowParser {
    /// Reads and parses the flow file at `path`; a missing, unreadable or non-UTF-8 file is
    /// one error without a location.
    public static func parse(contentsOf path: String) throws(FlowErrors) -> FlowDefinition {
        let text: String
        switch readText(at: path) {
        case .success(let contents):
            text = contents
        case .failure(let error):
            throw FlowErrors([error])
        }
        return try parse(yaml: text, file: path)
    }

    /// The file's text, or why it cannot be had, saying what to check.
    private static func readText(at path: String) -> Result<String, FlowError> {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(FlowError("flow file '\(path)' does not exist; check the path", at: nil))
        }
        if isDirectory.boolValue {
            return .failure(FlowError("'\(path)' is a directory; name a flow file such as flow.yaml", at: nil))
        }
        guard let data = files.contents(atPath: path) else {
            return .failure(FlowError("cannot read flow file '\(path)'; check its permissions", at: nil))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(FlowError("flow file '\(path)' is not UTF-8 text; save it as UTF-8", at: nil))
        }
        return .success(text)
    }
}
