import Foundation
import TemblorRuntime
import TemblorValue

/// The files and directories a flow names (plugins, scripts, connector paths, TLS files and
/// host I/O grants), so that a flow deployed over the API can be held to the daemon's roots
/// before anything of it starts.
public enum FlowFiles {
    /// One path the flow names: where, and the path resolved against the flow's directory.
    struct Reference: Equatable {
        var what: String
        var path: String
    }

    /// Every path `flow` names, resolved against `directory` and lexically normalised.
    static func references(of flow: FlowDefinition, directory: String) -> [Reference] {
        var found: [Reference] = []
        func add(_ what: String, _ path: String?) {
            guard let path, !path.isEmpty else { return }
            found.append(Reference(what: what, path: absolute(path, in: directory)))
        }
        for connector in flow.connectors {
            let name = "connector '\(connector.name)'"
            add("\(name): plugin", connector.plugin)
            if case .string(let path)? = connector.config["path"] { add("\(name): config 'path'", path) }
            if case .string(let path)? = connector.buffer["path"] { add("\(name): buffer 'path'", path) }
            for key in ["cert", "key", "ca"] {
                if case .string(let path)? = connector.config["tls"]?[key] { add("\(name): config 'tls.\(key)'", path) }
            }
            for grant in ["read", "write"] {
                switch connector.allow[grant] {
                case .string(let path)?: add("\(name): allow '\(grant)'", path)
                case .array(let paths)?:
                    for case .string(let path) in paths { add("\(name): allow '\(grant)'", path) }
                default: break
                }
            }
        }
        for pipeline in flow.pipelines {
            for op in pipeline.operators {
                if case .string(let path)? = op.config["script"] { add("pipeline '\(pipeline.name)': \(op.name) 'script'", path) }
            }
        }
        return found
    }

    /// The first reference outside every root, if any. Symbolic links in what exists are
    /// resolved first, so that a link inside a root cannot point out of it.
    static func outside(_ roots: [String], of flow: FlowDefinition, directory: String) -> Reference? {
        let roots = roots.map { real(absolute($0, in: FileManager.default.currentDirectoryPath)) }
        return references(of: flow, directory: directory).first { reference in
            let path = real(reference.path)
            return !roots.contains { root in path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
        }
    }

    /// `path` made absolute against `directory`, with `.`, `..` and repeated slashes removed.
    public static func absolute(_ path: String, in directory: String) -> String {
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path with the symbolic links of its longest existing prefix resolved.
    static func real(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        var resolved = realpath(existing, nil)
        while resolved == nil, existing != "/" {
            rest.insert(String(existing.split(separator: "/").last ?? ""), at: 0)
            existing = (existing as NSString).deletingLastPathComponent
            resolved = realpath(existing, nil)
        }
        guard let resolved else { return path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.joined(separator: "/")
    }
}
