import Logging
import PostgresNIO

/// Retention on PostgreSQL. (Being written.)
struct PostgresRetentionStore: RetentionStore {
    let database: PostgresServiceDatabase

    func deleteIdempotencyKeys(createdBefore before: Double, limit: Int) async throws -> Int {
        throw ServiceError.storage("not built yet")
    }
    func deletePendingStatuses(receivedBefore before: Double, limit: Int) async throws -> Int {
        throw ServiceError.storage("not built yet")
    }
    func deleteSeenWebhooks(receivedBefore before: Double, limit: Int) async throws -> Int {
        throw ServiceError.storage("not built yet")
    }
}
