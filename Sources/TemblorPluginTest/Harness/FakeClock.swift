import TemblorLua

/// The clock of a plugin under test: it moves only when the test (or a pause of the plugin)
/// moves it, so that sleeps, timers and timeouts take no real time and always line up.
final class FakeClock: LuaClock {
    /// Milliseconds since the case began.
    var milliseconds: Double = 0

    /// Moves the clock to `time` unless it is already past it (the clock never goes back).
    func move(to time: Double) {
        if time > milliseconds { milliseconds = time }
    }
}
