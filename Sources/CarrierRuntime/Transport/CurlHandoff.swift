import Synchronization

/// Orders one request's hand-off to the ``CurlMultiLoop`` against its task's cancellation.
///
/// A cancellation that came before the job reached the loop's queue used to be handed to the loop anyway, which
/// found the id nowhere, forgot it, and then ran the request to its end once it arrived. Now a cancellation either
/// comes first (the job is never queued) or finds the job queued (the loop drops or aborts it).
final class CurlHandoff: Sendable {
    private enum State {
        case waiting
        case queued
        case cancelled
    }

    private let state = Mutex(State.waiting)

    /// Runs `enqueue` unless the task was cancelled first.
    /// - Returns: false when cancelled (nothing was queued).
    func enqueue(_ enqueue: () -> Void) -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            enqueue()
            state = .queued
            return true
        }
    }

    /// Records the cancellation.
    /// - Returns: true when the job is already queued, so the loop must be told.
    func cancel() -> Bool {
        state.withLock { state in
            if state == .queued { return true }
            state = .cancelled
            return false
        }
    }
}
