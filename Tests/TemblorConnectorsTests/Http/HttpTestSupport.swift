import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// An `http_server` flow built in code and running in the background, with the port it bound.
struct HttpServerFlow {
    let running: RunningFlow
    let port: Int

    /// Starts `flow`, whose `http_server` connectors report their port; waits until bound.
    static func start(
        _ flow: FlowDefinition, extra: [any ConnectorFactory] = [], operators: OperatorRegistry = HttpTestOperators.registry,
        directory: String = "."
    ) async throws -> HttpServerFlow {
        let port = PortBox()
        var registry = ConnectorRegistry.standard
        registry.register(HttpServerConnector { port.set($0) })
        for factory in extra { registry.register(factory) }
        let running = RunningFlow(flow, registry: registry, operators: operators, directory: directory)
        return HttpServerFlow(running: running, port: try await port.wait())
    }

    var url: String { "http://127.0.0.1:\(port)" }
}

/// A response as a test reads it.
struct HttpReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
}

/// AsyncHTTPClient as a real client of the server under test.
enum HttpTestClient {
    static func make(tls: TLSConfiguration? = nil, timeout: TimeAmount = .seconds(10)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.timeout = .init(connect: timeout, read: timeout)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and reads the whole response.
    static func send(
        _ client: HTTPClient, _ url: String, method: HTTPMethod = .POST, body: String? = nil, bytes: [UInt8]? = nil,
        headers: [(String, String)] = [("content-type", "application/json")]
    ) async throws -> HttpReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        if let bytes { request.body = .bytes(ByteBuffer(bytes: bytes)) }
        let response = try await client.execute(request, timeout: .seconds(15))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return HttpReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }
}

/// Operators the tests' pipelines use.
enum HttpTestOperators {
    static let registry: OperatorRegistry = {
        var registry = OperatorRegistry.standard
        registry.register("answer") { _ throws(OperatorError) in AnswerOperator() }
        return registry
    }()
}

/// Makes an answer of each request event: `status`/`headers` from its payload go to
/// `meta.response`, and `reply` (when present) becomes the payload; what Lua operators do in
/// the examples, natively.
struct AnswerOperator: Operator {
    mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        var event = event
        var response: Value = [:]
        if let status = event.payload["status"] { response["status"] = status }
        if let headers = event.payload["headers"] { response["headers"] = headers }
        if !(response.objectValue?.isEmpty ?? true) { event.meta["response"] = response }
        if let reply = event.payload["reply"] { event.payload = reply }
        output.emit(event)
    }
}

/// A sink that acks or fails each event only when the test says, to see a request wait for
/// its event's fate; it can also hold its sources through its circuit breaker.
final class GatedSink: Sendable {
    enum Verdict: Sendable { case ack, fail(String) }
    private let state = Mutex<(events: [Event], verdict: Verdict?, hold: Bool)>(([], nil, false))
    private let contexts = Mutex<[SinkContext]>([])

    /// Decides the events waiting now and those that come later.
    func decide(_ verdict: Verdict) {
        state.withLock { $0.verdict = verdict }
    }

    /// Opens (true) or closes the breaker of the sink.
    func hold(_ on: Bool) {
        state.withLock { $0.hold = on }
        for context in contexts.withLock({ $0 }) {
            if on { context.breaker.open() } else { context.breaker.close() }
        }
    }

    var received: [Event] { state.withLock { $0.events } }

    fileprivate func register(_ context: SinkContext) {
        contexts.withLock { $0.append(context) }
        if state.withLock({ $0.hold }) { context.breaker.open() }
    }

    fileprivate func take(_ batch: [Event]) {
        state.withLock { $0.events.append(contentsOf: batch) }
    }

    fileprivate var verdict: Verdict? { state.withLock { $0.verdict } }
}

struct GatedConnector: ConnectorFactory {
    let gate: GatedSink

    var info: ConnectorTypeInfo { ConnectorTypeInfo(name: "gated", hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in } }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: GatedSinkSide(gate: gate))
    }
}

struct GatedSinkSide: Sink {
    let gate: GatedSink

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        gate.register(context)
        while let batch = await input.next() {
            gate.take(batch)
            while gate.verdict == nil { try? await Task.sleep(for: .milliseconds(5)) }
            switch gate.verdict! {
            case .ack: context.ack(batch)
            case .fail(let reason): context.fail(batch, reason: reason)
            }
        }
    }
}

/// What `info` says of `config`: the error, or `nil` when it is fine.
func configError(_ info: ConnectorTypeInfo, _ config: Value) -> ConnectorConfigError? {
    do throws(ConnectorConfigError) {
        try info.validate(config)
        return nil
    } catch {
        return error
    }
}

extension SelfSignedCertificate {
    /// A server configuration presenting this certificate.
    func serving() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    }

    /// A client configuration that trusts this certificate only.
    func trusting() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        return configuration
    }
}

extension TestSocket {
    /// Reads one HTTP/1.1 response (status line, headers, and a one-line body when it has one).
    func readResponse(seconds: Double = 10) throws -> (status: Int, headers: [String: String], body: String)? {
        var lines: [String] = []
        while true {
            let next = try readLines(1, seconds: seconds)
            guard let line = next.first else { return nil }
            let trimmed = line.hasSuffix("\r") ? String(line.dropLast()) : line
            if trimmed.isEmpty { break }
            lines.append(trimmed)
        }
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = ""
        if let length = headers["content-length"].flatMap(Int.init), length > 0 {
            body = try readLines(1, seconds: seconds).first ?? ""
        }
        return (status, headers, body)
    }
}
