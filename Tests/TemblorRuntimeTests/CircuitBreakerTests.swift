import Synchronization
import Testing
import TemblorRuntime

@Suite struct CircuitBreakerTests {
    @Test func aClosedBreakerDoesNotHoldAnyone() async {
        let breaker = CircuitBreaker(sink: "out")
        #expect(!breaker.isOpen)
        await breaker.waitUntilClosed()
    }

    @Test func anOpenBreakerHoldsSourcesUntilItCloses() async throws {
        let breaker = CircuitBreaker(sink: "out")
        breaker.open()
        let passed = Atomic<Int>(0)
        let waiters = (0..<3).map { _ in
            Task {
                await breaker.waitUntilClosed()
                passed.add(1, ordering: .relaxed)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(passed.load(ordering: .relaxed) == 0)
        breaker.close()
        for waiter in waiters { await waiter.value }
        #expect(passed.load(ordering: .relaxed) == 3)
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
