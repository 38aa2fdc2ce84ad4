import GRDB

/// ``RetentionStore`` on the service's SQLite file: each chunk is one write through the group-commit writer,
/// found through the tables' time indexes.
struct SQLiteRetentionStore: RetentionStore {
    let writer: GroupCommitWriter

    func deleteIdempotencyKeys(createdBefore before: Double, limit: Int) async throws -> Int {
        try await delete(
            "DELETE FROM idempotency_key WHERE rowid IN (SELECT rowid FROM idempotency_key WHERE created_at < ? LIMIT ?)",
            before: before, limit: limit)
    }

    func deletePendingStatuses(receivedBefore before: Double, limit: Int) async throws -> Int {
        try await delete(
            "DELETE FROM pending_status WHERE id IN (SELECT id FROM pending_status WHERE received_at < ? LIMIT ?)",
            before: before, limit: limit)
    }

    func deleteSeenWebhooks(receivedBefore before: Double, limit: Int) async throws -> Int {
        try await delete(
            "DELETE FROM inbound_seen WHERE rowid IN (SELECT rowid FROM inbound_seen WHERE received_at < ? LIMIT ?)",
            before: before, limit: limit)
    }

    private func delete(_ sql: String, before: Double, limit: Int) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: sql, arguments: [before, limit])
            return db.changesCount
        }
    }
}
