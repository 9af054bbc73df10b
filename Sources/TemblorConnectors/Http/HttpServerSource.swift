import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import TemblorRuntime
import TemblorValue

/// Serves HTTP/1.1 (keep-alive, pipelining; TLS when configured) until cancelled, each request
/// a stream of its own; the acks and fails of its events decide the waiting requests' fate.
struct HttpServerSource: Source {
    let settings: HttpServerConnector.Settings
    let pending: HttpPendingRequests
    let onBound: (@Sendable (Int) -> Void)?

    func run(_ context: SourceContext) async throws {
        let responseTimeout = Duration.milliseconds(settings.responseTimeoutMs)
        let responder = HttpServerResponder(
            context: context, pending: pending, decoders: HttpDecoderPool(fallback: context.codecSpec),
            maxBodyBytes: settings.maxBodyBytes, responseTimeoutMs: settings.responseTimeoutMs)
        let headerTimeout = TimeAmount.milliseconds(Int64(settings.headerTimeoutMs))
        let http = HTTP1Channel(
            responder: { request, writer, channel in try await responder.respond(to: request, writer, channel: channel) },
            configuration: .init(additionalChannelHandlers: [HttpConnectionGuard(headerTimeout: headerTimeout)]))
        context.onAcknowledgements { pending.acknowledged($0) }
        // The sweep runs outside this task's cancellation: while a stop quiesces the server,
        // requests still waiting get their 504 in time.
        let sweeper = Task {
            // Requests time out within a tenth of the timeout (at most 100 ms) of their deadline.
            let sweep = min(max(responseTimeout / 10, .milliseconds(5)), .milliseconds(100))
            while !Task.isCancelled {
                try? await Task.sleep(for: sweep)
                pending.expire()
            }
        }
        defer { sweeper.cancel() }
        if let tls = settings.tls {
            let configuration: TLSConfiguration
            do {
                configuration = try tls.serverConfiguration(alpn: ["http/1.1"])
            } catch {
                throw NetworkError("\(context.name): \(error)")
            }
            try await serve(try TLSChannel(http, tlsConfiguration: configuration), context)
        } else {
            try await serve(http, context)
        }
    }

    /// Runs one server over `child` (plain or TLS) until cancelled.
    private func serve<Child: ServerChildChannel>(_ child: Child, _ context: SourceContext) async throws {
        let address = settings.address
        let scheme = settings.tls == nil ? "http" : "https"
        let server = Server(
            childChannelSetup: child,
            configuration: ServerConfiguration(
                address: .hostname(address.host, port: address.port),
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
            onServerRunning: { [onBound] channel in
                let port = channel.localAddress?.port ?? address.port
                context.logger.info("\(context.name): listening on \(scheme)://\(HostPort(host: address.host, port: port))")
                onBound?(port)
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: context.logger)
        // The server runs outside this task's cancellation: a stop quiesces it instead, so
        // idle connections close, requests in flight get their answers, then `run` returns.
        let serving = Task { try await server.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task { try? await server.shutdownGracefully() }
            }
        } catch is CancellationError {
        } catch {
            throw NetworkError("\(context.name): cannot listen on \(address): \(NetworkError.reason(error))")
        }
    }
}
