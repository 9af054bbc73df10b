import Synchronization

/// Hands elements from one producer task to one consumer task without a buffer: `offer` waits
/// until the consumer took the element, which carries the consumer's backpressure to the
/// producer. Without an attached consumer, offers are dropped at once.
final class Rendezvous<Element: Sendable>: Sendable {
    private struct State {
        var attached = false
        var finished = false
        var consumer: CheckedContinuation<Element?, Never>?
        var parked: (element: Element, producer: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())

    /// A consumer starts taking; until then offers are dropped.
    func attach() {
        state.withLock { $0.attached = true }
    }

    /// The consumer stops taking: its pending `take` returns `nil`, a parked offer is dropped.
    func detach() {
        let (consumer, producer) = state.withLock { state in
            state.attached = false
            defer {
                state.consumer = nil
                state.parked = nil
            }
            return (state.consumer, state.parked?.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }

    /// No more elements will come: the consumer's `take` returns `nil` from now on.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
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
                state.parked = (element, producer)
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

    /// The next element; `nil` once finished, detached, or when the calling task is cancelled
    /// (which detaches).
    func take() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (consumer: CheckedContinuation<Element?, Never>) in
                let ready: (Element?, CheckedContinuation<Void, Never>?)? = state.withLock { state in
                    if let parked = state.parked {
                        state.parked = nil
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
