import Synchronization

/// Lets async code wait until a worker thread (the database writer, the checkpointer) has finished its work and
/// exited: the thread calls ``markFinished()`` last, ``wait()`` returns after that (at once if it already happened).
final class ThreadExit: Sendable {
    private let state = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func markFinished() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }
}
