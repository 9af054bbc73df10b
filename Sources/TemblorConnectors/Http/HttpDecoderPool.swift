import NIOConcurrencyHelpers
import TemblorCodecs
import TemblorRuntime

/// Decoders kept between requests, one set per kind of body: making a decoder (a JSON parser
/// and its string cache) costs more than decoding a small body. Only decoders without
/// preprocessors are kept: they hold nothing between messages once a message is finished.
///
/// `@unchecked Sendable`: `idle` is read and written under `lock` only; a decoder in `idle`
/// belongs to the pool, one taken out belongs to the one request that took it until it is
/// given back, so no decoder is ever used by two tasks at once.
final class HttpDecoderPool: @unchecked Sendable {
    /// Idle decoders kept per kind, at most (the rest are dropped).
    static let keep = 256

    private let lock = NIOLock()
    private var idle: [[StreamDecoder]]
    private let specs: [StreamCodecSpec]

    init(fallback: StreamCodecSpec) {
        specs = HttpBodyCodec.Kind.allCases.map { HttpBodyCodec.spec(for: $0, fallback: fallback) }
        idle = Array(repeating: [], count: HttpBodyCodec.Kind.allCases.count)
    }

    func spec(_ kind: HttpBodyCodec.Kind) -> StreamCodecSpec {
        specs[kind.rawValue]
    }

    /// A decoder for a body of `kind`: a kept one, else a new one.
    func take(_ kind: HttpBodyCodec.Kind) throws(CodecError) -> StreamDecoder {
        if let kept = lock.withLock({ idle[kind.rawValue].popLast() }) { return kept }
        return try specs[kind.rawValue].makeDecoder()
    }

    /// Gives back a decoder whose message was decoded and finished.
    func give(_ decoder: consuming StreamDecoder, _ kind: HttpBodyCodec.Kind) {
        guard specs[kind.rawValue].preprocessors.isEmpty else { return }
        var decoder = decoder
        decoder.restart()
        lock.withLock {
            if idle[kind.rawValue].count < Self.keep { idle[kind.rawValue].append(decoder) }
        }
    }
}
