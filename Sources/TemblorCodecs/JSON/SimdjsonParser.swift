// Invariants of this file, the only Swift code that touches simdjson:
// - A `SimdjsonParser` owns one C parser and is used by one task at a time (it is not Sendable).
// - The tape and string pointers handed to `JSONTapeDecoder` are read only inside the
//   `parse` call that produced them: the next parse or `deinit` invalidates them, and the
//   decoder copies every string and number it keeps into Swift values before returning.
// - The tape is simdjson's DOM tape (simdjson doc/tape.md): one 64-bit word per node, type in
//   the top byte; scalars of 64 bits take a second word; containers store the index after
//   their closing word in the low 32 bits and their element count in bits 32-55.
import CSimdjson
import TemblorValue

/// Owns a simdjson DOM parser and turns its tape into `Value`s.
final class SimdjsonParser {
    private let parser: OpaquePointer
    private let cache = StringCache()

    init() {
        guard let parser = temblor_json_parser_new(0xFFFF_FFFF) else {
            fatalError("simdjson: cannot allocate a parser")
        }
        self.parser = parser
    }

    deinit {
        temblor_json_parser_free(parser)
    }

    /// Parses one document; on failure the error names the first offending byte.
    func parse(_ bytes: UnsafeRawBufferPointer, padded: Bool = false) throws(CodecError) -> Value {
        let (tape, strings) = try parseTape(bytes, padded: padded)
        return JSONTapeDecoder(tape: tape, strings: strings, cache: cache).decodeRoot()
    }

    /// Parses one document into simdjson's tape only, valid until the next parse.
    func parseTape(_ bytes: UnsafeRawBufferPointer, padded: Bool) throws(CodecError) -> (UnsafePointer<UInt64>, UnsafePointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw .syntax(codec: "json", message: "empty input, expected a JSON value", offset: 0)
        }
        var document = temblor_json_document()
        let code = temblor_json_parse(
            parser, base.assumingMemoryBound(to: UInt8.self), bytes.count, padded ? 1 : 0, &document)
        guard code == 0, let tape = document.tape, let strings = document.strings else {
            throw JSONErrorLocator.error(in: bytes, simdjsonMessage: String(cString: temblor_json_error_message(code)))
        }
        return (tape, strings)
    }

    /// The SIMD implementation simdjson picked for this CPU.
    static var implementation: String { String(cString: temblor_json_implementation()) }
}

/// Walks a simdjson tape once, building values depth-first.
struct JSONTapeDecoder {
    let tape: UnsafePointer<UInt64>
    let strings: UnsafePointer<UInt8>
    let cache: StringCache

    private static let valueMask: UInt64 = 0x00FF_FFFF_FFFF_FFFF
    private static let countMask: UInt64 = 0xFF_FFFF

    func decodeRoot() -> Value {
        var i = 1  // word 0 is the root marker
        return element(at: &i)
    }

    @inline(__always)
    private func string(_ word: UInt64) -> String {
        let offset = Int(word & Self.valueMask)
        let length = Int(UnsafeRawPointer(strings + offset).loadUnaligned(as: UInt32.self).littleEndian)
        return cache.string(strings + offset + 4, count: length)
    }

    /// One value of any kind. Scalars are built inline in the caller's loop; only containers
    /// recurse, which keeps the common case free of call overhead.
    @inline(__always)
    private func element(at i: inout Int) -> Value {
        let word = tape[i]
        switch UInt8(truncatingIfNeeded: word >> 56) {
        case UInt8(ascii: "\""):
            i += 1
            return .string(string(word))
        case UInt8(ascii: "l"):
            let v = Int64(bitPattern: tape[i + 1])
            i += 2
            return .int(v)
        case UInt8(ascii: "u"):
            let v = tape[i + 1]
            i += 2
            return .integer(v)
        case UInt8(ascii: "d"):
            let v = Double(bitPattern: tape[i + 1])
            i += 2
            return .float(v)
        case UInt8(ascii: "n"):
            i += 1
            return .null
        case UInt8(ascii: "t"):
            i += 1
            return .bool(true)
        case UInt8(ascii: "f"):
            i += 1
            return .bool(false)
        case UInt8(ascii: "["):
            return .array(array(word, at: &i))
        case UInt8(ascii: "{"):
            return .object(object(word, at: &i))
        default:
            preconditionFailure("simdjson tape: unexpected word \(String(word, radix: 16)) at \(i)")
        }
    }

    @inline(never)
    private func array(_ word: UInt64, at i: inout Int) -> [Value] {
        let end = Int(truncatingIfNeeded: word & 0xFFFF_FFFF)
        // The count saturates at 2^24 - 1; past it the array simply grows as it goes.
        let count = Int((word >> 32) & Self.countMask)
        i += 1
        var array: [Value] = []
        array.reserveCapacity(count)
        while i < end - 1 {
            array.append(element(at: &i))
        }
        i = end
        return array
    }

    @inline(never)
    private func object(_ word: UInt64, at i: inout Int) -> Object {
        let end = Int(truncatingIfNeeded: word & 0xFFFF_FFFF)
        let count = Int((word >> 32) & Self.countMask)
        i += 1
        // Keys are nearly always distinct: a 64-bit filter of (length, last byte) flags the
        // objects that may repeat one, and only those take the checked path, where a repeated
        // key keeps its first position and its last value. Past 64 keys the filter fills up
        // and every large object is checked, through the object's hash index.
        var seen: UInt64 = 0
        var mayRepeat = false
        var members = ContiguousArray<Object.Member>()
        members.reserveCapacity(count)
        while i < end - 1 {
            let keyWord = tape[i]
            let offset = Int(keyWord & Self.valueMask)
            let length = Int(UnsafeRawPointer(strings + offset).loadUnaligned(as: UInt32.self).littleEndian)
            let bit: UInt64 = 1 << ((UInt64(length) &* 31 &+ UInt64(strings[offset + 3 + length])) & 63)
            mayRepeat = mayRepeat || (seen & bit != 0)
            seen |= bit
            let key = cache.string(strings + offset + 4, count: length)
            i += 1
            members.append(Object.Member(key: key, value: element(at: &i)))
        }
        i = end
        return mayRepeat ? Object(members: members) : Object(uniqueMembers: members)
    }
}
