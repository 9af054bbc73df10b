import TemblorRuntime

/// Maps a `Content-Type` to the codec that reads or writes such a body, and a codec back to the
/// `Content-Type` it writes, so a client's body is decoded as what it says it is.
enum HttpBodyCodec {
    /// The media type without parameters (`application/json; charset=utf-8` names
    /// `application/json`), lower-cased.
    static func mediaType(_ contentType: String) -> String {
        let bare = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(bare.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()).lowercased()
    }

    /// The codec a body of `contentType` is read and written with; `fallback` (the connector's
    /// own) when the type names none that Temblor knows.
    static func spec(for contentType: String?, fallback: StreamCodecSpec) -> StreamCodecSpec {
        guard let contentType else { return fallback }
        func spec(_ codec: String, separated: Bool = false) -> StreamCodecSpec {
            StreamCodecSpec(
                codec: .init(codec), preprocessors: separated ? [.init("separate")] : [],
                postprocessors: separated ? [.init("separate")] : [], registry: fallback.registry)
        }
        switch mediaType(contentType) {
        case "application/json", "text/json": return fallback.codec.name == "json" ? fallback : spec("json")
        case "application/x-ndjson", "application/jsonl", "application/json-seq", "application/jsonlines": return spec("json", separated: true)
        case "application/msgpack", "application/x-msgpack", "application/vnd.msgpack": return spec("msgpack")
        case "application/yaml", "application/x-yaml", "text/yaml": return spec("yaml")
        case "text/csv": return spec("csv", separated: true)
        case "text/plain": return spec("string")
        case "application/octet-stream": return spec("binary")
        default: return fallback
        }
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
