import ExtrasBase64
import TemblorValue

/// Writes values as compact JSON without Foundation: the encoding hot path of every JSON sink.
public enum JSONWriter {
    /// Appends the JSON text of `value`; NaN and infinities have no JSON form and throw.
    public static func write(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        var sink = ByteSink()
        defer { sink.release() }
        try write(value, to: &sink)
        sink.copy(into: &buffer)
    }

    static func write(_ value: Value, to sink: inout ByteSink) throws(CodecError) {
        switch value {
        case .null:
            sink.put("null")
        case .bool(let b):
            sink.put(b ? "true" : "false")
        case .int(let i):
            writeInteger(i.magnitude, negative: i < 0, to: &sink)
        case .uint(let u):
            writeInteger(u, negative: false, to: &sink)
        case .float(let f):
            guard f.isFinite else {
                throw .unencodable(codec: "json", reason: "\(f) has no JSON representation")
            }
            var text = f.description
            text.withUTF8 { sink.put($0.baseAddress!, count: $0.count) }
        case .string(let s):
            writeString(s, to: &sink)
        case .bytes(let b):
            sink.put(UInt8(ascii: "\""))
            let encoded = Base64.encodeToBytes(bytes: b)
            encoded.withUnsafeBufferPointer { sink.put($0.baseAddress!, count: $0.count) }
            sink.put(UInt8(ascii: "\""))
        case .array(let array):
            sink.put(UInt8(ascii: "["))
            var first = true
            try array.withUnsafeBufferPointer { (elements) throws(CodecError) in
                for k in elements.indices {
                    if !first { sink.put(UInt8(ascii: ",")) }
                    first = false
                    try write(elements[k], to: &sink)
                }
            }
            sink.put(UInt8(ascii: "]"))
        case .object(let object):
            sink.put(UInt8(ascii: "{"))
            var first = true
            // Members are read in place, so no key or value is retained just to be written.
            try object.members.withUnsafeBufferPointer { (members) throws(CodecError) in
                for k in members.indices {
                    if !first { sink.put(UInt8(ascii: ",")) }
                    first = false
                    writeString(members[k].key, to: &sink)
                    sink.put(UInt8(ascii: ":"))
                    try write(members[k].value, to: &sink)
                }
            }
            sink.put(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func writeInteger(_ magnitude: UInt64, negative: Bool, to sink: inout ByteSink) {
        sink.write(upTo: 21) { out in
            var at = 0
            if negative {
                out[0] = UInt8(ascii: "-")
                at = 1
            }
            var digits = 1
            var probe = magnitude
            while probe >= 10 {
                probe /= 10
                digits += 1
            }
            var n = magnitude
            var k = at + digits
            repeat {
                k -= 1
                out[k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
                n /= 10
            } while n > 0
            return at + digits
        }
    }

    /// Writes UTF-8 with JSON escapes. Clean runs are found eight bytes at a time and copied whole.
    @inline(__always)
    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to sink: inout ByteSink) {
        guard let base = utf8.baseAddress else { return }
        let n = utf8.count
        var runStart = 0
        var i = 0
        while i < n {
            if i + 8 <= n {
                if !needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                    continue
                }
            } else {
                // The last few bytes, padded with 'A' so that padding never looks like a control character.
                var word: UInt64 = 0x4141_4141_4141_4141
                for k in 0..<(n - i) {
                    word = word & ~(0xFF << (UInt64(k) * 8)) | UInt64(base[i + k]) << (UInt64(k) * 8)
                }
                if !needsEscape(word) {
                    i = n
                    break
                }
            }
            let byte = base[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            if runStart < i { sink.put(base + runStart, count: i - runStart) }
            runStart = i + 1
            i += 1
            switch byte {
            case UInt8(ascii: "\""): sink.put("\\\"")
            case UInt8(ascii: "\\"): sink.put("\\\\")
            case UInt8(ascii: "\n"): sink.put("\\n")
            case UInt8(ascii: "\r"): sink.put("\\r")
            case UInt8(ascii: "\t"): sink.put("\\t")
            case 0x08: sink.put("\\b")
            case 0x0C: sink.put("\\f")
            default:
                sink.put("\\u00")
                sink.put(hexDigits.utf8Start[Int(byte >> 4)])
                sink.put(hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
        if runStart < n { sink.put(base + runStart, count: n - runStart) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// True when a word of 8 bytes holds a quote, a backslash or a control character.
    @inline(__always)
    private static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w & highs
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        return (control | hasQuote | hasBackslash) != 0
    }

    /// Appends a quoted string, escaping quotes, backslashes and control characters; other
    /// characters stay as UTF-8.
    static func writeString(_ string: String, to sink: inout ByteSink) {
        sink.put(UInt8(ascii: "\""))
        let written: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            writeEscaped(utf8, to: &sink)
        }
        if written == nil {
            // A bridged string without contiguous UTF-8: copy it once.
            var copy = string
            copy.withUTF8 { writeEscaped($0, to: &sink) }
        }
        sink.put(UInt8(ascii: "\""))
    }
}
