import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// The body encoders of one HTTP sink, one per kind of body a `Content-Type` names, kept across
/// bodies; a codec with stateful postprocessors (a compressor) gets a fresh one per body.
struct HttpBodyEncoders {
    private let specs: [StreamCodecSpec]
    private var kept: [StreamEncoder?]

    init(fallback: StreamCodecSpec) {
        specs = HttpBodyCodec.Kind.allCases.map { HttpBodyCodec.spec(for: $0, fallback: fallback) }
        kept = Array(repeating: nil, count: specs.count)
    }

    /// Encodes `payload` as a whole body for `contentType` and returns the codec it used.
    mutating func encode(_ payload: Value, contentType: String?, into body: inout [UInt8]) throws(CodecError) -> StreamCodecSpec {
        let index = HttpBodyCodec.kind(of: contentType).rawValue
        let spec = specs[index]
        let stateless = spec.postprocessors.allSatisfy { $0.name == "separate" }
        var encoder: StreamEncoder
        if stateless, let existing = kept[index] {
            encoder = existing
            kept[index] = nil
        } else {
            encoder = try spec.makeEncoder()
        }
        defer { if stateless { kept[index] = encoder } }
        try Self.encode(payload, with: &encoder, spec: spec, into: &body)
        if !stateless { try encoder.finish(into: &body) }
        return spec
    }

    /// An array answered in a line-separated codec (JSON lines, CSV) is one line per element.
    private static func encode(_ payload: Value, with encoder: inout StreamEncoder, spec: StreamCodecSpec, into body: inout [UInt8]) throws(CodecError) {
        if spec.preprocessors.contains(where: { $0.name == "separate" }), case .array(let items) = payload {
            for item in items { try encoder.encode(item, into: &body) }
        } else {
            try encoder.encode(payload, into: &body)
        }
    }
}
