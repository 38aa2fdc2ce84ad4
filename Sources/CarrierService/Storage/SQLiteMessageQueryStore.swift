import GRDB

/// ``MessageQueryStore`` on the service's SQLite file: writes through the group-commit writer, reads through the
/// pool.
struct SQLiteMessageQueryStore: MessageQueryStore {
    let database: DatabasePool
    let writer: GroupCommitWriter

    func message(id: String, account: String) async throws -> MessageRecord? {
        try await database.read { db in
            try MessageRecord.fetchPrepared(db, id: id).flatMap { $0.accountId == account ? $0 : nil }
        }
    }

    func conversation(id: String, account: String) async throws -> ConversationRecord? {
        try await database.read { db in
            try ConversationRecord.filter(Column("id") == id && Column("account_id") == account).fetchOne(db)
        }
    }

    func conversationMessages(conversationId: String, account: String) async throws -> [MessageRecord] {
        try await database.read { db in
            try MessageRecord.fetchAll(db, sql: Self.conversationMessagesSQL, arguments: [conversationId, account])
        }
    }

    /// A conversation's messages, oldest first, from the index `message_conversation` in its order.
    static let conversationMessagesSQL = """
        SELECT * FROM message WHERE conversation_id = ? AND account_id = ? ORDER BY created_at, rowid
        """

    func updateConversation(
        id: String, account: String, change: @escaping @Sendable (inout ConversationRecord) -> Void
    ) async throws -> ConversationRecord? {
        try await writer.write { db -> ConversationRecord? in
            guard
                var conversation = try ConversationRecord.filter(Column("id") == id && Column("account_id") == account)
                    .fetchOne(db)
            else { return nil }
            change(&conversation)
            try conversation.update(db)
            return conversation
        }
    }

    func replies(account: String, limit: Int) async throws -> [MessageRecord] {
        try await database.read { db in
            try MessageRecord.fetchAll(db, sql: Self.repliesSQL, arguments: [account, limit])
        }
    }

    /// Unconfirmed replies, in the order of the partial index `message_replies`. Its conditions are written as
    /// literals: SQLite only uses a partial index whose WHERE the query's own terms imply.
    static let repliesSQL = """
        SELECT * FROM message
        WHERE account_id = ? AND direction = 'inbound' AND confirmed = 0
        ORDER BY created_at, rowid LIMIT ?
        """

    func confirmReplies(ids: [String], account: String) async throws -> Int {
        try await writer.write { db in
            var changed = 0
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE message SET confirmed = 1
                        WHERE id = ? AND account_id = ? AND direction = 'inbound' AND confirmed = 0
                        """, arguments: [id, account])
                changed += db.changesCount
            }
            return changed
        }
    }

    func pendingStatuses(account: String) async throws -> [PendingStatusRecord] {
        try await database.read { db in
            try PendingStatusRecord.filter(Column("account_id") == account).order(Column("id")).fetchAll(db)
        }
    }

    func carrierReplyExcerpt(messageId: String, account: String) async throws -> String?? {
        try await database.read { db -> String?? in
            try Row.fetchOne(
                db, sql: "SELECT carrier_reply_excerpt FROM message WHERE id = ? AND account_id = ?",
                arguments: [messageId, account]
            ).map { row -> String? in row[0] }
        }
    }
}
