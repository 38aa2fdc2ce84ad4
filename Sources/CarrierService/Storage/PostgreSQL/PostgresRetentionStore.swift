import Logging
import PostgresNIO

/// Retention on PostgreSQL: each chunk is one statement deleting at most `limit` rows found through the tables'
/// time indexes. Rows another instance is deleting at the same moment are skipped, so instances running retention
/// together split the work instead of waiting on each other.
struct PostgresRetentionStore: RetentionStore {
    let database: PostgresServiceDatabase

    func deleteIdempotencyKeys(createdBefore before: Double, limit: Int) async throws -> Int {
        try await count(
            """
            WITH gone AS (
                DELETE FROM idempotency_key WHERE ctid IN (
                    SELECT ctid FROM idempotency_key WHERE created_at < \(before) LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*) FROM gone
            """)
    }

    func deletePendingStatuses(receivedBefore before: Double, limit: Int) async throws -> Int {
        try await count(
            """
            WITH gone AS (
                DELETE FROM pending_status WHERE id IN (
                    SELECT id FROM pending_status WHERE received_at < \(before) LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*) FROM gone
            """)
    }

    func deleteSeenWebhooks(receivedBefore before: Double, limit: Int) async throws -> Int {
        try await count(
            """
            WITH gone AS (
                DELETE FROM inbound_seen WHERE ctid IN (
                    SELECT ctid FROM inbound_seen WHERE received_at < \(before) LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*) FROM gone
            """)
    }

    /// Runs a `WITH gone AS (DELETE ...) SELECT count(*)` statement on its own (autocommit) and returns the count.
    private func count(_ query: PostgresQuery) async throws -> Int {
        let logger = database.logger
        return try await database.read { connection in
            var deleted = 0
            for try await value in try await connection.query(query, logger: logger).decode(Int.self) {
                deleted = value
            }
            return deleted
        }
    }
}
