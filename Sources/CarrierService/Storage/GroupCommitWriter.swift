import Foundation
import GRDB
import Synchronization

/// Runs write transactions from many concurrent requests as one SQLite transaction (group commit).
///
/// Each request's work runs in its own savepoint, in arrival order, so one failing request rolls back only its
/// own changes and writes stay serialized exactly as with one transaction per request. Callers resume only after
/// the shared transaction has committed (durably: WAL with `synchronous=FULL`), so a reply is never sent for data
/// that could still be lost. What this saves is the fsync per request, which otherwise dominates.
final class GroupCommitWriter: Sendable {
    /// One queued unit of work: runs inside the batch transaction and returns how to resume its caller.
    private struct Job: Sendable {
        /// Runs the work in a savepoint; the returned closure resumes the caller after commit.
        let run: @Sendable (Database) -> @Sendable () -> Void
        /// Resumes the caller with an error when the batch transaction itself fails.
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// The most requests one transaction carries.
    private let maxBatch: Int

    init(pool: DatabasePool, maxBatch: Int = 512) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `updates` in the next batch transaction and returns its result once that transaction has committed.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try updates(db)
                            return .commit
                        }
                        if let value {
                            result = .success(value)
                        } else {
                            result = .failure(DatabaseError(message: "no result"))
                        }
                    } catch {
                        result = .failure(error)
                    }
                    return { continuation.resume(with: result) }
                },
                fail: { continuation.resume(throwing: $0) })
            let startDraining = state.withLock { s -> Bool in
                s.pending.append(job)
                if s.draining { return false }
                s.draining = true
                return true
            }
            if startDraining { Task { await self.drain() } }
        }
    }

    /// Commits batches until nothing is pending.
    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Job] in
                let n = min(s.pending.count, maxBatch)
                let taken = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                if taken.isEmpty { s.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                let resumes = try await pool.write { db in batch.map { $0.run(db) } }
                for resume in resumes { resume() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
    }
}
