import Logging
import PostgresNIO

/// The outbox on PostgreSQL. (Being written: every method answers `storage-error` until then.)
struct PostgresOutboxStore: OutboxStore {
    let database: PostgresServiceDatabase

    func accept(
        _ lookup: SendLookup, idempotency: IdempotencyBinding?,
        decide: @escaping @Sendable (SendFacts) throws -> OutboundDraft
    ) async throws -> AcceptOutcome { throw ServiceError.storage("not built yet") }

    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int, skippingChannels: [ChannelKey])
        async throws -> [ClaimedJob]
    { throw ServiceError.storage("not built yet") }

    func finish(
        _ job: ClaimedJob, attempt: AttemptRecord?, disposition: JobDisposition, carrierReplyExcerpt: String?,
        now: Double
    ) async throws -> MessageRecord { throw ServiceError.storage("not built yet") }

    func releaseLeases(owner: String?) async throws { throw ServiceError.storage("not built yet") }

    func nextDueAt(now: Double) async throws -> Double? { throw ServiceError.storage("not built yet") }

    func cancel(messageId: String, account: String, now: Double) async throws -> MessageRecord? {
        throw ServiceError.storage("not built yet")
    }

    func attempts(messageId: String, account: String) async throws -> [AttemptRecord] {
        throw ServiceError.storage("not built yet")
    }
}
