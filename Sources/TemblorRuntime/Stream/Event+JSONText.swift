import TemblorCodecs
import TemblorValue

extension Event {
    /// Turns a payload still in its JSON text (`payloadIsJSONText`) into its value, in place:
    /// done once, by the first node that needs a value. Throws the codec's positioned error.
    mutating func decodeJSONText(with codec: inout JSONCodec) throws(CodecError) {
        guard payloadIsJSONText, case .bytes(let text) = payload else { return }
        // Bytes allocated past the text (the `binary` codec's `padding`) let simdjson read in place.
        let padded = text.capacity >= text.count + JSONCodec.padding
        let decoded: Result<Value, CodecError> = text.withUnsafeBytes { bytes in
            do throws(CodecError) {
                return .success(padded ? try codec.decode(padded: bytes) : try codec.decode(bytes))
            } catch {
                return .failure(error)
            }
        }
        payload = try decoded.get()
        payloadIsJSONText = false
    }
}
