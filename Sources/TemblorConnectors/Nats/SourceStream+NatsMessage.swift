import NIOCore
import TemblorRuntime
import TemblorValue

extension SourceStream {
    /// Decodes one NATS message's payload into outcomes, each to become an event of this stream
    /// numbered from `nextSequence` on.
    mutating func decodeNatsPayload(_ payload: ByteBuffer) -> [StreamDecoder.Outcome] {
        payload.withUnsafeReadableBytes { bytes in decodeMessage(ArraySlice(bytes)) }
    }

    /// Adds one message's outcomes to the batch with `meta`; when the message became several
    /// events, each gets its part number as `meta.nats.part` (from 0), which keeps the ids a
    /// JetStream sink derives from the message apart.
    mutating func enqueueNatsMessage(_ outcomes: inout [StreamDecoder.Outcome], meta: Value) async {
        guard outcomes.count > 1 else {
            await enqueue(&outcomes, meta: meta)
            return
        }
        for index in outcomes.indices {
            var one = [outcomes[index]]
            var partMeta = meta
            partMeta["nats"]?["part"] = .int(Int64(index))
            await enqueue(&one, meta: partMeta)
        }
        outcomes.removeAll()
    }

    /// The sequences among the next `outcomes` that are frames which did not decode.
    func undecodableSequences(in outcomes: [StreamDecoder.Outcome]) -> [UInt64] {
        var sequences: [UInt64] = []
        for (index, outcome) in outcomes.enumerated() {
            if case .failure = outcome { sequences.append(nextSequence + UInt64(index)) }
        }
        return sequences
    }
}
