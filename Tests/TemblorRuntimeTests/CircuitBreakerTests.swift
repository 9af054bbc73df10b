import Synchronization
import Testing
import TemblorRuntime

/// Counts sources that got past the breaker.
private final class PassCount: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct CircuitBreakerTests {
    @Test func aClosedBreakerDoesNotHoldAnyone() async {
        let breaker = CircuitBreaker(sink: "out")
        #expect(!breaker.isOpen)
        await breaker.waitUntilClosed()
    }

    @Test func anOpenBreakerHoldsSourcesUntilItCloses() async throws {
        let breaker = CircuitBreaker(sink: "out")
        breaker.open()
        let passed = PassCount()
        let waiters = (0..<3).map { _ in
            Task {
                await breaker.waitUntilClosed()
                passed.value.add(1, ordering: .relaxed)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(passed.value.load(ordering: .relaxed) == 0)
        breaker.close()
        for waiter in waiters { await waiter.value }
        #expect(passed.value.load(ordering: .relaxed) == 3)
        #expect(!breaker.isOpen)
    }

    @Test func cancellingAHeldSourceReleasesItWithoutClosingTheBreaker() async {
        let breaker = CircuitBreaker(sink: "out")
        breaker.open()
        let held = Task { await breaker.waitUntilClosed() }
        held.cancel()
        await held.value
        #expect(breaker.isOpen)
    }
}
