// Invariants of this file:
// - The arena holds `slotCount * maxLength` bytes owned by the cache; slot `s` copies the UTF-8
//   of `strings[s]` at `arena + s * maxLength`, and `lengths[s]` is its length (-1: empty slot).
// - `lengths` and `strings` are allocated and initialised for all `slotCount` slots in `init`
//   and deinitialised in `deinit`; they are raw pointers (not arrays) so that the hot path pays
//   no exclusivity bookkeeping for class-owned storage.
// - A cache belongs to one parser and is used by one task at a time.

/// Remembers recently decoded short strings, so that keys and repeated values (levels, hosts,
/// user agents) are shared instead of validated and allocated again for every event.
final class StringCache {
    static let maxLength = 48
    private static let slotBits = 10
    private static let slotCount = 1 << slotBits

    private let arena: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<Int>
    private let strings: UnsafeMutablePointer<String>

    init() {
        arena = .allocate(capacity: Self.slotCount * Self.maxLength)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: -1, count: Self.slotCount)
        strings = .allocate(capacity: Self.slotCount)
        strings.initialize(repeating: "", count: Self.slotCount)
    }

    deinit {
        strings.deinitialize(count: Self.slotCount)
        strings.deallocate()
        lengths.deallocate()
        arena.deallocate()
    }

    /// The string for `count` valid UTF-8 bytes at `bytes` (simdjson validated them).
    @inline(__always)
    func string(_ bytes: UnsafePointer<UInt8>, count: Int) -> String {
        guard count <= Self.maxLength else {
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
        let slot = Self.slot(bytes, count: count)
        let stored = arena + slot * Self.maxLength
        if lengths[slot] == count && Self.equal(stored, bytes, count: count) {
            return strings[slot]
        }
        let string = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        stored.update(from: bytes, count: count)
        lengths[slot] = count
        strings[slot] = string
        return string
    }

    /// Byte equality, eight bytes at a time: these strings are short, a libc call costs more.
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Bool {
        var k = 0
        while k + 8 <= count {
            if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    @inline(__always)
    private static func slot(_ bytes: UnsafePointer<UInt8>, count: Int) -> Int {
        var a: UInt64 = 0
        var b: UInt64 = 0
        if count >= 8 {
            a = UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
            b = UnsafeRawPointer(bytes + count - 8).loadUnaligned(as: UInt64.self)
        } else {
            for k in 0..<count { a = a << 8 | UInt64(bytes[k]) }
        }
        let h = (a ^ (b << 29 | b >> 35) ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> UInt64(64 - slotBits))
    }
}
