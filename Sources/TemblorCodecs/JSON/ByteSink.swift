// Invariants of this file:
// - `base` points to `capacity` bytes allocated by `ByteSink` itself; the first `count` are
//   initialised. `reserve(n)` guarantees `count + n <= capacity` before any write of n bytes.
// - A `ByteSink` is a plain value that does not free its memory: exactly one owner calls
//   `release()` (the `ByteSinkStorage` that keeps a codec's sink, or the function that made a
//   temporary one), and nothing uses the sink afterwards.

/// Growable output over raw memory, for encoders that write byte by byte: no uniqueness or
/// bounds checks per byte, one capacity check per write.
struct ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count: Int
    private(set) var capacity: Int

    init(capacity: Int = 512) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    /// Frees the memory; the sink must not be used again.
    func release() {
        base.deallocate()
    }

    /// Forgets what was written, keeping the memory.
    mutating func reset() {
        count = 0
    }

    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        let newCapacity = max(capacity * 2, count + n)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        reserve(n)
        (base + count).update(from: bytes, count: n)
        count &+= n
    }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        put(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Writes into the next `n` bytes directly; `body` returns how many it wrote (at most `n`).
    @inline(__always)
    mutating func write(upTo n: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(n)
        count &+= body(base + count)
    }

    /// Appends what was written to `buffer`.
    func copy(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }
}

/// Owns a codec's `ByteSink` across calls, so that encoding reuses one buffer.
final class ByteSinkStorage {
    var sink = ByteSink()

    deinit {
        sink.release()
    }
}
