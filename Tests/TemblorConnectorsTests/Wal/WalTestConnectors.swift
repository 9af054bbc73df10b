import Synchronization
import TemblorRuntime
import TemblorValue

/// What a test sink saw: the `n` of each event delivered, in order, and how many were failed.
final class WalTestLedger: Sendable {
    let delivered = Mutex<[Int]>([])
    let emitted = Atomic<Int>(0)
    let failedOnce = Mutex<Set<Int>>([])
    let meta = Mutex<[Value]>([])

    var count: Int { delivered.withLock { $0.count } }
}

/// `numbers`: emits `count` events `{n, pad}` with metadata `{origin: n}`, sixteen per batch, and
/// counts how many it emitted (a held source stops counting).
struct NumbersConnector: ConnectorFactory {
    let count: Int
    let ledger: WalTestLedger

    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "numbers", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: Numbers(count: count, ledger: ledger))
    }

    struct Numbers: Source {
        let count: Int
        let ledger: WalTestLedger

        func run(_ context: SourceContext) async throws {
            var stream = try context.openStream()
            let pad = String(repeating: "x", count: 100)
            for n in 0..<count {
                await stream.emit(["n": .int(Int64(n)), "pad": .string(pad)], meta: ["origin": .int(Int64(n))])
                ledger.emitted.add(1, ordering: .relaxed)
                if n % 16 == 15 { await stream.flush() }
            }
            await stream.flush()
        }
    }
}

/// `ledger`: records each event's `n` and acks it. With `gate` closed it takes nothing and keeps
/// its breaker open, as a sink whose connection is down; with `failFirst` it fails the first
/// delivery of every event whose `n` is a multiple of 7.
struct LedgerConnector: ConnectorFactory {
    let ledger: WalTestLedger
    var gate: WalTestGate?
    var failFirst = false

    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "ledger", hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: LedgerSink(ledger: ledger, gate: gate, failFirst: failFirst))
    }

    struct LedgerSink: Sink {
        let ledger: WalTestLedger
        let gate: WalTestGate?
        let failFirst: Bool

        func run(_ input: SinkInput, _ context: SinkContext) async throws {
            if let gate {
                context.breaker.open()
                await gate.waitUntilOpen()
                context.breaker.close()
            }
            while let batch = await input.next() {
                var delivered: [Event] = []
                var failed: [Event] = []
                for event in batch {
                    let n = Int(event.payload["n"]?.intValue ?? -1)
                    if failFirst && n % 7 == 0 && ledger.failedOnce.withLock({ $0.insert(n).inserted }) {
                        failed.append(event)
                    } else {
                        delivered.append(event)
                        ledger.delivered.withLock { $0.append(n) }
                        ledger.meta.withLock { $0.append(event.meta) }
                    }
                }
                context.ack(delivered)
                if !failed.isEmpty { context.fail(failed, reason: "not now") }
            }
        }
    }
}

/// Opened once by the test; a sink waits for it.
final class WalTestGate: Sendable {
    private let open = Atomic<Bool>(false)

    func release() { open.store(true, ordering: .releasing) }

    func waitUntilOpen() async {
        while !open.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
