extension MessagingEngine {
    /// Returns one message of the account.
    /// - Throws: ``ServiceError`` `unknown-message`.
    func message(id: String, account: String) async throws(ServiceError) -> MessageRecord {
        let message = try await storage(writing: false) { try await queries.message(id: id, account: account) }
        guard let message else { throw .notFound("unknown-message", "no message '\(id)'") }
        return message
    }

    /// Returns one conversation of the account.
    /// - Throws: ``ServiceError`` `unknown-conversation`.
    func conversation(id: String, account: String) async throws(ServiceError) -> ConversationRecord {
        let conversation = try await storage(writing: false) {
            try await queries.conversation(id: id, account: account)
        }
        guard let conversation else { throw .notFound("unknown-conversation", "no conversation '\(id)'") }
        return conversation
    }

    /// Returns a conversation's messages, oldest first.
    /// - Throws: ``ServiceError`` `unknown-conversation`.
    func conversationMessages(id: String, account: String) async throws(ServiceError) -> [MessageRecord] {
        _ = try await conversation(id: id, account: account)
        return try await storage(writing: false) {
            try await queries.conversationMessages(conversationId: id, account: account)
        }
    }

    /// Returns inbound messages not yet confirmed, oldest first.
    func replies(account: String, limit: Int) async throws(ServiceError) -> [MessageRecord] {
        try await storage(writing: false) { try await queries.replies(account: account, limit: limit) }
    }

    /// Marks inbound messages as confirmed so that `GET /replies` no longer returns them.
    /// - Returns: How many messages changed.
    func confirmReplies(ids: [String], account: String) async throws(ServiceError) -> Int {
        try await storage(writing: true) { try await queries.confirmReplies(ids: ids, account: account) }
    }

    /// Returns the status callbacks still waiting for their message, oldest first (for debugging).
    func pendingStatuses(account: String) async throws(ServiceError) -> [PendingStatusRecord] {
        try await storage(writing: false) { try await queries.pendingStatuses(account: account) }
    }

    /// The redacted excerpt of what the carrier answered to a failed send (admin scope).
    /// - Throws: ``ServiceError`` `unknown-message`.
    func carrierReplyExcerpt(messageId: String, account: String) async throws(ServiceError) -> String? {
        let found = try await storage(writing: false) {
            try await queries.carrierReplyExcerpt(messageId: messageId, account: account)
        }
        guard let found else { throw .notFound("unknown-message", "no message '\(messageId)'") }
        return found
    }
}
