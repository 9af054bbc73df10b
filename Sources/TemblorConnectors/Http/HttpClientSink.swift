import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Sends each event as a request, `concurrency` at a time over pooled kept-alive connections;
/// `meta.request.method/url/headers` override the config per event.
struct HttpClientSink: Sink {
    let settings: HttpClientConnector.Settings
    let replies: Rendezvous<HttpClientReply>

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try settings.tls?.clientConfiguration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.concurrency)
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let drain = HttpClientDrain()
        let exchange = HttpClientExchange(
            client: client, strategy: settings.strategy, timeout: .milliseconds(Int64(settings.timeoutMs)), context: context,
            replies: replies, drain: drain)
        var encoders = HttpBodyEncoders(fallback: context.codecSpec)
        await withDiscardingTaskGroup { group in
            let slots = HttpClientSlots(settings.concurrency)
            while let batch = await input.next() {
                for event in batch {
                    let request: HTTPClientRequest
                    switch prepare(event, encoders: &encoders) {
                    case .success(let made): request = made
                    case .failure(let error):
                        context.fail([event], reason: error.message)
                        continue
                    }
                    await slots.acquire()
                    group.addTask {
                        await exchange.perform(request, for: event)
                        slots.release()
                    }
                }
            }
            drain.begin()
        }
        replies.finish()
        try? await client.shutdown()
    }

    /// The request an event makes, or why it cannot make one.
    private func prepare(_ event: Event, encoders: inout HttpBodyEncoders) -> Result<HTTPClientRequest, NetworkError> {
        let overrides = event.meta["request"]
        var url = settings.url
        if let raw = overrides?["url"], !raw.isNull {
            guard let given = raw.stringValue, HttpClientConnector.isHttpURL(given) else {
                return .failure(NetworkError("meta.request.url must be an http:// or https:// URL, got \(raw); event \(event.id) not sent"))
            }
            url = given
        }
        var method = settings.method
        if let raw = overrides?["method"], !raw.isNull {
            guard let given = raw.stringValue, !given.isEmpty, given.allSatisfy({ $0.isLetter }) else {
                return .failure(NetworkError("meta.request.method must be an HTTP method like GET or POST, got \(raw); event \(event.id) not sent"))
            }
            method = given.uppercased()
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in settings.headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let raw = overrides?["headers"], !raw.isNull {
            guard case .object(let object) = raw else {
                return .failure(NetworkError("meta.request.headers must be a map of header names to strings, got \(raw); event \(event.id) not sent"))
            }
            for (name, value) in object { request.headers.replaceOrAdd(name: name, value: value.stringValue ?? "\(value)") }
        }
        if !event.payload.isNull {
            var body: [UInt8] = []
            do {
                let spec = try encoders.encode(event.payload, contentType: request.headers.first(name: "content-type"), into: &body)
                if !request.headers.contains(name: "content-type") { request.headers.add(name: "content-type", value: HttpBodyCodec.contentType(of: spec)) }
            } catch {
                return .failure(NetworkError("cannot encode event \(event.id) as a request body: \(error)"))
            }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return .success(request)
    }
}
