import Synchronization

/// Hands elements from producer tasks to one consumer task without a buffer: `offer` waits
/// until the consumer took the element, which carries the consumer's backpressure to each
/// producer. Several producers may wait at once; they are served in the order they offered.
/// Without an attached consumer, offers are dropped at once.
final class Rendezvous<Element: Sendable>: Sendable {
    private struct Parked {
        var element: Element
        var producer: CheckedContinuation<Void, Never>
    }

    private struct State {
        var attached = false
        var finished = false
        var consumer: CheckedContinuation<Element?, Never>?
        var parked: [Parked] = []
    }

    private let state = Mutex(State())

    /// A consumer starts taking; until then offers are dropped.
    func attach() {
        state.withLock { $0.attached = true }
    }

    /// The consumer stops taking: its pending `take` returns `nil`, parked offers are dropped.
    func detach() {
        let (consumer, producers) = state.withLock { state in
            state.attached = false
            defer {
                state.consumer = nil
                state.parked = []
            }
            return (state.consumer, state.parked.map(\.producer))
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }

    /// No more elements will come: the consumer's `take` returns `nil` once it took the
    /// elements already offered.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
            guard state.parked.isEmpty else { return CheckedContinuation<Element?, Never>?.none }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Gives `element` to the consumer, waiting until it is taken (or dropped by `detach`).
    func offer(_ element: Element) async {
        await withCheckedContinuation { (producer: CheckedContinuation<Void, Never>) in
            let consumer: CheckedContinuation<Element?, Never>?? = state.withLock { state in
                guard state.attached, !state.finished else { return .some(nil) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .some(consumer)
                }
                state.parked.append(Parked(element: element, producer: producer))
                return .none
            }
            switch consumer {
            case .some(let waiting):
                waiting?.resume(returning: element)
                producer.resume()
            case .none:
                break
            }
        }
    }

    /// The next element; `nil` once finished and emptied, detached, or when the calling task
    /// is cancelled (which detaches).
    func take() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (consumer: CheckedContinuation<Element?, Never>) in
                let ready: (Element?, CheckedContinuation<Void, Never>?)? = state.withLock { state in
                    if !state.parked.isEmpty {
                        let parked = state.parked.removeFirst()
                        return (parked.element, parked.producer)
                    }
                    if state.finished || !state.attached { return (nil, nil) }
                    state.consumer = consumer
                    return nil
                }
                if let (element, producer) = ready {
                    producer?.resume()
                    consumer.resume(returning: element)
                }
            }
        } onCancel: {
            detach()
        }
    }
}
