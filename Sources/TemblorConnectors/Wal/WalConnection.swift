import Synchronization
import TemblorRuntime
import TemblorWAL

/// What a wal connector's two sides share: the open log, whether the sink side still takes
/// events, and the signal that wakes the source (records published, acks in, input ended).
final class WalConnection: ConnectorLifecycle {
    let log: WalLog
    let config: WalConfig
    let wake = WalSignal()
    /// What became of the records the source sent; acks keep coming after the source stopped.
    let delivery = Mutex(WalDelivery(watermark: 0))
    /// The newest records as events, for a source that keeps up.
    let tail = Mutex(WalTail())
    private let inputOpen = Atomic<Bool>(true)

    init(log: WalLog, config: WalConfig) {
        self.log = log
        self.config = config
    }

    /// True while events may still arrive on the sink side.
    var receiving: Bool { inputOpen.load(ordering: .acquiring) }

    /// The sink side ended (its upstream finished): the source ends once it replayed everything.
    func inputEnded() {
        inputOpen.store(false, ordering: .releasing)
        wake.fire()
    }

    func sidesInUse(source: Bool, sink: Bool) async {
        if !sink { inputEnded() }
    }

    func onStop() async {
        // Events sent before a stop were delivered while the flow drained: they are not replayed.
        let watermark = delivery.withLock { $0.watermark }
        try? log.acknowledge(through: watermark)
        try? log.persistAcknowledged()
        log.close()
    }
}
