// Invariants of this file:
// - The arena holds `slotCount` cache lines of 64 bytes, owned by the cache: slot `s` starts with
//   the length of `strings[s]` (-1 for an empty slot) as an Int, then its UTF-8 bytes. One slot
//   is one cache line, so a lookup touches one line.
// - `strings` is allocated and initialised for all slots in `init` and deinitialised in
//   `deinit`; it is a raw pointer (not an array) so the hot path pays no exclusivity checks.
// - Comparisons read whole 8-byte words, up to 7 bytes past a string's end: inside the arena
//   that stays within the 64-byte slot; on the input side the caller guarantees 8 readable
//   bytes past every string (simdjson's string buffer is followed by its 64-byte padding).
// - A cache belongs to one parser and is used by one task at a time.

/// Remembers recently decoded short strings, so that keys and repeated values (levels, hosts,
/// user agents) are shared instead of validated and allocated again for every event.
final class StringCache {
    /// Longest string the cache keeps: a slot's 64 bytes minus its length word.
    static let maxLength = 56
    private static let slotBits = 9
    private static let slotCount = 1 << slotBits
    private static let slotSize = 64

    private let arena: UnsafeMutableRawPointer
    private let strings: UnsafeMutablePointer<String>

    init() {
        arena = .allocate(byteCount: Self.slotCount * Self.slotSize, alignment: Self.slotSize)
        for slot in 0..<Self.slotCount {
            arena.storeBytes(of: -1, toByteOffset: slot * Self.slotSize, as: Int.self)
        }
        strings = .allocate(capacity: Self.slotCount)
        strings.initialize(repeating: "", count: Self.slotCount)
    }

    deinit {
        strings.deinitialize(count: Self.slotCount)
        strings.deallocate()
        arena.deallocate()
    }

    /// The string for `count` valid UTF-8 bytes at `bytes` (simdjson validated them).
    @inline(__always)
    func string(_ bytes: UnsafePointer<UInt8>, count: Int) -> String {
        guard count <= Self.maxLength else {
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
        let first = UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
        let head = count >= 8 ? first : first & Self.mask(count)
        let slot = Self.slot(head: head, bytes: bytes, count: count)
        let line = arena + slot * Self.slotSize
        if line.load(as: Int.self) == count && Self.equal(line + 8, UnsafeRawPointer(bytes), count: count) {
            return strings[slot]
        }
        let string = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        (line + 8).copyMemory(from: bytes, byteCount: count)
        line.storeBytes(of: count, as: Int.self)
        strings[slot] = string
        return string
    }

    /// The low `count` bytes of a little-endian word.
    @inline(__always)
    private static func mask(_ count: Int) -> UInt64 {
        count >= 8 ? ~0 : (1 << (UInt64(count) &* 8)) &- 1
    }

    /// Byte equality a word at a time, masking the bytes past the end of the last word.
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        var k = 0
        while k + 8 <= count {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        guard k < count else { return true }
        let diff = a.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
        return diff & mask(count - k) == 0
    }

    @inline(__always)
    private static func slot(head: UInt64, bytes: UnsafePointer<UInt8>, count: Int) -> Int {
        let tail = count > 8 ? UnsafeRawPointer(bytes + count - 8).loadUnaligned(as: UInt64.self) : 0
        let h = (head ^ (tail << 29 | tail >> 35) ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> UInt64(64 - slotBits))
    }
}
