import ArgumentParser
import Foundation
import TemblorRuntime

/// `temblor new KIND NAME`: writes a plugin directory that runs and passes its own tests as it
/// is, so that a plugin starts from something working rather than from a blank file.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a new Lua plugin: init.lua, its tests, fixtures, a flow and editor settings.",
        discussion: "KIND is source, sink, connector (both sides) or operator. Nothing that exists is overwritten. Exit status: 0 when written, 2 when not."
    )

    @Argument(help: "What the plugin is: source, sink, connector or operator.")
    var kind: PluginKind

    @Argument(help: "The plugin's name: letters, digits, - and _, starting with a letter.")
    var name: String

    @Option(help: "The directory to write (default: ./NAME).")
    var dir: String?

    func validate() throws {
        guard name.range(of: "^[A-Za-z][A-Za-z0-9_-]{0,63}$", options: .regularExpression) != nil else {
            throw ValidationError("the name '\(name)' must be letters, digits, - and _, starting with a letter (at most 64)")
        }
    }

    func run() throws {
        let directory = dir ?? name
        let template = PluginTemplate(kind: kind, name: name, typesPath: TypesCommand.typesPath)
        let manager = FileManager.default
        let existing = template.files.map { directory + "/" + $0.path }.filter { manager.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            StandardError.write("temblor new: \(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); nothing was written (choose another --dir)\n")
            throw ExitCode(2)
        }
        do {
            for file in template.files {
                let path = directory + "/" + file.path
                try manager.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard manager.createFile(atPath: path, contents: Data(file.content.utf8)) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
        } catch {
            StandardError.write("temblor new: cannot write \(directory): \(error.localizedDescription)\n")
            throw ExitCode(2)
        }
        print("\(directory): a new \(kind.rawValue) plugin '\(name)'")
        for file in template.files { print("  \(file.path)") }
        print("next: temblor test \(directory)   then: cd \(directory) && temblor run flow.yaml")
    }
}
