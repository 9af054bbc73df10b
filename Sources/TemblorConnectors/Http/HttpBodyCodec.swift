import TemblorRuntime

/// Maps a `Content-Type` to the codec that reads or writes such a body, and a codec back to the
/// `Content-Type` it writes, so a client's body is decoded as what it says it is.
enum HttpBodyCodec {
    /// What a `Content-Type` names, as far as codecs go.
    enum Kind: Int, CaseIterable, Sendable {
        /// None, or one Temblor has no codec for: the connector's own codec.
        case connector
        case json, ndjson, msgpack, yaml, csv, text, binary
    }

    /// The media type without parameters (`application/json; charset=utf-8` names
    /// `application/json`), lower-cased.
    static func mediaType(_ contentType: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(contentType.utf8.count)
        for byte in contentType.utf8 {
            if byte == UInt8(ascii: ";") { break }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { continue }
            bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func kind(of contentType: String?) -> Kind {
        guard let contentType else { return .connector }
        // The common spelling needs no normalising.
        if contentType == "application/json" { return .json }
        switch mediaType(contentType) {
        case "application/json", "text/json": return .json
        case "application/x-ndjson", "application/jsonl", "application/json-seq", "application/jsonlines": return .ndjson
        case "application/msgpack", "application/x-msgpack", "application/vnd.msgpack": return .msgpack
        case "application/yaml", "application/x-yaml", "text/yaml": return .yaml
        case "text/csv": return .csv
        case "text/plain": return .text
        case "application/octet-stream": return .binary
        default: return .connector
        }
    }

    /// The codec a body of `kind` is read and written with; `fallback` is the connector's own.
    static func spec(for kind: Kind, fallback: StreamCodecSpec) -> StreamCodecSpec {
        func spec(_ codec: String, separated: Bool = false) -> StreamCodecSpec {
            StreamCodecSpec(
                codec: .init(codec), preprocessors: separated ? [.init("separate")] : [],
                postprocessors: separated ? [.init("separate")] : [], registry: fallback.registry)
        }
        switch kind {
        case .connector: return fallback
        case .json: return fallback.codec.name == "json" ? fallback : spec("json")
        case .ndjson: return spec("json", separated: true)
        case .msgpack: return spec("msgpack")
        case .yaml: return spec("yaml")
        case .csv: return spec("csv", separated: true)
        case .text: return spec("string")
        case .binary: return spec("binary")
        }
    }

    /// The codec a body of `contentType` is read and written with; `fallback` (the connector's
    /// own) when the type names none that Temblor knows.
    static func spec(for contentType: String?, fallback: StreamCodecSpec) -> StreamCodecSpec {
        spec(for: kind(of: contentType), fallback: fallback)
    }

    /// The `Content-Type` a body written with `spec` carries.
    static func contentType(of spec: StreamCodecSpec) -> String {
        let separated = spec.postprocessors.contains { $0.name == "separate" }
        switch spec.codec.name {
        case "json": return separated ? "application/x-ndjson" : "application/json"
        case "msgpack": return "application/msgpack"
        case "yaml": return "application/yaml"
        case "csv": return "text/csv"
        case "string", "influx": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
