import CarrierRuntime

/// The storage boundary of carrier webhooks: received messages (with their opt-out keywords, conversations and
/// parts of long messages), delivery statuses (applied, or kept pending until their message is known) and the
/// replay guard.
///
/// The rules are ``MessagingEngine``'s pure functions (``MessagingEngine/planReceived(_:channel:alreadyStored:now:note:)``,
/// ``MessagingEngine/planStatus(_:found:account:channelId:now:)``, ``MessagingEngine/assembled(_:total:from:carrier:)``,
/// ``MessagingEngine/isReplay(seenAt:now:)``); a store reads the facts they take, in the webhook's transaction,
/// and writes what they decide, with the customer webhook events that follow.
protocol InboundStore: Sendable {
    /// Applies one webhook in one transaction: nothing when it is a replay (``InboundWebhook/requestHash``), else
    /// each event in order. `completion` runs once that transaction committed or failed; it may run on the
    /// backend's own thread, and no task is created for it (the webhook route's hot path).
    func apply(_ webhook: InboundWebhook, completion: @escaping @Sendable (Result<Void, any Error>) -> Void)

    /// Stores, as one message each (marked `parts-missing`), up to `limit` sets of parts whose first waiting part
    /// arrived before `waitingBefore`, and deletes up to `10 * limit` assembled parts from before
    /// `assembledBefore`.
    /// - Returns: How many incomplete messages were stored.
    func storeOverdueParts(waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double) async throws
        -> Int
}

extension InboundStore {
    /// ``apply(_:completion:)`` for callers in a task.
    func apply(_ webhook: InboundWebhook) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            apply(webhook) { continuation.resume(with: $0) }
        }
    }
}

/// One verified, normalized webhook to store.
struct InboundWebhook: Sendable {
    var channel: ChannelRecord
    var events: [NormalizedEvent]
    /// A hash of the request when its events carry no provider id: the same request again within the replay window
    /// is not applied again.
    var requestHash: String?
    var now: Double
}
