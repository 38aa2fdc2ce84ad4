/// The storage boundary of reading messages and conversations one at a time, the inbox's replies, and the
/// conversation changes an agent makes.
///
/// Every method is one transaction; value types in, value types out. Everything is scoped to an account: another
/// account's ids find nothing.
protocol MessageQueryStore: Sendable {
    /// The account's message with this id, or nil.
    func message(id: String, account: String) async throws -> MessageRecord?
    /// The account's conversation with this id, or nil.
    func conversation(id: String, account: String) async throws -> ConversationRecord?
    /// The messages of one of the account's conversations, oldest first.
    func conversationMessages(conversationId: String, account: String) async throws -> [MessageRecord]
    /// Applies `change` to the account's conversation and stores it; nil when there is none.
    func updateConversation(
        id: String, account: String, change: @escaping @Sendable (inout ConversationRecord) -> Void
    ) async throws -> ConversationRecord?
    /// Inbound messages not yet confirmed, oldest first.
    func replies(account: String, limit: Int) async throws -> [MessageRecord]
    /// Marks the account's unconfirmed inbound messages with these ids as confirmed; returns how many changed.
    func confirmReplies(ids: [String], account: String) async throws -> Int
    /// The account's status callbacks still waiting for their message, oldest first.
    func pendingStatuses(account: String) async throws -> [PendingStatusRecord]
    /// The redacted excerpt kept of a carrier's refusal: nil when the message is not the account's, `.some(nil)`
    /// when it has none.
    func carrierReplyExcerpt(messageId: String, account: String) async throws -> String??
}

/// The storage boundary of retention: deleting rows whose time is over, a bounded chunk per transaction so that a
/// large backlog never holds the writer for long. Each method returns how many rows it deleted (fewer than `limit`
/// means nothing is left).
protocol RetentionStore: Sendable {
    /// Idempotency keys first used before `before`.
    func deleteIdempotencyKeys(createdBefore before: Double, limit: Int) async throws -> Int
    /// Status callbacks that waited for their message since before `before`.
    func deletePendingStatuses(receivedBefore before: Double, limit: Int) async throws -> Int
    /// Hashes of webhooks without provider ids (the replay guard) received before `before`.
    func deleteSeenWebhooks(receivedBefore before: Double, limit: Int) async throws -> Int
}
