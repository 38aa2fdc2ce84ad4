import Logging

extension MessagingEngine {
    /// Rows deleted per write transaction, so that a large backlog never holds the writer for long.
    static let retentionChunk = 2_000

    /// What one pass removed (and, for parts of long messages that never completed, stored).
    struct RetentionResult: Sendable, Equatable {
        var idempotencyKeys = 0
        var pendingStatuses = 0
        /// Long messages stored with parts missing (see ``InboundStore/storeOverdueParts(waitingBefore:assembledBefore:limit:now:)``).
        var incompleteMessages = 0

        var isEmpty: Bool { self == RetentionResult() }
    }

    /// Deletes idempotency keys older than `idempotencyKeyHours` and status callbacks that waited longer than
    /// `pendingStatusHours` for their message, and stores long messages whose missing parts stopped coming.
    /// Messages and conversations are never deleted.
    func removeExpired(now: Double) async throws(ServiceError) -> RetentionResult {
        let keysBefore = now - configuration.idempotencyKeyHours * 3600
        let statusesBefore = now - configuration.pendingStatusHours * 3600
        let chunk = Self.retentionChunk
        let retention = self.retention
        let keys = try await inChunks(of: chunk) {
            try await retention.deleteIdempotencyKeys(createdBefore: keysBefore, limit: chunk)
        }
        let statuses = try await inChunks(of: chunk) {
            try await retention.deletePendingStatuses(receivedBefore: statusesBefore, limit: chunk)
        }
        let seenBefore = now - Self.replayWindowSeconds
        _ = try await inChunks(of: chunk) {
            try await retention.deleteSeenWebhooks(receivedBefore: seenBefore, limit: chunk)
        }
        let inbound = inboundStore
        let incomplete = try await inChunks(of: chunk / 10) {
            try await inbound.storeOverdueParts(
                waitingBefore: now - Self.partWaitSeconds, assembledBefore: now - Self.assembledPartKeepSeconds,
                limit: chunk / 10, now: now)
        }
        return RetentionResult(idempotencyKeys: keys, pendingStatuses: statuses, incompleteMessages: incomplete)
    }

    /// Runs ``removeExpired(now:)`` now and then every `interval` until the task is cancelled.
    func removeExpiredPeriodically(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                let removed = try await removeExpired(now: Self.now())
                if !removed.isEmpty {
                    logger.info(
                        "removed expired rows",
                        metadata: [
                            "idempotencyKeys": "\(removed.idempotencyKeys)",
                            "pendingStatuses": "\(removed.pendingStatuses)",
                            "incompleteMessages": "\(removed.incompleteMessages)",
                        ])
                }
            } catch {
                logger.warning("removing expired rows failed", metadata: ["error": "\(error.code)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs `step` (one store call, a transaction that handles at most `size` rows) until a run handles fewer;
    /// returns how many rows were handled in all.
    private func inChunks(of size: Int, _ step: () async throws -> Int) async throws(ServiceError) -> Int {
        var total = 0
        while true {
            let handled = try await storage(writing: true, step)
            total += handled
            if handled < size { return total }
        }
    }
}
