import CoreMetrics

/// The metrics backend of whatever runs now: a daemon runs many flows in one process, and gives
/// each its own factory (which adds its `flow` label) for the time its nodes are built and run.
/// Outside such a scope it is the process's bootstrapped `MetricsSystem.factory`.
public enum MetricsScope {
    @TaskLocal public static var factory: (any MetricsFactory)?

    /// The scope's factory, else the process's.
    public static var current: any MetricsFactory { factory ?? MetricsSystem.factory }
}
