import NIOCore
import Synchronization

/// Ends the wait of `POST /send` requests whose first attempt outlasts `sendWaitMs`: they are answered 202 and the
/// attempt goes on in the background.
///
/// Every wait has the same length, so deadlines come in the order they are added and one sweeping task, sleeping
/// until the oldest deadline, serves them all. A system timer per request would cost a timer thread's wake-up for
/// every request, 5 s later, even though nearly every attempt answers first (`bench/serve.sh`'s 512-connection
/// phase: 0.8 context switches per request and ~4% of the CPU). The sweeper runs only while waits are pending.
final class FirstAttemptDeadlines: Sendable {
    private struct State {
        var pending = CircularBuffer<(deadline: ContinuousClock.Instant, waiter: FirstAttemptWaiter)>()
        var sweeping = false
    }

    private let wait: Duration
    private let state = Mutex(State())

    init(waitMs: Int) {
        wait = .milliseconds(waitMs)
    }

    /// Waits not yet swept: answered ones leave when they reach the front (for the tests).
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Answers `waiter` (armed) with nil once the wait has passed, unless it was answered before.
    func add(_ waiter: FirstAttemptWaiter) {
        let deadline = ContinuousClock.now + wait
        let startSweeper = state.withLock { state -> Bool in
            // Answered waits at the front leave now rather than at their deadline: with a long `sendWaitMs` they
            // would otherwise pile up (10 minutes of requests at most).
            while let first = state.pending.first, first.waiter.isAnswered { state.pending.removeFirst() }
            state.pending.append((deadline, waiter))
            defer { state.sweeping = true }
            return !state.sweeping
        }
        if startSweeper { Task { await self.sweep() } }
    }

    /// Answers the waits that have passed, sleeping until the next deadline, until none is left.
    private func sweep() async {
        var expired: [FirstAttemptWaiter] = []
        while true {
            let now = ContinuousClock.now
            let next = state.withLock { state -> ContinuousClock.Instant? in
                while let first = state.pending.first, first.deadline <= now {
                    expired.append(state.pending.removeFirst().waiter)
                }
                if state.pending.isEmpty { state.sweeping = false }
                return state.pending.first?.deadline
            }
            for waiter in expired { waiter.resume(nil) }
            expired.removeAll(keepingCapacity: true)
            guard let next else { return }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }
}

/// Hands the first attempt's result to the waiting `POST /send`, or nil when its wait ran out first; only once.
final class FirstAttemptWaiter: Sendable {
    private let continuation = Mutex<CheckedContinuation<MessageRecord?, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<MessageRecord?, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// Whether it was answered (or never armed).
    var isAnswered: Bool { continuation.withLock { $0 == nil } }

    func resume(_ message: MessageRecord?) {
        let waiting = continuation.withLock { current -> CheckedContinuation<MessageRecord?, Never>? in
            defer { current = nil }
            return current
        }
        waiting?.resume(returning: message)
    }
}
