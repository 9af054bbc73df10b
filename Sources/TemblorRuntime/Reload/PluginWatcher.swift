import Logging

/// Watches plugin directories with inotify and hands the `.lua` files that changed to a handler
/// once writes have settled, so that editing a plugin reloads it (DESIGN §5). One thread blocks
/// in poll(2) for the life of the watcher; the handler runs on a task, one batch at a time.
public final class PluginWatcher: Sendable {
    /// Receives the paths (`directory + "/" + name`) of the `.lua` files that changed.
    public typealias Handler = @Sendable (Set<String>) async -> Void

    private let loop: Loop
    private let delivery: Task<Void, Never>

    /// Starts the watcher thread, watching nothing yet. A batch is handed over `debounce` after
    /// its last event, and never later than `maximumDelay` after its first (a file rewritten
    /// without pause still reloads).
    public init(
        debounce: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(2),
        logger: Logger = Logger(label: "temblor.reload"), handler: @escaping Handler
    ) throws(Failure) {
        let (stream, continuation) = AsyncStream.makeStream(of: Set<String>.self)
        loop = try Loop(
            debounceNanoseconds: Self.nanoseconds(debounce),
            maximumDelayNanoseconds: max(Self.nanoseconds(maximumDelay), Self.nanoseconds(debounce)),
            logger: logger, batches: continuation)
        delivery = Task {
            for await batch in stream { await handler(batch) }
        }
        do {
            try loop.start()
        } catch {
            delivery.cancel()
            throw error
        }
    }

    deinit {
        loop.stop()
    }

    /// Watches exactly `directories` from now on: new ones are added, those no longer listed are
    /// dropped. Every directory that can be watched is; those that cannot are named in the error.
    public func watch(directories: [String]) throws(Failure) {
        try loop.watch(directories: directories)
    }

    /// The directories watched now.
    public var directories: [String] {
        loop.directories
    }

    /// Whether the watcher thread is still running.
    public var isRunning: Bool {
        loop.isRunning
    }

    /// Ends the thread and closes its descriptors; changes not yet handed over are dropped, a
    /// batch being handled finishes. Blocks until the thread ended (one poll wake-up away).
    public func stop() {
        loop.stop()
    }

    /// Waits until every batch handed over before `stop()` was handled.
    public func finished() async {
        await delivery.value
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
