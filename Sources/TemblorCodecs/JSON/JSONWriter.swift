import ExtrasBase64
import TemblorValue

/// Writes values as compact JSON without Foundation: the encoding hot path of every JSON sink.
public enum JSONWriter {
    /// Appends the JSON text of `value`; NaN and infinities have no JSON form and throw.
    public static func write(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        switch value {
        case .null:
            buffer.append(contentsOf: "null".utf8)
        case .bool(let b):
            buffer.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .int(let i):
            writeInteger(i.magnitude, negative: i < 0, into: &buffer)
        case .uint(let u):
            writeInteger(u, negative: false, into: &buffer)
        case .float(let f):
            guard f.isFinite else {
                throw .unencodable(codec: "json", reason: "\(f) has no JSON representation")
            }
            buffer.append(contentsOf: f.description.utf8)
        case .string(let s):
            writeString(s, into: &buffer)
        case .bytes(let b):
            buffer.append(UInt8(ascii: "\""))
            buffer.append(contentsOf: Base64.encodeToBytes(bytes: b))
            buffer.append(UInt8(ascii: "\""))
        case .array(let array):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in array {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                try write(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (key, element) in object {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &buffer)
                buffer.append(UInt8(ascii: ":"))
                try write(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func writeInteger(_ magnitude: UInt64, negative: Bool, into buffer: inout [UInt8]) {
        if negative { buffer.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = magnitude
            var at = 20
            while n > 0 {
                at -= 1
                digits[at] = UInt8(ascii: "0") &+ UInt8(n % 10)
                n /= 10
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[at..<20]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a quoted string, escaping quotes, backslashes and control characters; other
    /// characters stay as UTF-8.
    static func writeString(_ string: String, into buffer: inout [UInt8]) {
        var string = string
        buffer.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < i {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                }
                runStart = i + 1
                buffer.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "t"))
                case 0x08: buffer.append(UInt8(ascii: "b"))
                case 0x0C: buffer.append(UInt8(ascii: "f"))
                default:
                    buffer.append(contentsOf: "u00".utf8)
                    buffer.append(hexDigits[Int(byte >> 4)])
                    buffer.append(hexDigits[Int(byte & 0xF)])
                }
            }
            if runStart < utf8.count {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
