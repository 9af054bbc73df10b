import ArgumentParser
import TemblorDaemon

/// `temblor run --api`: the address and token, checked as `temblor serve` checks them.
extension RunCommand {
    static func address(_ text: String, tokenFile: String?) throws -> (address: ApiAddress, token: String?) {
        let address: ApiAddress
        do {
            address = try ApiAddress(parsing: text)
        } catch {
            StandardError.write("temblor run: --api: \(error)\n")
            throw ExitCode(2)
        }
        let token = try tokenFile.map(ServeCommand.token(from:))
        if !address.isLoopback && token == nil {
            StandardError.write("temblor run: refusing to serve the API on \(address) without --api-token-file\n")
            throw ExitCode(2)
        }
        return (address, token)
    }
}

/// The id `temblor run --api` gives its flow: the file name without `.yaml`, or `flow` when
/// that is not a valid id.
enum FlowRunApi {
    static func id(of path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".yaml") { name.removeLast(5) }
        return FlowRegistry.isValid(name) ? name : "flow"
    }
}
