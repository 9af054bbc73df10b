/// Where a deployed flow stands, as the API reports it.
public enum FlowStatus: String, Sendable, Codable {
    case running
    /// Its sources hold their next batch; what was in flight drained.
    case paused
    /// Its sources are being stopped and what they produced drains.
    case draining
    /// It ended: its sources finished, or it was stopped, and everything drained.
    case stopped
    /// It could not run (a connector that cannot start, say); `FlowSummary.error` says why.
    case failed
}
