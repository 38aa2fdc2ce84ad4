import GRDB

/// ``OperationsStore`` on the service's SQLite pool (reads only, so no writer).
struct SQLiteOperationsStore: OperationsStore {
    let database: DatabasePool

    func ping() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    func outboxState(now: Double) async throws -> OutboxState {
        try await database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT count(*), min(CASE WHEN due_at <= ? THEN due_at END) FROM outbox_job",
                arguments: [now])
            return OutboxState(depth: row?[0] ?? 0, oldestDueAt: row?[1])
        }
    }
}
