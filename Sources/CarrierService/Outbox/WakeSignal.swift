import Synchronization

/// Wakes the dispatcher's loop early: a job became due now, or a send finished and capacity is free.
///
/// Signals are not counted: any number before a wait wake that one wait.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            state.generation += 1
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a signal, or after `seconds`, whichever comes first (at once when one is pending).
    func wait(seconds: Double) async {
        let timer = Mutex<Task<Void, Never>?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.waiter = continuation
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            let task = Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000)))
                self?.timeOut(generation)
            }
            timer.withLock { $0 = task }
        }
        timer.withLock { $0?.cancel() }
    }

    private func timeOut(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.generation += 1
            return waiter
        }
        waiter?.resume()
    }
}
