import Foundation

extension NATSServerInfo {
    /// Decodes the JSON object of an INFO line (the one place the protocol needs a JSON parser).
    init(json: UnsafeRawBufferPointer) throws {
        self = try JSONDecoder().decode(NATSServerInfo.self, from: Data(json))
    }
}
