import Logging
import PostgresNIO

/// What `/ready` and `/metrics` read, on PostgreSQL. (Being written.)
struct PostgresOperationsStore: OperationsStore {
    let database: PostgresServiceDatabase

    func ping() async throws { try await database.ping() }

    func outboxState(now: Double) async throws -> OutboxState { throw ServiceError.storage("not built yet") }
}
