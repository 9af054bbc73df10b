import CompressNIO
import NIOCore

/// Streaming compression shared by the `gzip` and `zlib` postprocessors, on CompressNIO's zlib
/// binding: frames go into one compressed stream, and `finish` writes its trailer.
///
/// Without `syncFlush`, zlib holds data until it has a block's worth (best ratio, but a receiver
/// sees nothing for a while); with it, every frame is flushed to a byte boundary so a receiver
/// can decode it at once, at a few bytes' cost per frame. Frames after `finish` begin a new member.
///
/// The compressor is a class, so copies of this struct share it: like every processor, an
/// instance belongs to one stream.
struct DeflateStream {
    private let name: String
    private let compressor: ZlibCompressor
    private let syncFlush: Bool
    /// `finish` ended the stream; the next frame resets the compressor.
    private var finished = false
    private var window: ByteBuffer

    /// Output is taken from zlib in pieces of this size.
    private static let windowSize = 64 * 1024

    init(name: String, algorithm: ZlibAlgorithm, level: Int, syncFlush: Bool) throws(CodecError) {
        guard (0...9).contains(level) else {
            throw .badConfig(name: name, key: "level", message: "expected an integer in 0...9, got \(level)")
        }
        self.name = name
        self.syncFlush = syncFlush
        do {
            let configuration = ZlibConfiguration(
                windowSize: 15, compressionLevel: Int32(level), memoryLevel: 8, strategy: .default)
            self.compressor = try ZlibCompressor(algorithm: algorithm, configuration: configuration)
        } catch {
            throw .unencodable(codec: name, reason: "zlib could not start a compressor: \(error)")
        }
        self.window = ByteBufferAllocator().buffer(capacity: Self.windowSize)
    }

    mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if finished {
            do {
                try compressor.reset()
            } catch {
                throw .unencodable(codec: name, reason: "zlib could not restart the compressor: \(error)")
            }
            finished = false
        }
        guard !frame.isEmpty || syncFlush else { return }
        var input = ByteBuffer(bytes: frame)
        try deflate(&input, flush: syncFlush ? .sync : .no, into: &output)
    }

    mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        guard !finished else { return }
        var input = ByteBuffer()
        try deflate(&input, flush: .finish, into: &output)
        finished = true
    }

    /// Compresses `input` and appends what zlib releases to `output` as one piece.
    private mutating func deflate(
        _ input: inout ByteBuffer, flush: CompressNIOFlush, into output: inout [ArraySlice<UInt8>]
    ) throws(CodecError) {
        var bytes: [UInt8] = []
        defer {
            if !bytes.isEmpty { output.append(bytes[...]) }
        }
        while true {
            if window.writableBytes == 0 {
                drain(into: &bytes)
            }
            let (read, written) = (input.readerIndex, window.writerIndex)
            var done: Bool
            do {
                try compressor.deflate(from: &input, to: &window, flush: flush)
                switch flush {
                case .no: done = input.readableBytes == 0
                // An unfinished flush fills the window; it is complete only if room is left.
                case .sync: done = window.writableBytes > 0
                case .finish: done = true
                }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // zlib needs more room (or, without input, has nothing to do).
                done = input.readableBytes == 0 && window.writableBytes > 0 && flush != .finish
            } catch {
                throw .unencodable(codec: name, reason: "zlib failed to compress: \(error)")
            }
            let progressed = input.readerIndex != read || window.writerIndex != written
            drain(into: &bytes)
            if done { return }
            guard progressed else {
                throw .unencodable(codec: name, reason: "zlib made no progress compressing")
            }
        }
    }

    private mutating func drain(into bytes: inout [UInt8]) {
        guard window.readableBytes > 0 else { return }
        bytes.append(contentsOf: window.readableBytesView)
        window.clear()
    }
}
