#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into frames at a separator (a newline unless configured), as Tremor's
/// `separate` does; the separator is not part of the frame.
///
/// Frames that lie wholly inside one chunk are emitted as slices of it, without copying; only a
/// frame cut by a chunk boundary is assembled in a carry buffer. A separator of several bytes may
/// itself be cut by a chunk boundary.
///
/// A frame longer than `max_length` throws `frameTooLong` once and is dropped; the processor keeps
/// the unread rest of the chunk and, on the next `process` or `finish` call, skips to the next
/// separator and carries on, so no other frame is lost. Empty frames are skipped unless
/// `skip_empty` is false.
public struct SeparatePreprocessor: Preprocessor {
    /// The longest frame accepted unless configured: 8 MiB.
    public static let defaultMaxLength = 8 * 1024 * 1024

    private let separator: [UInt8]
    private let maxLength: Int
    private let skipEmpty: Bool
    /// The start of a frame that earlier chunks began; may end with the first bytes of a separator.
    private var carry: [UInt8] = []
    /// Dropping an oversized frame up to the next separator; `carry` then holds only the last
    /// `separator.count - 1` bytes seen, which may begin a separator.
    private var discarding = false
    /// The unread rest of a chunk whose processing stopped at an oversized frame.
    private var pending: [UInt8] = []
    /// Records (separators) consumed so far in the stream: the line count for "\n".
    private var records = 0
    /// The record number of each frame the last call emitted, in order.
    public private(set) var lastFrameRecords: [Int] = []

    /// - Parameters:
    ///   - separator: one or more bytes that end a frame.
    ///   - maxLength: the longest frame in bytes; 0 means unlimited.
    ///   - skipEmpty: drop empty frames (two separators in a row) instead of emitting them.
    public init(separator: [UInt8] = [0x0A], maxLength: Int = defaultMaxLength, skipEmpty: Bool = true) {
        precondition(!separator.isEmpty, "separate: the separator must not be empty")
        self.separator = separator
        self.maxLength = maxLength <= 0 ? Int.max : maxLength
        self.skipEmpty = skipEmpty
    }

