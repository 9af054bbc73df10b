import ExtrasBase64
import TemblorValue

/// CSV per RFC 4180, one record per frame (the `separate` preprocessor splits lines upstream).
///
/// Decoding yields an array of strings: quoted fields may hold separators, doubled quotes and
/// line breaks; one trailing line terminator is ignored; an empty frame is an empty record.
/// Encoding writes an array of scalars as one line without a terminator, quoting only fields
/// that need it; null is an empty field and bytes are written as base64.
public struct CSVCodec: Codec {
    /// The byte between fields.
    public let separator: UInt8
    /// The byte that encloses a field holding separators, quotes or line breaks.
    public let quote: UInt8

    /// The RFC 4180 dialect: fields separated by commas, quoted with double quotes.
    public init() {
        separator = UInt8(ascii: ",")
        quote = UInt8(ascii: "\"")
    }

    /// A codec with the given single ASCII characters as separator and quote.
    public init(separator: String, quote: String = "\"") throws(CodecError) {
        var object = Object()
        object["separator"] = .string(separator)
        object["quote"] = .string(quote)
        try self.init(config: CodecConfig(name: "csv", value: .object(object)))
    }

    /// Reads `separator` (default `,`) and `quote` (default `"`): one ASCII character each,
    /// not a line break, and different from each other.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["separator", "quote"])
        separator = try Self.character(config, "separator", default: ",")
        quote = try Self.character(config, "quote", default: "\"")
        if separator == quote {
            throw .badConfig(name: config.name, key: "quote", message: "must differ from the separator")
        }
    }

    private static func character(_ config: CodecConfig, _ key: String, default defaultValue: String) throws(CodecError) -> UInt8 {
        let text = try config.string(key, default: defaultValue)
        guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80 else {
            throw .badConfig(name: config.name, key: key, message: "expected a single ASCII character, got '\(text)'")
        }
        if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            throw .badConfig(name: config.name, key: key, message: "cannot be a line break")
        }
        return byte
    }

    /// Decodes one record into an array of string fields.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        let utf8 = try UTF8Validation.text(bytes, codec: "csv")
        var end = utf8.count
        if end > 0 && utf8[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > 0 && utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end == 0 { return .array([]) }

        var fields: [Value] = []
        var i = 0
        while true {
            if utf8[i] == quote {
                fields.append(.string(try quotedField(utf8, at: &i, end: end)))
            } else {
                let start = i
                while i < end && utf8[i] != separator {
                    let byte = utf8[i]
                    if byte == quote {
                        throw .syntax(codec: "csv", message: "quote inside an unquoted field (quote the whole field and double the quote)", offset: i)
                    }
                    if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                        throw .syntax(codec: "csv", message: "line break outside quotes (a frame is one record)", offset: i)
                    }
                    i += 1
                }
                fields.append(.string(String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<i]), as: UTF8.self)))
            }
            if i == end { break }
            i += 1  // the separator; a separator at the end starts one last, empty field
            if i == end {
                fields.append(.string(""))
                break
            }
        }
        return .array(fields)
    }

    /// Reads the quoted field opening at `i`; leaves `i` on the separator after it or at `end`.
    private func quotedField(_ utf8: UnsafeBufferPointer<UInt8>, at i: inout Int, end: Int) throws(CodecError) -> String {
        let opening = i
        i += 1
        var content: [UInt8] = []
        var runStart = i
        while true {
            guard i < end else {
                throw .syntax(codec: "csv", message: "quoted field is never closed", offset: opening)
            }
            if utf8[i] != quote {
                i += 1
                continue
            }
            content.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            if i + 1 < end && utf8[i + 1] == quote {
                content.append(quote)
                i += 2
                runStart = i
                continue
            }
            i += 1
            break
        }
        if i < end && utf8[i] != separator {
            throw .syntax(codec: "csv", message: "text after the closing quote of a field", offset: i)
        }
        return String(decoding: content, as: UTF8.self)
    }

    /// Writes an array of scalars as one record without a line terminator.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        guard case .array(let fields) = value else {
            throw .unencodable(codec: "csv", reason: "a record must be an array of fields, got \(value.typeName)")
        }
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(separator) }
            switch field {
            case .null:
                // A lone empty field is quoted, or it would read back as a record with no fields.
                if fields.count == 1 { buffer.append(contentsOf: [quote, quote]) }
            case .bool(let b):
                write(b ? "true" : "false", into: &buffer)
            case .int(let i):
                write(String(i), into: &buffer)
            case .uint(let u):
                write(String(u), into: &buffer)
            case .float(let f):
                write(f.description, into: &buffer)
            case .string(let s):
                if s.isEmpty && fields.count == 1 {
                    buffer.append(contentsOf: [quote, quote])
                } else {
                    write(s, into: &buffer)
                }
            case .bytes(let b):
                write(Base64.encodeToString(bytes: b), into: &buffer)
            case .array, .object:
                throw .unencodable(codec: "csv", reason: "field \(index) is \(field.typeName == "array" ? "an array" : "an object"); CSV fields must be scalars")
            }
        }
    }

    /// Appends a field, quoted when it holds the separator, the quote, a line break, or
    /// leading or trailing whitespace.
    private func write(_ text: String, into buffer: inout [UInt8]) {
        let utf8 = text.utf8
        var needsQuotes = false
        for byte in utf8 where byte == separator || byte == quote || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            needsQuotes = true
            break
        }
        if let first = utf8.first, let last = utf8.last,
           first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            needsQuotes = true
        }
        guard needsQuotes else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(quote)
        for byte in utf8 {
            buffer.append(byte)
            if byte == quote { buffer.append(quote) }
        }
        buffer.append(quote)
    }
}
