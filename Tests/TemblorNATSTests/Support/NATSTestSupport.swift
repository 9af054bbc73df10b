import Logging
import NIOCore
import NIOPosix
import Synchronization
import TemblorTestSupport
import Testing

@testable import TemblorNATS

/// Whether the integration suites can run.
let natsServerInstalled = NATSServer.binary != nil
let natsServerMissing: Comment = "nats-server is not installed (scripts/bootstrap.sh installs it)"

extension NATSServer {
    /// The server as the client names it.
    var address: NATSServerAddress { NATSServerAddress(host: "127.0.0.1", port: port) }
}

/// A client of `server`, connected; reconnects fast so that tests stay short.
func connectedClient(
    _ server: NATSServer, logger: Logger = Logger(label: "test.nats"), _ configure: (inout NATSClientOptions) -> Void = { _ in }
) async throws -> NATSClient {
    var options = NATSClientOptions(servers: [server.address])
    options.reconnectDelay = { _ in .milliseconds(50) }
    configure(&options)
    let client = NATSClient(options: options, logger: logger)
    try await client.connect()
    return client
}

/// The next message of `subscription`, or nil when none came within `timeout`.
func nextMessage(_ subscription: NATSSubscription, within timeout: Duration = .seconds(5)) async -> NATSMessage? {
    let loop = MultiThreadedEventLoopGroup.singleton.any()
    if case .message(let message) = await subscription.next(deadline: .now() + TimeAmount(timeout), on: loop, interruptible: false) {
        return message
    }
    return nil
}

/// Waits until `condition` holds, checking every 10 ms, at most `timeout`.
func eventually(within timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Keeps every event of a client, for tests to wait on.
final class EventRecorder: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[NATSConnectionEvent]>([])
    }

    private let storage: Storage
    private let reader: Task<Void, Never>

    init(_ client: NATSClient) {
        let storage = Storage()
        self.storage = storage
        reader = Task {
            for await event in client.events { storage.events.withLock { $0.append(event) } }
        }
    }

    deinit { reader.cancel() }

    var all: [NATSConnectionEvent] { storage.events.withLock { $0 } }

    /// Short names of the events so far: connected, disconnected, reconnected, closed.
    var names: [String] {
        all.map {
            switch $0 {
            case .connected: "connected"
            case .disconnected: "disconnected"
            case .reconnected: "reconnected"
            case .closed: "closed"
            }
        }
    }

    func wait(for name: String, count: Int = 1, within timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(within: timeout) { names.filter { $0 == name }.count >= count }
    }
}

extension ByteBuffer {
    /// The readable bytes as an array, for comparisons.
    var bytes: [UInt8] { Array(readableBytesView) }
}

/// The error `body` failed with, or nil when it succeeded.
func failure<T>(_ body: () async throws -> T) async -> NATSError? {
    do {
        _ = try await body()
        return nil
    } catch let error as NATSError {
        return error
    } catch {
        Issue.record("not a NATSError: \(error)")
        return nil
    }
}
