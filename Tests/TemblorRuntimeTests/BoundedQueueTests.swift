import Testing
import TemblorRuntime

@Suite struct BoundedQueueTests {
    @Test func tryReceiveTakesWhatIsQueuedInOrderWithoutWaiting() async {
        let queue = BoundedQueue<Int>(capacity: 4)
        queue.addProducer()
        queue.seal()
        #expect(queue.tryReceive() == nil)
        for value in 1...3 { await queue.send(value) }
        #expect(queue.tryReceive() == 1)
        #expect(queue.tryReceive() == 2)
        #expect(queue.tryReceive() == 3)
        #expect(queue.tryReceive() == nil)
        queue.finishProducer()
        #expect(await queue.receive() == nil)
    }

    @Test func tryReceiveMakesRoomForAProducerHeldByAFullQueue() async {
        let queue = BoundedQueue<Int>(capacity: 1)
        queue.addProducer()
        queue.seal()
        await queue.send(1)
        let producer = Task {
            await queue.send(2)
            queue.finishProducer()
        }
        // The producer is held until the first element leaves; then the second arrives.
        while queue.tryReceive() == nil { await Task.yield() }
        var second: Int?
        while second == nil { second = queue.tryReceive(); await Task.yield() }
        #expect(second == 2)
        await producer.value
        #expect(await queue.receive() == nil)
    }
}
