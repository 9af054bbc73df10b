import TemblorLua
import TemblorValue

extension PluginUnderTest {
    /// How far a `run_source` without `events` or `ms` may take the fake clock before it is
    /// taken for a source that never ends.
    static let longestRunMs = 86_400_000.0

    /// `p:run_source{events, ms}`: runs the source until it returns, emitted `events`, or `ms`
    /// passed on the fake clock; returns how many events it emitted.
    func runSource(events: Int?, ms: Int?) throws(PluginTestError) -> Int {
        if let failure = start() { throw PluginTestError(failure) }
        guard plugin.hasSource else { throw PluginTestError("the plugin has no source function to run") }
        if !sourceActive {
            do throws(LuaError) { try plugin.startSource() } catch { throw PluginTestError("starting the source: \(error)") }
            sourceActive = true
            sourceWake = nil
            sourceAnswer = nil
        }
        plugin.emitBatch = events == nil ? 256 : 1
        defer { plugin.emitBatch = 256 }
        let start = sourceProduced
        let began = clock.milliseconds
        let deadline = clock.milliseconds + (ms.map(Double.init) ?? Self.longestRunMs)
        run(until: deadline, events: events.map { start + $0 }, source: true, endsWithSource: true)
        let produced = sourceProduced - start
        if let events, produced < events, sourceActive {
            throw PluginTestError(
                "the source emitted \(produced) of the \(events) events asked for and was still running after \(Int(clock.milliseconds - began)) ms of fake time")
        }
        if events == nil, ms == nil, sourceActive {
            throw PluginTestError(
                "the source was still running after 24 hours of fake time: give run_source { events = N } or { ms = T } for a source that does not end by itself")
        }
        return produced
    }

    /// `p:advance(ms)`: the timers fire at their times, and a running source sleeping until
    /// then is resumed.
    func advance(_ ms: Int) throws(PluginTestError) {
        if let failure = start() { throw PluginTestError(failure) }
        run(until: clock.milliseconds + Double(ms), events: nil, source: sourceActive)
    }

    /// Moves the fake clock up to `deadline`, running whatever is due in time order: the source
    /// when it is ready (when `source`), timers at their due times. Stops early once the
    /// source's events reach `events` (counted as `sourceProduced`), or, with `endsWithSource`,
    /// once the source returned or failed (the clock stays where the source left it).
    func run(until deadline: Double, events: Int?, source: Bool, endsWithSource: Bool = false) {
        while true {
            if let events, sourceProduced >= events { return }
            if endsWithSource, !sourceActive { return }
            if source, sourceActive, sourceWake == nil {
                stepSource()
                continue
            }
            let wake = source && sourceActive ? sourceWake : nil
            let timer = timerDue.min { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
            let next = [wake, timer?.value].compactMap { $0 }.min()
            guard let next, next <= deadline else {
                clock.move(to: deadline)
                return
            }
            clock.move(to: next)
            if let timer, timer.value <= (wake ?? .infinity) {
                fire(timer.key)
            } else {
                sourceWake = nil
            }
        }
    }

    /// One resume of the source coroutine, with what it asked for handled.
    private func stepSource() {
        let before = emitted.count
        defer { sourceProduced += emitted.count - before }
        let step: LuaSourceStep
        if let answer = sourceAnswer {
            sourceAnswer = nil
            step = plugin.resumeSource(with: answer)
        } else {
            step = plugin.resumeSource()
        }
        switch step {
        case .emitted:
            settle(keepingEmissions: true, from: 0)
        case .sleep(let milliseconds):
            settle(keepingEmissions: true, from: 0)
            sourceWake = clock.milliseconds + Double(milliseconds)
        case .waiting(let request):
            settle(keepingEmissions: true, from: 0)
            sourceAnswer = perform(request)
            if let waited {
                // Nothing came within the timeout: the source resumes once it has passed.
                sourceWake = clock.milliseconds + waited
                self.waited = nil
            }
        case .finished:
            settle(keepingEmissions: true, from: 0)
            sourceActive = false
        case .failed(let error):
            settle(keepingEmissions: true, from: 0)
            sourceActive = false
            record("source: \(error)")
            restartIfOverLimit(error)
        }
    }

    /// Calls the timer and schedules its next call; one that fell behind skips what it missed.
    private func fire(_ id: Int) {
        guard let timer = plugin.timers.first(where: { $0.id == id }) else {
            timerDue[id] = nil
            return
        }
        let mark = plugin.emissions.count
        let failure: LuaError?
        if waits {
            if case .failure(let error) = drive(plugin.beginTimer(id)) { failure = error } else { failure = nil }
        } else {
            do throws(LuaError) { try plugin.fireTimer(id); failure = nil } catch { failure = error }
        }
        settle(keepingEmissions: failure == nil, from: mark)
        if let failure {
            record("a ctx:every function: \(failure)")
            restartIfOverLimit(failure)
        }
        guard timerDue[id] != nil else { return }
        var due = (timerDue[id] ?? clock.milliseconds) + Double(timer.intervalMs)
        while due <= clock.milliseconds { due += Double(timer.intervalMs) }
        timerDue[id] = due
    }
}
