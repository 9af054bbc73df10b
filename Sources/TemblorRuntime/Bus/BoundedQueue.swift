import DequeModule
import Synchronization

/// A bounded queue between runtime nodes: many producers, one consumer. A full queue suspends
/// its producers (backpressure), so a fast source never grows memory without bound; the queue
/// ends for the consumer once every registered producer has finished and it is drained.
public final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: Deque<Element> = []
        var producers = 0
        var finishedProducers = 0
        var sealed = false
        var consumer: CheckedContinuation<Element?, Never>?
        var waitingProducers: Deque<CheckedContinuation<Void, Never>> = []

        var isEnded: Bool { sealed && finishedProducers >= producers }
    }

    private enum SendStep {
        case delivered(CheckedContinuation<Element?, Never>?)
        case full
    }

    private enum ReceiveStep {
        case element(Element, CheckedContinuation<Void, Never>?)
        case ended
        case wait
    }

    /// How many elements (batches) the queue holds before producers wait.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for at least one element")
        self.capacity = capacity
    }

    /// Registers one more producer; call before the consumer can see the queue end.
    public func addProducer() {
        state.withLock { $0.producers += 1 }
    }

    /// Declares that no producers will be added after those registered so far.
    public func seal() {
        let consumer: CheckedContinuation<Element?, Never>? = state.withLock { state in
            state.sealed = true
            guard state.isEnded, state.buffer.isEmpty else { return nil }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// A producer is done; when the last one is, the consumer sees the end after the buffer drains.
    public func finishProducer() {
        let consumer: CheckedContinuation<Element?, Never>? = state.withLock { state in
            state.finishedProducers += 1
            guard state.isEnded, state.buffer.isEmpty else { return nil }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Enqueues `element`, waiting while the queue is full.
    public func send(_ element: Element) async {
        while true {
            let step: SendStep = state.withLock { state in
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .delivered(consumer)
                }
                guard state.buffer.count < capacity else { return .full }
                state.buffer.append(element)
                return .delivered(nil)
            }
            switch step {
            case .delivered(let consumer?):
                consumer.resume(returning: element)
                return
            case .delivered(nil):
                return
            case .full:
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = state.withLock { state in
                        if state.buffer.count < capacity { return true }
                        state.waitingProducers.append(waiter)
                        return false
                    }
                    if resumeNow { waiter.resume() }
                }
            }
        }
    }

    /// Enqueues `element` only if there is room right now (timers use this: a full queue means
    /// the consumer is busy and will look at the time anyway).
    @discardableResult
    public func trySend(_ element: Element) -> Bool {
        let result: (Bool, CheckedContinuation<Element?, Never>?) = state.withLock { state in
            if let consumer = state.consumer {
                state.consumer = nil
                return (true, consumer)
            }
            guard state.buffer.count < capacity, !state.isEnded else { return (false, nil) }
            state.buffer.append(element)
            return (true, nil)
        }
        result.1?.resume(returning: element)
        return result.0
    }

    /// The next element, or `nil` once every producer finished and the queue is drained.
    public func receive() async -> Element? {
        let step: ReceiveStep = state.withLock { state in
            if let element = state.buffer.popFirst() {
                return .element(element, state.waitingProducers.popFirst())
            }
            return state.isEnded ? .ended : .wait
        }
        switch step {
        case .element(let element, let producer):
            producer?.resume()
            return element
        case .ended:
            return nil
        case .wait:
            return await withCheckedContinuation { (consumer: CheckedContinuation<Element?, Never>) in
                let immediate: ReceiveStep = state.withLock { state in
                    if let element = state.buffer.popFirst() {
                        return .element(element, state.waitingProducers.popFirst())
                    }
                    if state.isEnded { return .ended }
                    state.consumer = consumer
                    return .wait
                }
                switch immediate {
                case .element(let element, let producer):
                    producer?.resume()
                    consumer.resume(returning: element)
                case .ended:
                    consumer.resume(returning: nil)
                case .wait:
                    break
                }
            }
        }
    }

    /// The next element if one is queued right now, without waiting (a consumer that writes in
    /// groups, such as a log that syncs once per write, takes what has piled up meanwhile).
    public func tryReceive() -> Element? {
        let step: (Element, CheckedContinuation<Void, Never>?)? = state.withLock { state in
            guard let element = state.buffer.popFirst() else { return nil }
            return (element, state.waitingProducers.popFirst())
        }
        guard let (element, producer) = step else { return nil }
        producer?.resume()
        return element
    }

    /// Elements waiting right now (for metrics and tests).
    public var count: Int { state.withLock { $0.buffer.count } }
}
