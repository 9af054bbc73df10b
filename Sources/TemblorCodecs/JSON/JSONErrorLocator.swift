/// Finds the byte offset of the first error in JSON text that simdjson rejected.
///
/// simdjson's DOM parser says what is wrong but not where; this strict RFC 8259 scanner runs
/// only on the error path and names the first offending byte.
enum JSONErrorLocator {
    /// Nesting past this depth is refused, as simdjson's parser does.
    static let maxDepth = 1024

    /// The error to report: simdjson's verdict, placed at the first byte the scanner rejects.
    static func error(in bytes: UnsafeRawBufferPointer, simdjsonMessage: String) -> CodecError {
        var scanner = Scanner(bytes: bytes.bindMemory(to: UInt8.self))
        let found = scanner.firstError()
        switch found {
        case .some((let offset, let problem)):
            if problem == "invalid UTF-8" {
                return .invalidUTF8(codec: "json", offset: offset)
            }
            return .syntax(codec: "json", message: problem, offset: offset)
        case .none:
            return .syntax(codec: "json", message: simdjsonMessage, offset: nil)
        }
    }

    private struct Failure: Error {
        let offset: Int
        let message: String
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func firstError() -> (Int, String)? {
            do {
                skipWhitespace()
                try value(depth: 1)
                skipWhitespace()
                if i < bytes.count {
                    throw Failure(offset: i, message: "unexpected \(describe(bytes[i])) after the document")
                }
                return nil
            } catch let failure as Failure {
                return (failure.offset, failure.message)
            } catch {
                return nil
            }
        }

        private func describe(_ byte: UInt8) -> String {
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        private mutating func skipWhitespace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        private func unexpected(_ expected: String) -> Failure {
            guard i < bytes.count else { return Failure(offset: i, message: "unexpected end of input, expected \(expected)") }
            if bytes[i] >= 0x80, utf8Length(at: i) == nil {
                return Failure(offset: i, message: "invalid UTF-8")
            }
            return Failure(offset: i, message: "unexpected \(describe(bytes[i])), expected \(expected)")
        }

        private mutating func value(depth: Int) throws {
            guard i < bytes.count else { throw unexpected("a value") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard depth <= JSONErrorLocator.maxDepth else {
                    throw Failure(offset: i, message: "nesting deeper than \(JSONErrorLocator.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return
                }
                while true {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw unexpected("a string key") }
                    try string()
                    skipWhitespace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw unexpected("':'") }
                    i += 1
                    skipWhitespace()
                    try value(depth: depth + 1)
                    skipWhitespace()
                    guard i < bytes.count else { throw unexpected("',' or '}'") }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        continue
                    }
                    if bytes[i] == UInt8(ascii: "}") {
                        i += 1
                        return
                    }
                    throw unexpected("',' or '}'")
                }
            case UInt8(ascii: "["):
                guard depth <= JSONErrorLocator.maxDepth else {
                    throw Failure(offset: i, message: "nesting deeper than \(JSONErrorLocator.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return
                }
                while true {
                    try value(depth: depth + 1)
                    skipWhitespace()
                    guard i < bytes.count else { throw unexpected("',' or ']'") }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        continue
                    }
                    if bytes[i] == UInt8(ascii: "]") {
                        i += 1
                        return
                    }
                    throw unexpected("',' or ']'")
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"):
                try literal("true")
            case UInt8(ascii: "f"):
                try literal("false")
            case UInt8(ascii: "n"):
                try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            default:
                throw unexpected("a value")
            }
        }

        private mutating func literal(_ word: StaticString) throws {
            let start = i
            for k in 0..<word.utf8CodeUnitCount {
                guard i < bytes.count, bytes[i] == word.utf8Start[k] else {
                    throw Failure(offset: i < bytes.count ? i : start, message: "invalid literal, expected '\(word)'")
                }
                i += 1
            }
        }

        private mutating func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        private mutating func number() throws {
            let start = i
            try numberSyntax()
            // simdjson refuses numbers that do not fit the value model; say which one.
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            if text.allSatisfy({ $0 == "-" || $0.isNumber }) {
                if Int64(text) == nil && UInt64(text) == nil {
                    throw Failure(offset: start, message: "integer \(text) does not fit in 64 bits")
                }
            } else if let d = Double(text), !d.isFinite {
                throw Failure(offset: start, message: "number \(text) is out of the range of a 64-bit float")
            }
        }

        private mutating func numberSyntax() throws {
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else {
                throw unexpected("a digit")
            }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
                if i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                    throw Failure(offset: i, message: "leading zero in a number")
                }
            } else {
                _ = digits()
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { throw unexpected("a digit after '.'") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw unexpected("a digit in the exponent") }
            }
        }

        /// The length of the valid UTF-8 sequence starting at `at`, or nil.
        private func utf8Length(at: Int) -> Int? {
            let rest = UnsafeBufferPointer(rebasing: bytes[at..<min(bytes.count, at + 4)])
            let b0 = rest[0]
            let length = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2
            guard rest.count >= length else { return nil }
            return UTF8Validation.firstInvalidOffset(UnsafeBufferPointer(rebasing: rest[0..<length])) == nil ? length : nil
        }

        private mutating func string() throws {
            i += 1  // opening quote
            while true {
                guard i < bytes.count else { throw unexpected("'\"' to close the string") }
                let byte = bytes[i]
                switch byte {
                case UInt8(ascii: "\""):
                    i += 1
                    return
                case UInt8(ascii: "\\"):
                    i += 1
                    guard i < bytes.count else { throw unexpected("an escape character") }
                    switch bytes[i] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        let escapeStart = i - 1
                        i += 1
                        let unit = try hex4()
                        if unit >= 0xD800 && unit <= 0xDBFF {
                            // A high surrogate must be followed by an escaped low surrogate.
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                                throw Failure(offset: escapeStart, message: "unpaired surrogate escape")
                            }
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00 && low <= 0xDFFF else {
                                throw Failure(offset: escapeStart, message: "unpaired surrogate escape")
                            }
                        } else if unit >= 0xDC00 && unit <= 0xDFFF {
                            throw Failure(offset: escapeStart, message: "unpaired surrogate escape")
                        }
                    default:
                        throw Failure(offset: i - 1, message: "invalid escape '\\\(Character(Unicode.Scalar(bytes[i])))'")
                    }
                case 0x00..<0x20:
                    throw Failure(offset: i, message: "unescaped control character in a string")
                case 0x80...:
                    guard let length = utf8Length(at: i) else { throw Failure(offset: i, message: "invalid UTF-8") }
                    i += length
                default:
                    i += 1
                }
            }
        }

        private mutating func hex4() throws -> UInt32 {
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard i < bytes.count else { throw unexpected("four hex digits after \\u") }
                let byte = bytes[i]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw unexpected("four hex digits after \\u")
                }
                unit = unit << 4 | UInt32(digit)
                i += 1
            }
            return unit
        }
    }
}
