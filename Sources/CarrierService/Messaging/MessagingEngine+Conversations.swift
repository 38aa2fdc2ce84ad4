import Foundation

/// `PATCH /conversations/{id}`: any of `status` (open, assigned, closed, snoozed), `assignee` (null to clear),
/// `markRead` (true resets the unread count).
struct ConversationUpdate: Decodable, Sendable {
    var status: String?
    var assignee: String??
    var markRead: Bool?

    enum CodingKeys: String, CodingKey { case status, assignee, markRead }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        // Present-but-null clears the assignee; absent leaves it alone.
        assignee =
            c.contains(.assignee)
            ? .some(try c.decodeNil(forKey: .assignee) ? nil : try c.decode(String.self, forKey: .assignee)) : nil
        markRead = try c.decodeIfPresent(Bool.self, forKey: .markRead)
    }
}

extension MessagingEngine {
    static let conversationStatuses: Set<String> = ["open", "assigned", "closed", "snoozed"]

    /// Changes a conversation's status, assignee or unread count.
    /// - Throws: ``ServiceError`` `validation-failed` or `unknown-conversation`.
    func updateConversation(id: String, _ update: ConversationUpdate, account: String) async throws(ServiceError)
        -> ConversationRecord
    {
        if let status = update.status, !Self.conversationStatuses.contains(status) {
            throw .validation([
                .invalid("status", "invalid-status", "status must be one of open, assigned, closed, snoozed")
            ])
        }
        let now = Self.now()
        let updated = try await storage(writing: true) {
            try await queries.updateConversation(id: id, account: account) { conversation in
                if let status = update.status { conversation.status = status }
                if let assignee = update.assignee { conversation.assignee = assignee }
                if update.markRead == true { conversation.unreadCount = 0 }
                conversation.updatedAt = now
            }
        }
        guard let updated else { throw .notFound("unknown-conversation", "no conversation '\(id)'") }
        return updated
    }
}
