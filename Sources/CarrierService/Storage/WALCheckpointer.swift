import Foundation
import GRDB

/// Copies committed pages from the write-ahead log into the database file, on a thread and connection of its own.
///
/// SQLite normally checkpoints inside the commit that crosses `wal_autocheckpoint`, so every few commits one
/// request batch also waited for the copy and the database file's fsync. Here passive checkpoints run every
/// `interval` beside the writer (they never block it); the writer's own automatic checkpoint stays on, at a higher
/// threshold (``writerAutocheckpointPages``), as the bound on the log's size when this thread falls behind.
final class WALCheckpointer: Sendable {
    /// The writer connection's `wal_autocheckpoint`, in pages.
    static let writerAutocheckpointPages = 16_384

    private let state: CheckpointLoop
    private let thread: WorkerThread

    /// Opens a connection to `path` (already in WAL mode) and starts checkpointing.
    /// - Throws: GRDB errors when the file cannot be opened.
    init(path: String, interval: Duration = .milliseconds(100), logger: @escaping @Sendable (String) -> Void) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        state = CheckpointLoop(interval: interval)
        let state = state
        thread = WorkerThread(name: "carrier-db-checkpoint") { state.run(connection: connection, log: logger) }
    }

    deinit { state.stop() }

    /// Runs a last checkpoint and stops the thread; returns once it has.
    func finish() async {
        state.stop()
        await thread.finished()
    }
}

/// The checkpoint thread's loop and the flags that stop it.
///
/// `@unchecked Sendable`: `stopping` is only touched under `condition`.
final class CheckpointLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopping = false
    private let interval: TimeInterval

    init(interval: Duration) {
        let (seconds, attoseconds) = interval.components
        self.interval = Double(seconds) + Double(attoseconds) / 1e18
    }

    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    func run(connection: DatabaseQueue, log: @Sendable (String) -> Void) {
        var lastError: String?
        while true {
            let stop = condition.withLock {
                if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
                return stopping
            }
            do {
                try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
                lastError = nil
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // Another checkpoint (the writer's own, at its threshold) is running: nothing is wrong.
            } catch {
                // Logged once per distinct failure; the writer's own checkpoints keep the log bounded meanwhile.
                let text = "\(error)"
                if text != lastError { log("background WAL checkpoint failed: \(text)") }
                lastError = text
            }
            if stop { break }
        }
    }
}
