/// What the operator's endpoints read from storage: whether the database answers (`GET /ready`) and the state of
/// the outbox (`GET /metrics`). Each method is one read transaction.
protocol OperationsStore: Sendable {
    /// Runs a trivial query; throws when the database cannot be read.
    func ping() async throws

    /// The outbox at `now`: jobs waiting (leased or not) and the due time of the oldest one already due.
    func outboxState(now: Double) async throws -> OutboxState
}

/// The outbox as the metrics show it.
struct OutboxState: Sendable, Equatable {
    /// Jobs in the outbox, due or scheduled, leased or not.
    var depth: Int
    /// The earliest `due_at` at or before now, or nil when nothing is due.
    var oldestDueAt: Double?
}
