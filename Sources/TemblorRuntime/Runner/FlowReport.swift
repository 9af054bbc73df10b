/// How a finite run ended: what the sources produced and what became of it.
public struct FlowReport: Sendable, Equatable, CustomStringConvertible {
    public var produced: Int
    public var acked: Int
    public var failed: Int

    public init(produced: Int, acked: Int, failed: Int) {
        self.produced = produced
        self.acked = acked
        self.failed = failed
    }

    /// Events neither delivered nor failed when the run ended (stopped before draining).
    public var pending: Int { produced - acked - failed }

    /// A run succeeded when everything produced was delivered.
    public var succeeded: Bool { failed == 0 && pending == 0 }

    public var description: String {
        "produced \(produced), delivered \(acked), failed \(failed)" + (pending > 0 ? ", undelivered \(pending)" : "")
    }
}
