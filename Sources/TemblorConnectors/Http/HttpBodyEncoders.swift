import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// The body encoders of one HTTP sink, one per codec a `Content-Type` names, kept across
/// bodies; a codec with stateful postprocessors (a compressor) gets a fresh one per body.
struct HttpBodyEncoders {
    let fallback: StreamCodecSpec
    private var kept: [String: StreamEncoder] = [:]

    init(fallback: StreamCodecSpec) {
        self.fallback = fallback
    }

    /// Encodes `payload` as a whole body for `contentType` and returns the codec it used.
    mutating func encode(_ payload: Value, contentType: String?, into body: inout [UInt8]) throws(CodecError) -> StreamCodecSpec {
        let spec = HttpBodyCodec.spec(for: contentType, fallback: fallback)
        let stateless = spec.postprocessors.allSatisfy { $0.name == "separate" }
        let key = spec.codec.name + "|" + spec.postprocessors.map(\.name).joined(separator: ",")
        if stateless, var encoder = kept.removeValue(forKey: key) {
            defer { kept[key] = encoder }
            try encode(payload, with: &encoder, spec: spec, into: &body)
            return spec
        }
        var encoder = try spec.makeEncoder()
        try encode(payload, with: &encoder, spec: spec, into: &body)
        if stateless {
            kept[key] = encoder
        } else {
            try encoder.finish(into: &body)
        }
        return spec
    }

    /// An array answered in a line-separated codec (JSON lines, CSV) is one line per element.
    private func encode(_ payload: Value, with encoder: inout StreamEncoder, spec: StreamCodecSpec, into body: inout [UInt8]) throws(CodecError) {
        if spec.preprocessors.contains(where: { $0.name == "separate" }), case .array(let items) = payload {
            for item in items { try encoder.encode(item, into: &body) }
        } else {
            try encoder.encode(payload, into: &body)
        }
    }
}
