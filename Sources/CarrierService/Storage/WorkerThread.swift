import Foundation
import Synchronization

/// A named thread that runs one loop (the database writer, the checkpointer), and a way for async code to wait
/// until that loop has returned.
final class WorkerThread: Sendable {
    private let state = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Starts `loop` on a new thread called `name`.
    init(name: String, loop: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            loop()
            finish()
        }
        thread.name = name
        thread.start()
    }

    /// Returns once the loop has returned (at once if it already has).
    func finished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
