import Logging
import PostgresNIO

/// What `/ready` and `/metrics` read, on PostgreSQL: the outbox as every instance sees it (one shared table).
struct PostgresOperationsStore: OperationsStore {
    let database: PostgresServiceDatabase

    func ping() async throws { try await database.ping() }

    func outboxState(now: Double) async throws -> OutboxState {
        let logger = database.logger
        return try await database.read { connection in
            let rows = try await connection.query(
                "SELECT count(*), min(CASE WHEN due_at <= \(now) THEN due_at END) FROM outbox_job", logger: logger)
            var state = OutboxState(depth: 0, oldestDueAt: nil)
            for try await (depth, oldest) in rows.decode((Int, Double?).self) {
                state = OutboxState(depth: depth, oldestDueAt: oldest)
            }
            return state
        }
    }
}
