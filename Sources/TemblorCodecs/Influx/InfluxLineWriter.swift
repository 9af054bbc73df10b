import TemblorValue

/// Writes a point value as one line of InfluxDB line protocol, refusing what the protocol
/// cannot carry (no measurement, no fields, nested or null field values, line breaks).
///
/// Backslashes in names are doubled only where a reader could take them for an escape (before
/// an escapable character, another backslash, or at the end), so `C:\temp` is written as is.
enum InfluxLineWriter {
    static func write(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        guard case .object(let point) = value else {
            throw unencodable("a point must be an object with measurement, tags and fields, got \(value.typeName)")
        }
        guard let measurementValue = point["measurement"] else {
            throw unencodable("the point has no 'measurement'")
        }
        guard case .string(let measurement) = measurementValue, !measurement.isEmpty else {
            throw unencodable("'measurement' must be a non-empty string, got \(measurementValue)")
        }
        if measurement.utf8.first == UInt8(ascii: "#") {
            throw unencodable("measurement '\(measurement)' starts with '#', which makes the line a comment")
        }
        try writeName(measurement, what: "measurement", escaping: measurementEscapes, into: &buffer)

        switch point["tags"] {
        case nil, .null?:
            break
        case .object(let tags)?:
            let sorted = tags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (key, tag) in sorted {
                guard case .string(let text) = tag else {
                    throw unencodable("tag '\(key)' must be a string, got \(tag.typeName)")
                }
                if key.isEmpty { throw unencodable("a tag key is empty") }
                if text.isEmpty { throw unencodable("tag '\(key)' has an empty value; omit the tag instead") }
                buffer.append(UInt8(ascii: ","))
                try writeName(key, what: "tag key", escaping: keyEscapes, into: &buffer)
                buffer.append(UInt8(ascii: "="))
                try writeName(text, what: "tag value", escaping: keyEscapes, into: &buffer)
            }
        case let other?:
            throw unencodable("'tags' must be an object, got \(other.typeName)")
        }

        guard let fieldsValue = point["fields"] else {
            throw unencodable("the point has no 'fields'")
        }
        guard case .object(let fields) = fieldsValue else {
            throw unencodable("'fields' must be an object, got \(fieldsValue.typeName)")
        }
        if fields.isEmpty {
            throw unencodable("the point has no fields; line protocol needs at least one")
        }
        buffer.append(UInt8(ascii: " "))
        var first = true
        for (key, field) in fields {
            if key.isEmpty { throw unencodable("a field key is empty") }
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            try writeName(key, what: "field key", escaping: keyEscapes, into: &buffer)
            buffer.append(UInt8(ascii: "="))
            try writeField(field, key: key, into: &buffer)
        }

        switch point["timestamp"] {
        case nil, .null?:
            break
        case .int(let ns)?:
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: String(ns).utf8)
        case let other?:
            throw unencodable("'timestamp' must be an integer of nanoseconds (64-bit signed), got \(other)")
        }
    }

    private static func unencodable(_ reason: String) -> CodecError {
        .unencodable(codec: "influx", reason: reason)
    }

    /// Characters a backslash escapes in measurements.
    private static let measurementEscapes: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: " ")]
    /// Characters a backslash escapes in tag keys, tag values and field keys.
    private static let keyEscapes: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "=")]

    /// Writes a measurement, tag key, tag value or field key with its special characters escaped.
    private static func writeName(_ name: String, what: String, escaping escapes: Set<UInt8>, into buffer: inout [UInt8]) throws(CodecError) {
        let utf8 = Array(name.utf8)
        for (index, byte) in utf8.enumerated() {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw unencodable("\(what) '\(name)' holds a line break, which line protocol cannot carry")
            }
            if escapes.contains(byte) {
                buffer.append(UInt8(ascii: "\\"))
            } else if byte == UInt8(ascii: "\\") {
                // A backslash at the end, or before one a reader would unescape, is doubled.
                let isLast = index + 1 == utf8.count
                if isLast || utf8[index + 1] == UInt8(ascii: "\\") || escapes.contains(utf8[index + 1]) {
                    buffer.append(UInt8(ascii: "\\"))
                }
            }
            buffer.append(byte)
        }
    }

    /// Writes a field value: floats plainly, integers with `i` (unsigned above `Int64.max` with
    /// `u`), booleans as `true`/`false`, strings double-quoted.
    private static func writeField(_ field: Value, key: String, into buffer: inout [UInt8]) throws(CodecError) {
        switch field {
        case .float(let f):
            guard f.isFinite else {
                throw unencodable("field '\(key)' is \(f), which line protocol cannot carry")
            }
            buffer.append(contentsOf: f.description.utf8)
        case .int(let i):
            buffer.append(contentsOf: String(i).utf8)
            buffer.append(UInt8(ascii: "i"))
        case .uint(let u):
            buffer.append(contentsOf: String(u).utf8)
            buffer.append(UInt8(ascii: "u"))
        case .bool(let b):
            buffer.append(contentsOf: (b ? "true" : "false").utf8)
        case .string(let s):
            buffer.append(UInt8(ascii: "\""))
            for byte in s.utf8 {
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    throw unencodable("field '\(key)' holds a line break, which line protocol cannot carry")
                }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    buffer.append(UInt8(ascii: "\\"))
                }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        case .null:
            throw unencodable("field '\(key)' is null; line protocol has no null (drop the field)")
        case .bytes:
            throw unencodable("field '\(key)' is bytes; convert it to a string first")
        case .array, .object:
            throw unencodable("field '\(key)' is a nested \(field.typeName); field values must be scalars")
        }
    }
}