    /// Reads `separator` (default "\n"), `max_length` (default 8 MiB, 0 for unlimited) and
    /// `skip_empty` (default true).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["separator", "max_length", "skip_empty"])
        let separator = Array(try config.string("separator", default: "\n").utf8)
        guard !separator.isEmpty else {
            throw .badConfig(name: config.name, key: "separator", message: "must hold at least one byte")
        }
        let maxLength = try config.int("max_length", default: Self.defaultMaxLength, in: 0...Int.max)
        let skipEmpty = try config.bool("skip_empty", default: true)
        self.init(separator: separator, maxLength: maxLength, skipEmpty: skipEmpty)
    }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        lastFrameRecords.removeAll(keepingCapacity: true)
        if pending.isEmpty {
            try scan(chunk, into: &frames)
        } else {
            var data = pending
            pending = []
            data.append(contentsOf: chunk)
            try scan(data[...], into: &frames)
        }
    }

    /// Emits every frame still held, the last one even without a separator. When an oversized
    /// frame is among them, the frames after it are emitted too and the first error is thrown last.
    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        lastFrameRecords.removeAll(keepingCapacity: true)
        var firstError: CodecError?
        while !pending.isEmpty {
            let data = pending
            pending = []
            do throws(CodecError) {
                try scan(data[...], into: &frames)
            } catch {
                firstError = firstError ?? error
            }
        }
        if discarding {
            // The oversized frame was reported when it passed the limit.
            discarding = false
            carry = []
        } else if !carry.isEmpty {
            let frame = carry
            carry = []
            records += 1
            if frame.count <= maxLength {
                frames.append(frame[...])
                lastFrameRecords.append(records)
            } else {
                firstError = firstError ?? tooLong
            }
        }
        if let firstError { throw firstError }
    }

    private var tooLong: CodecError { .frameTooLong(processor: "separate", limit: maxLength) }

    /// Splits `data`, completing first the frame that earlier chunks began.
    private mutating func scan(_ data: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        var index = data.startIndex
        if !carry.isEmpty || discarding {
            guard let resume = try completeCarried(data, into: &frames) else { return }
            index = resume
        }
        let n = separator.count
        while let found = find(in: data, from: index) {
            records += 1
            if found - index > maxLength {
                pending = Array(data[(found + n)...])
                throw tooLong
            }
            if found > index || !skipEmpty {
                frames.append(data[index..<found])
                lastFrameRecords.append(records)
            }
            index = found + n
        }
        // The tail may end with up to n - 1 bytes of a separator that the next chunk completes.
        if data.endIndex - index - (n - 1) > maxLength {
            startDiscarding(after: data[index...])
            throw tooLong
        }
        if index < data.endIndex {
            carry.append(contentsOf: data[index...])
        }
    }

    /// Ends the frame in `carry` at the first separator, which may begin in `carry` and end in
    /// `data`. Returns where the next frame starts in `data`, or nil when `data` held no separator
    /// and was added to the frame.
    private mutating func completeCarried(
        _ data: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]
    ) throws(CodecError) -> Int? {
        let (length, resume): (Int, Int)
        if let (start, needed) = straddlingSeparator(before: data) {
            if needed > data.count {
                // `data` is too short to tell, and too short to hold a separator of its own.
                return try extendCarried(with: data)
            }
            (length, resume) = (start, data.startIndex + needed)
        } else if let found = find(in: data, from: data.startIndex) {
            (length, resume) = (carry.count + (found - data.startIndex), found + separator.count)
            if !discarding && length <= maxLength {
                carry.append(contentsOf: data[..<found])
            }
        } else {
            return try extendCarried(with: data)
        }
        records += 1
        if discarding {
            discarding = false
            carry = []
            return resume
        }
        let frame = carry[..<min(length, carry.count)]
        carry = []
        if length > maxLength {
            pending = Array(data[resume...])
            throw tooLong
        }
        if length > 0 || !skipEmpty {
            frames.append(frame)
            lastFrameRecords.append(records)
        }
        return resume
    }

    /// The leftmost separator that starts in the last bytes of `carry` and may end in `data`: where
    /// it starts in `carry`, and how many of its bytes `data` must supply. `needed` above
    /// `data.count` means `data` matches so far but is too short to tell.
    private func straddlingSeparator(before data: ArraySlice<UInt8>) -> (start: Int, needed: Int)? {
        let n = separator.count
        guard n > 1 else { return nil }
        for start in (carry.count - min(n - 1, carry.count))..<carry.count {
            let inCarry = carry.count - start
            guard carry[start...].elementsEqual(separator[..<inCarry]) else { continue }
            let needed = n - inCarry
            let available = min(needed, data.count)
            guard data.prefix(available).elementsEqual(separator[inCarry..<(inCarry + available)]) else { continue }
            return (start, needed)
        }
        return nil
    }

    /// Adds `data`, which holds no separator end, to the carried frame (or to the skipped bytes).
    private mutating func extendCarried(with data: ArraySlice<UInt8>) throws(CodecError) -> Int? {
        if discarding {
            startDiscarding(after: data)
            return nil
        }
        if carry.count + data.count - (separator.count - 1) > maxLength {
            startDiscarding(after: data)
            throw tooLong
        }
        carry.append(contentsOf: data)
        return nil
    }

    /// Drops the frame so far, keeping only the bytes that may begin a separator.
    private mutating func startDiscarding(after data: ArraySlice<UInt8>) {
        let keep = separator.count - 1
        if data.count >= keep {
            carry = Array(data.suffix(keep))
        } else {
            carry.append(contentsOf: data)
            carry = Array(carry.suffix(keep))
        }
        discarding = true
    }

    /// The index of the first separator that lies wholly in `data` at or after `from`.
    @inline(__always)
    private func find(in data: ArraySlice<UInt8>, from: Int) -> Int? {
        let separator = self.separator
        let n = separator.count
        let first = Int32(separator[0])
        return data.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let count = buffer.count
            var i = from - data.startIndex
            while count - i >= n {
                guard let hit = memchr(base + i, first, count - i - n + 1) else { return nil }
                let j = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                var k = 1
                while k < n && base[j + k] == separator[k] { k += 1 }
                if k == n { return data.startIndex + j }
                i = j + 1
            }
            return nil
        }
    }
}
