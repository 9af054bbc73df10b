#if canImport(Glibc)
import Glibc
#endif

/// What `ctx:now()` and `temblor.now()` read: the monotonic clock in a flow, a fake clock that
/// a test drives (`temblor test`), so that a plugin cannot tell the two apart.
public protocol LuaClock {
    /// Milliseconds since an arbitrary fixed point, with a fraction; never goes backwards.
    var milliseconds: Double { get }
}

/// `CLOCK_MONOTONIC`, which wall-clock changes cannot move.
public struct MonotonicLuaClock: LuaClock, Sendable {
    public init() {}

    public var milliseconds: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) * 1_000 + Double(time.tv_nsec) / 1_000_000
    }
}
