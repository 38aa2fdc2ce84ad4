import Logging
import PostgresNIO

/// ``MessageQueryStore`` on PostgreSQL: single messages and conversations, the inbox's replies.
struct PostgresMessageQueryStore: MessageQueryStore {
    let database: PostgresServiceDatabase
    private var logger: Logger { database.logger }

    func message(id: String, account: String) async throws -> MessageRecord? {
        try await database.read { connection in
            try await PostgresRowDecoder.first(
                MessageRecord.self,
                try await connection.query(
                    "SELECT * FROM message WHERE id = \(id) AND account_id = \(account)", logger: logger))
        }
    }

    func conversation(id: String, account: String) async throws -> ConversationRecord? {
        try await database.read { connection in
            try await PostgresRowDecoder.first(
                ConversationRecord.self,
                try await connection.query(
                    "SELECT * FROM conversation WHERE id = \(id) AND account_id = \(account)", logger: logger))
        }
    }

    func conversationMessages(conversationId: String, account: String) async throws -> [MessageRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                MessageRecord.self,
                try await connection.query(
                    """
                    SELECT * FROM message WHERE conversation_id = \(conversationId) AND account_id = \(account)
                    ORDER BY created_at, id
                    """, logger: logger))
        }
    }

    func updateConversation(
        id: String, account: String, change: @escaping @Sendable (inout ConversationRecord) -> Void
    ) async throws -> ConversationRecord? {
        try await database.transaction { connection in
            guard
                var conversation = try await PostgresRowDecoder.first(
                    ConversationRecord.self,
                    try await connection.query(
                        "SELECT * FROM conversation WHERE id = \(id) AND account_id = \(account) FOR UPDATE",
                        logger: logger))
            else { return nil }
            change(&conversation)
            try await connection.query(
                try PostgresRowEncoder.update(conversation, in: "conversation", keys: ["id"]), logger: logger)
            return conversation
        }
    }

    func replies(account: String, limit: Int) async throws -> [MessageRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                MessageRecord.self,
                try await connection.query(
                    """
                    SELECT * FROM message WHERE account_id = \(account) AND direction = 'inbound' AND NOT confirmed
                    ORDER BY created_at, id LIMIT \(limit)
                    """, logger: logger))
        }
    }

    func confirmReplies(ids: [String], account: String) async throws -> Int {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE message SET confirmed = true
                WHERE id = ANY(\(ids)) AND account_id = \(account) AND direction = 'inbound' AND NOT confirmed
                RETURNING id
                """, logger: logger)
            var changed = 0
            for try await _ in rows { changed += 1 }
            return changed
        }
    }

    func pendingStatuses(account: String) async throws -> [PendingStatusRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                PendingStatusRecord.self,
                try await connection.query(
                    "SELECT * FROM pending_status WHERE account_id = \(account) ORDER BY id", logger: logger))
        }
    }

    func carrierReplyExcerpt(messageId: String, account: String) async throws -> String?? {
        try await database.read { connection in
            let rows = try await connection.query(
                "SELECT carrier_reply_excerpt FROM message WHERE id = \(messageId) AND account_id = \(account)",
                logger: logger)
            for try await excerpt in rows.decode(String?.self) { return .some(excerpt) }
            return nil
        }
    }
}
