import Foundation
import TemblorDaemon

/// The flow files of a directory (`--flows`, `--state`): every `*.yaml`, its id the file name
/// without the extension.
enum FlowDirectory {
    struct File {
        var id: String
        var path: String
    }

    /// The directory's flow files, sorted by id; none when it does not exist yet.
    static func files(in directory: String) throws -> [File] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted().map {
            File(id: String($0.dropLast(".yaml".count)), path: directory + "/" + $0)
        }
    }

    /// Deploys every flow of `directory`; the first that cannot be is thrown, with its file.
    static func deploy(_ directory: String, to registry: FlowRegistry, persist: Bool) async throws -> [String] {
        var ids: [String] = []
        for file in try files(in: directory) {
            let yaml: String
            do {
                yaml = try String(contentsOfFile: file.path, encoding: .utf8)
            } catch {
                throw FlowDirectoryError(file: file.path, message: "cannot be read: \(error.localizedDescription)")
            }
            do throws(FlowRegistryError) {
                _ = try await registry.deploy(id: file.id, yaml: yaml, directory: directory, persist: persist)
            } catch {
                throw FlowDirectoryError(file: file.path, message: error.description)
            }
            ids.append(file.id)
        }
        return ids
    }
}

/// A flow file the daemon could not deploy at start.
struct FlowDirectoryError: Error, CustomStringConvertible {
    var file: String
    var message: String

    var description: String { "\(file): \(message)" }
}
