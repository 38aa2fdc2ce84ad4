import Logging
import PostgresNIO

/// Carrier webhooks on PostgreSQL. (Being written.)
struct PostgresInboundStore: InboundStore {
    let database: PostgresServiceDatabase

    func apply(_ webhook: InboundWebhook, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        completion(.failure(ServiceError.storage("not built yet")))
    }

    func storeOverdueParts(waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double) async throws
        -> Int
    { throw ServiceError.storage("not built yet") }
}
