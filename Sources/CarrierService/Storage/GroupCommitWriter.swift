import Foundation
import GRDB
import GRDBSQLite

/// Runs write transactions from many concurrent requests as one SQLite transaction (group commit).
///
/// Each request's work runs in arrival order as if in its own transaction: one failing request rolls back only its
/// own changes and writes stay serialized exactly as with one transaction per request. Work runs straight in the
/// batch transaction first; when one request fails after changing rows, the batch is rolled back and run again with
/// each request in a savepoint (so work may run twice and must change nothing but the database). A refusal decided
/// before any change (an opted-out recipient) needs no savepoint, and the two statements per request that
/// savepoints cost are saved in the common case. Callers resume only after
/// the shared transaction has committed (durably: WAL with `synchronous=FULL`), so a reply is never sent for data
/// that could still be lost. What this saves is the fsync per request, which otherwise dominates.
///
/// The transactions run on a thread of their own with GRDB's blocking API: a request costs one hand-over to that
/// thread and one resume, instead of a task and an asynchronous database hop per batch.
final class GroupCommitWriter: Sendable {
    /// One queued unit of work: runs inside the batch transaction and returns how to resume its caller.
    struct Job: Sendable {
        /// Runs the work, in a savepoint when `isolated`; the returned closure resumes the caller after commit.
        /// Not isolated, it throws ``NeedsIsolation`` when the work failed and its changes cannot be left behind.
        let run: @Sendable (Database, _ isolated: Bool) throws -> @Sendable () -> Void
        /// Resumes the caller with an error when the batch transaction itself fails.
        let fail: @Sendable (any Error) -> Void
    }

    private let queue: CommitQueue
    private let thread: WorkerThread

    /// Called on the writer thread after each committed batch with its duration and size (for the metrics).
    typealias CommitObserver = @Sendable (_ duration: Duration, _ batchSize: Int) -> Void

    init(pool: DatabasePool, maxBatch: Int = 512, onCommit: CommitObserver? = nil) {
        queue = CommitQueue(maxBatch: maxBatch, onCommit: onCommit)
        let queue = queue
        thread = WorkerThread(name: "carrier-db-writer") { queue.run(pool: pool) }
    }

    /// Lets the thread finish what is queued and exit.
    deinit { queue.stop() }

    /// Commits what is queued, stops the thread and waits for it; later writes fail. Called at shutdown, so the
    /// database file is no longer written once the service has stopped.
    func finish() async {
        queue.stop()
        await thread.finished()
    }

    /// Runs `updates` in the next batch transaction and returns its result once that transaction has committed.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit(updates) { continuation.resume(with: $0) }
        }
    }

    /// Queues `updates` for the next batch transaction; `completion` runs on the writer thread once that transaction
    /// has committed (or failed). For callers that must not create a task per request (the webhook route).
    func submit<T: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        let job = Job(
            run: { db, isolated in
                let result = isolated ? Result { try Self.inSavepoint(db, updates) } : try Self.direct(db, updates)
                return { completion(result) }
            },
            fail: { completion(.failure($0)) })
        if !queue.add(job) { job.fail(DatabaseError(message: "the database writer has stopped")) }
    }
}

extension GroupCommitWriter {
    /// A request failed in a batch run without savepoints after changing rows (or with a database error): the
    /// batch must run again with each request in a savepoint.
    struct NeedsIsolation: Error {}

    /// Runs `updates` straight in the batch transaction. A failure that changed nothing (`total_changes` as before,
    /// still inside the transaction, not a database error) is that request's result; any other throws
    /// ``NeedsIsolation``.
    fileprivate static func direct<T>(_ db: Database, _ updates: (Database) throws -> T) throws -> Result<T, any Error>
    {
        let connection = db.sqliteConnection
        let changesBefore = sqlite3_total_changes64(connection)
        do {
            return .success(try updates(db))
        } catch {
            let untouched =
                !(error is DatabaseError) && sqlite3_total_changes64(connection) == changesBefore
                && sqlite3_get_autocommit(connection) == 0
            guard untouched else { throw NeedsIsolation() }
            return .failure(error)
        }
    }

    /// Runs `updates` in a savepoint of the batch transaction: released on success, rolled back on error.
    ///
    /// Prepared once per connection rather than through `Database.inSavepoint`, which parses its SQL on every call;
    /// this runs once per request.
    fileprivate static func inSavepoint<T>(_ db: Database, _ updates: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT job").execute()
        do {
            let value = try updates(db)
            try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
            return value
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT job").execute()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
            throw error
        }
    }
}

/// The jobs waiting for the writer thread, and that thread's loop.
///
/// `@unchecked Sendable`: `pending` and `stopping` are only touched under `condition`.
final class CommitQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [GroupCommitWriter.Job] = []
    private var stopping = false
    private let maxBatch: Int
    private let onCommit: GroupCommitWriter.CommitObserver?

    init(maxBatch: Int, onCommit: GroupCommitWriter.CommitObserver? = nil) {
        self.maxBatch = maxBatch
        self.onCommit = onCommit
    }

    /// Queues a job; false once the queue has stopped.
    func add(_ job: GroupCommitWriter.Job) -> Bool {
        condition.withLock {
            guard !stopping else { return false }
            pending.append(job)
            if pending.count == 1 { condition.signal() }
            return true
        }
    }

    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    /// The writer thread: commits batches until stopped and drained.
    func run(pool: DatabasePool) {
        while true {
            let batch: [GroupCommitWriter.Job] = condition.withLock {
                while pending.isEmpty && !stopping { condition.wait() }
                let taken = Array(pending.prefix(maxBatch))
                pending.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            do {
                let resumes: [@Sendable () -> Void]
                do {
                    resumes = try pool.write { db in try batch.map { try $0.run(db, false) } }
                } catch is GroupCommitWriter.NeedsIsolation {
                    resumes = try pool.write { db in try batch.map { try $0.run(db, true) } }
                }
                onCommit?(ContinuousClock.now - started, batch.count)
                for resume in resumes { resume() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
    }
}
