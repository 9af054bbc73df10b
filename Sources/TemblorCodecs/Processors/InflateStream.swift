import CompressNIO
import NIOCore

/// Streaming decompression shared by the `gzip`, `zlib` and `decompress` preprocessors, on
/// CompressNIO's zlib binding.
///
/// Input may be cut anywhere. Members that follow one another (as `cat a.gz b.gz` produces) all
/// decode, each checked for its format's header first. Output stops at `maxOutput` bytes per
/// stream, against decompression bombs. Errors leave the stream failed: a deflate stream cannot
/// be resynchronised, so every later call throws the same error.
///
/// The decompressor is a class, so copies of this struct share it: like every processor, an
/// instance belongs to one stream.
struct InflateStream {
    /// What the stream holds: `auto` decides from the first two bytes.
    enum Format {
        case gzip, zlib, auto
    }

    private enum Phase {
        /// Reading the first two bytes of a member, to check (or detect) its format.
        case header
        case inflating
        /// `auto` found neither gzip nor zlib: bytes pass unchanged.
        case passthrough
    }

    /// The processor name errors carry.
    private let name: String
    private var format: Format
    private let maxOutput: Int
    private var decompressor: ZlibDecompressor?
    private var phase = Phase.header
    private var header: [UInt8] = []
    private var members = 0
    /// Stream offsets of the next chunk and of the current member's first byte.
    private var offset = 0
    private var memberStart = 0
    private var produced = 0
    private var window: ByteBuffer
    private var failure: CodecError?

    /// Output is taken from zlib in pieces of this size.
    private static let windowSize = 64 * 1024

    init(name: String, format: Format, maxOutput: Int) {
        self.name = name
        self.format = format
        self.maxOutput = maxOutput <= 0 ? Int.max : maxOutput
        self.window = ByteBufferAllocator().buffer(capacity: Self.windowSize)
    }

    mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if let failure { throw failure }
        if phase == .passthrough {
            if !chunk.isEmpty { frames.append(chunk) }
            return
        }
        guard !chunk.isEmpty else { return }
        let chunkOffset = offset
        offset += chunk.count
        var input = ByteBuffer(bytes: chunk)
        var output: [UInt8] = []
        defer {
            if !output.isEmpty { frames.append(output[...]) }
        }
        do throws(CodecError) {
            while input.readableBytes > 0 {
                switch phase {
                case .header:
                    while header.count < 2, let byte = input.readInteger(as: UInt8.self) {
                        header.append(byte)
                    }
                    guard header.count == 2 else { return }
                    try startMember()
                    if phase == .passthrough {
                        output.append(contentsOf: header)
                        output.append(contentsOf: input.readableBytesView)
                        header = []
                        return
                    }
                    var head = ByteBuffer(bytes: header)
                    header = []
                    phase = .inflating
                    _ = try inflate(&head, at: memberStart, into: &output)
                case .inflating:
                    if try inflate(&input, at: chunkOffset, into: &output) {
                        phase = .header
                        memberStart = chunkOffset + input.readerIndex
                    }
                case .passthrough:
                    output.append(contentsOf: input.readableBytesView)
                    return
                }
            }
        } catch {
            failure = error
            throw error
        }
    }

    mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if let failure { throw failure }
        switch phase {
        case .passthrough:
            return
        case .header:
            if header.isEmpty { return }
            if format == .auto {
                // A one-byte stream is too short to be compressed.
                frames.append(header[...])
                header = []
                return
            }
            let error = CodecError.truncated(processor: name, message: "\(formatName) data ended after 1 byte of a header")
            failure = error
            throw error
        case .inflating:
            // After the end of a member zlib takes no more input: offer it one byte to learn
            // whether the member was complete.
            var probe = ByteBuffer(bytes: [0])
            window.clear()
            let complete: Bool
            do {
                try decompressor?.inflate(from: &probe, to: &window)
                complete = probe.readableBytes == 1
            } catch {
                complete = false
            }
            window.clear()
            guard complete else {
                let error = CodecError.truncated(
                    processor: name, message: "\(formatName) data ended before the end of its compressed stream")
                failure = error
                throw error
            }
            phase = .header
        }
    }

    private var formatName: String {
        switch format {
        case .gzip: "gzip"
        case .zlib: "zlib"
        case .auto: "compressed"
        }
    }

    /// Checks (or, for `auto`, detects) the format from the member's first two bytes and readies
    /// the decompressor for it.
    private mutating func startMember() throws(CodecError) {
        let (first, second) = (header[0], header[1])
        let isGzip = first == 0x1F && second == 0x8B
        let isZlib = first & 0x0F == 8 && first >> 4 <= 7 && (UInt16(first) << 8 | UInt16(second)) % 31 == 0
        switch format {
        case .gzip where !isGzip:
            throw .syntax(
                codec: name, message: "not gzip data: expected magic bytes 1f 8b, found \(hex(first)) \(hex(second))",
                offset: memberStart)
        case .zlib where !isZlib:
            throw .syntax(
                codec: name, message: "not zlib data: \(hex(first)) \(hex(second)) is not a zlib header",
                offset: memberStart)
        case .auto:
            if isGzip {
                format = .gzip
            } else if first == 0x78 && isZlib {
                format = .zlib
            } else {
                phase = .passthrough
                return
            }
        default:
            break
        }
        do {
            if let decompressor {
                try decompressor.reset()
            } else {
                decompressor = try ZlibDecompressor(algorithm: format == .gzip ? .gzip : .zlib, windowSize: 15)
            }
        } catch {
            throw .syntax(codec: name, message: "zlib could not start a \(formatName) stream: \(error)", offset: memberStart)
        }
        members += 1
    }

    /// Inflates `input` (whose first byte is at stream offset `base`) into `output`. Returns true
    /// when the member ended with input left over, which then begins the next member.
    private mutating func inflate(_ input: inout ByteBuffer, at base: Int, into output: inout [UInt8]) throws(CodecError) -> Bool {
        guard let decompressor else { return false }
        while true {
            if window.writableBytes == 0 {
                try drain(into: &output)
            }
            let (read, written) = (input.readerIndex, window.writerIndex)
            do {
                try decompressor.inflate(from: &input, to: &window)
            } catch let error as CompressNIOError {
                if error == .inputBufferOverflow {
                    // zlib has used all the input and wants more.
                    try drain(into: &output)
                    return false
                }
                if error == .bufferOverflow && (input.readerIndex != read || window.writerIndex != written) {
                    try drain(into: &output)
                    continue
                }
                try drain(into: &output)
                let message = error == .corruptData ? "invalid or corrupt" : "undecodable (zlib: \(error))"
                throw .syntax(codec: name, message: "\(formatName) data is \(message)", offset: base + input.readerIndex)
            } catch {
                throw .syntax(codec: name, message: "\(formatName) data is undecodable: \(error)", offset: base + input.readerIndex)
            }
            // zlib returns without error when it used all the input, or at the end of the member.
            try drain(into: &output)
            return input.readableBytes > 0
        }
    }

    /// Moves the window's bytes to `output`, stopping at `maxOutput`.
    private mutating func drain(into output: inout [UInt8]) throws(CodecError) {
        let count = window.readableBytes
        guard count > 0 else { return }
        defer { window.clear() }
        if count > maxOutput - produced {
            output.append(contentsOf: window.readableBytesView.prefix(maxOutput - produced))
            produced = maxOutput
            throw .outputTooLarge(processor: name, limit: maxOutput)
        }
        produced += count
        output.append(contentsOf: window.readableBytesView)
    }
}

/// Two hex digits, as error messages show bytes.
private func hex(_ byte: UInt8) -> String {
    (byte < 16 ? "0" : "") + String(byte, radix: 16)
}
