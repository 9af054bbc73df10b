import TemblorLua

/// The source side of a Lua connector: resumes the plugin's `source` coroutine, sends what it
/// emits (a batch at a time, so the bus's backpressure reaches the script), sleeps when it
/// sleeps, and drives its `ctx:every` timers. After the coroutine ends, it stays open while the
/// sink side may still forward events from `on_event`, then calls `on_drain` and sends what it
/// emits (a final summary, say) before ending.
struct LuaSource: Source {
    let instance: LuaInstance
    /// Resumes granted to a source that keeps going after the flow asked it to stop.
    static let resumesAfterStop = 10

    func run(_ context: SourceContext) async throws {
        await instance.attach(context)
        var stream = try context.openStream()
        await drive(&stream, context)
        await instance.awaitSinkFinished()
        await stream.send(await instance.drain())
        await stream.end()
    }

    private func drive(_ stream: inout SourceStream, _ context: SourceContext) async {
        var sourceDone = !(await instance.info?.hooks.contains("source") ?? false)
        var needsStart = !sourceDone
        var stopping = false
        var resumesLeft = Self.resumesAfterStop
        var wake: ContinuousClock.Instant?
        while true {
            if Task.isCancelled && !stopping {
                stopping = true
                wake = nil
                await instance.stopRunning()
            }
            if !sourceDone && needsStart {
                if let delay = await instance.restartDelay(), !stopping { try? await Task.sleep(for: delay) }
                do {
                    try await instance.startSource()
                    needsStart = false
                } catch {
                    if case .restarting = error { continue }
                    sourceDone = true
                }
            }
            if !sourceDone, !needsStart, wake.map({ $0 <= .now }) ?? true {
                wake = nil
                let (step, emissions) = await instance.resumeSource()
                await stream.send(emissions)
                switch step {
                case .emitted, .waiting: break
                case .sleep(let milliseconds): wake = .now + .milliseconds(milliseconds)
                case .finished: sourceDone = true
                case .failed:
                    let given = await instance.isStopped
                    if stopping || Task.isCancelled || given { sourceDone = true } else { needsStart = true }
                }
                if stopping {
                    resumesLeft -= 1
                    if resumesLeft == 0 {
                        context.logger.warning("\(context.name): the source function keeps running after the flow stopped; it is abandoned")
                        sourceDone = true
                    }
                }
            }
            let (timerEmissions, nextTimer) = stopping ? ([], nil) : await instance.fireDueTimers()
            await stream.send(timerEmissions)
            await stream.flush()
            if sourceDone && (nextTimer == nil || stopping) { return }
            if needsStart || stopping { continue }
            let until = [wake, nextTimer].compactMap { $0 }.min()
            if let until {
                if until > .now { try? await Task.sleep(until: until) }
            } else if sourceDone {
                return
            }
        }
    }
}
