import TemblorCodecs
import TemblorValue

/// One stream of a source: decodes its bytes, numbers its events, batches them onto the bus,
/// and routes frames that fail to decode to the `err` port with their frame number.
public struct SourceStream {
    public let id: UInt64
    private let context: SourceContext
    private var decoder: StreamDecoder
    /// The metadata every event of the stream starts with (the stream's id and what the source
    /// gave), built once and shared by the events.
    private let meta: Value
    private var sequence: UInt64 = 0
    /// The ingest time of the events being decoded: one clock read per chunk, not per event.
    private var ingestNs: UInt64 = 0
    private var batch: [Event] = []
    private var errors: [Event] = []
    private var outcomes: [StreamDecoder.Outcome] = []

    init(context: SourceContext, id: UInt64, decoder: StreamDecoder, meta: Value) {
        self.context = context
        self.id = id
        self.decoder = decoder
        var base: Value = meta.isNull ? [:] : meta
        base["stream"] = .int(Int64(truncatingIfNeeded: id))
        self.meta = base
        batch.reserveCapacity(context.batchSize)
    }

    /// Feeds bytes read from the outside; complete frames become events, sent before returning.
    /// `meta` is merged into the metadata of the events these bytes complete.
    public mutating func receive(_ bytes: ArraySlice<UInt8>, meta extra: Value = .null) async {
        ingestNs = Event.nowNs()
        outcomes.removeAll(keepingCapacity: true)
        var decoded = outcomes
        outcomes = []
        decoder.decode(bytes, into: &decoded)
        await take(&decoded, meta: extra)
        outcomes = decoded
        await flush()
    }

    /// Emits an already structured value (sources that make values, not bytes).
    public mutating func emit(_ payload: Value, meta extra: Value = .null) async {
        ingestNs = Event.nowNs()
        append(payload, meta: extra)
        if batch.count >= context.batchSize { await flush() }
    }

    /// Decodes one whole message (a request body) and sends nothing yet: the caller looks at
    /// the outcomes (to refuse a message that does not decode) before it `send`s them.
    public mutating func decodeMessage(_ bytes: ArraySlice<UInt8>) -> [StreamDecoder.Outcome] {
        var decoded: [StreamDecoder.Outcome] = []
        decoder.decode(bytes, into: &decoded)
        decoder.finish(into: &decoded)
        return decoded
    }

    /// The stream's decoder, for a source that keeps decoders between messages.
    public var reusableDecoder: StreamDecoder { decoder }

    /// Sends outcomes decoded earlier: values as events on `out`, failures on `err`, numbered in
    /// the stream from its next sequence on. `meta` is merged into each event's metadata.
    public mutating func send(_ outcomes: inout [StreamDecoder.Outcome], meta extra: Value = .null) async {
        ingestNs = Event.nowNs()
        await take(&outcomes, meta: extra)
        await flush()
    }

    /// The failure report a frame that did not decode becomes, as the `err` port receives it.
    public func describe(failure error: CodecError, frame: Int, record: Int?) -> String {
        let place = record.map { "line \($0)" } ?? "frame \(frame)"
        return "\(context.name): \(place): \(error)"
    }

    /// Sends the events batched so far.
    public mutating func flush() async {
        if !batch.isEmpty {
            let full = batch
            batch.removeAll(keepingCapacity: true)
            await context.send(full)
        }
        if !errors.isEmpty {
            let failed = errors
            errors.removeAll(keepingCapacity: true)
            await context.sendErrors(failed)
        }
    }

    /// The sequence the stream's next event gets: a source that answers for each message it
    /// read (a broker's ack) notes it before and after adding the message's events.
    public var nextSequence: UInt64 { sequence }

    /// Adds outcomes decoded earlier (one message's) to the batch, sending only full batches,
    /// so that many small messages travel in few batches; `flush` sends the rest.
    public mutating func enqueue(_ outcomes: inout [StreamDecoder.Outcome], meta extra: Value = .null) async {
        ingestNs = Event.nowNs()
        await take(&outcomes, meta: extra)
    }

    /// The stream ended: decodes what the preprocessors still hold and sends everything.
    public mutating func end() async {
        ingestNs = Event.nowNs()
        outcomes.removeAll(keepingCapacity: true)
        var decoded = outcomes
        outcomes = []
        decoder.finish(into: &decoded)
        await take(&decoded)
        outcomes = decoded
        await flush()
    }

    /// Turns outcomes into events, moving each value out of `outcomes` (no copy per event).
    private mutating func take(_ outcomes: inout [StreamDecoder.Outcome], meta extra: Value = .null) async {
        for index in outcomes.indices {
            var outcome = StreamDecoder.Outcome.value(.null, frame: 0)
            swap(&outcome, &outcomes[index])
            switch consume outcome {
            case .value(let value, _):
                append(value, meta: extra)
                if batch.count >= context.batchSize { await flush() }
            case .failure(let error, let frame, let record, let bytes):
                var payload: Value = [
                    "error": .string(describe(failure: error, frame: frame, record: record)),
                    "frame": .int(Int64(frame)),
                    "connector": .string(context.name),
                ]
                if let record { payload["line"] = .int(Int64(record)) }
                payload["data"] = .string(String(decoding: bytes, as: UTF8.self))
                errors.append(makeEvent(payload, meta: .null))
            }
        }
        outcomes.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ payload: consuming Value, meta extra: Value) {
        batch.append(makeEvent(payload, meta: extra))
    }

    private mutating func makeEvent(_ payload: consuming Value, meta extra: Value) -> Event {
        var eventMeta = meta
        if case .object(let object) = extra {
            for (key, value) in object { eventMeta[key] = value }
        }
        var event = Event(
            payload: payload, meta: eventMeta, ingestNs: ingestNs, id: EventId(source: context.sourceId, stream: id, sequence: sequence))
        if context.sendsJSONText, case .bytes = event.payload { event.payloadIsJSONText = true }
        sequence += 1
        return event
    }
}
