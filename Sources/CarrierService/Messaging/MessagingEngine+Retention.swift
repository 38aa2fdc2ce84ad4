import GRDB
import Logging

extension MessagingEngine {
    /// Rows deleted per write transaction, so that a large backlog never holds the writer for long.
    static let retentionChunk = 2_000

    /// Deletes idempotency keys older than `idempotencyKeyHours` and status callbacks that waited longer than
    /// `pendingStatusHours` for their message. Messages and conversations are never deleted.
    /// - Returns: How many keys and callbacks were deleted.
    func removeExpired(now: Double) async throws(ServiceError) -> (idempotencyKeys: Int, pendingStatuses: Int) {
        let keysBefore = now - configuration.idempotencyKeyHours * 3600
        let statusesBefore = now - configuration.pendingStatusHours * 3600
        let keys = try await deleteInChunks(
            sql: """
                DELETE FROM idempotency_key WHERE rowid IN (
                    SELECT rowid FROM idempotency_key WHERE created_at < ? LIMIT \(Self.retentionChunk))
                """, before: keysBefore)
        let statuses = try await deleteInChunks(
            sql: """
                DELETE FROM pending_status WHERE id IN (
                    SELECT id FROM pending_status WHERE received_at < ? LIMIT \(Self.retentionChunk))
                """, before: statusesBefore)
        return (keys, statuses)
    }

    /// Runs ``removeExpired(now:)`` now and then every `interval` until the task is cancelled.
    func removeExpiredPeriodically(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                let removed = try await removeExpired(now: Self.now())
                if removed.idempotencyKeys + removed.pendingStatuses > 0 {
                    logger.info(
                        "removed expired rows",
                        metadata: [
                            "idempotencyKeys": "\(removed.idempotencyKeys)",
                            "pendingStatuses": "\(removed.pendingStatuses)",
                        ])
                }
            } catch {
                logger.warning("removing expired rows failed", metadata: ["error": "\(error.code)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func deleteInChunks(sql: String, before cutoff: Double) async throws(ServiceError) -> Int {
        var total = 0
        while true {
            let deleted = try await write { db -> Int in
                try db.execute(sql: sql, arguments: [cutoff])
                return db.changesCount
            }
            total += deleted
            if deleted < Self.retentionChunk { return total }
        }
    }
}
