import GRDB

extension MessagingEngine {
    /// Returns one message of the account.
    /// - Throws: ``ServiceError`` `unknown-message`.
    func message(id: String, account: String) async throws(ServiceError) -> MessageRecord {
        let message = try await read { db in
            try MessageRecord.filter(Column("id") == id && Column("account_id") == account).fetchOne(db)
        }
        guard let message else { throw .notFound("unknown-message", "no message '\(id)'") }
        return message
    }

    /// Returns one conversation of the account.
    /// - Throws: ``ServiceError`` `unknown-conversation`.
    func conversation(id: String, account: String) async throws(ServiceError) -> ConversationRecord {
        let conversation = try await read { db in
            try ConversationRecord.filter(Column("id") == id && Column("account_id") == account).fetchOne(db)
        }
        guard let conversation else { throw .notFound("unknown-conversation", "no conversation '\(id)'") }
        return conversation
    }

    /// Returns a conversation's messages, oldest first.
    /// - Throws: ``ServiceError`` `unknown-conversation`.
    func conversationMessages(id: String, account: String) async throws(ServiceError) -> [MessageRecord] {
        _ = try await conversation(id: id, account: account)
        return try await read { db in
            try MessageRecord.filter(Column("conversation_id") == id && Column("account_id") == account)
                .order(Column("created_at"), Column.rowID).fetchAll(db)
        }
    }

    /// Returns inbound messages not yet confirmed, oldest first.
    func replies(account: String, limit: Int) async throws(ServiceError) -> [MessageRecord] {
        try await read { db in
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

    /// Marks inbound messages as confirmed so that `GET /replies` no longer returns them.
    /// - Returns: How many messages changed.
    func confirmReplies(ids: [String], account: String) async throws(ServiceError) -> Int {
        try await write { db in
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

    /// Returns the status callbacks still waiting for their message, oldest first (for debugging).
    func pendingStatuses(account: String) async throws(ServiceError) -> [PendingStatusRecord] {
        try await read { db in
            try PendingStatusRecord.filter(Column("account_id") == account).order(Column("id")).fetchAll(db)
        }
    }
}

extension MessagingEngine {
    /// Keeps the redacted excerpt of a carrier's refusal beside the message, for admins.
    func storeCarrierReplyExcerpt(_ excerpt: String, messageId: String) async throws(ServiceError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE message SET carrier_reply_excerpt = ? WHERE id = ?", arguments: [excerpt, messageId])
        }
    }

    /// The redacted excerpt of what the carrier answered to a failed send (admin scope).
    /// - Throws: ``ServiceError`` `unknown-message`.
    func carrierReplyExcerpt(messageId: String, account: String) async throws(ServiceError) -> String? {
        let found = try await read { db -> String?? in
            try Row.fetchOne(
                db, sql: "SELECT carrier_reply_excerpt FROM message WHERE id = ? AND account_id = ?",
                arguments: [messageId, account]
            ).map { row -> String? in row[0] }
        }
        guard let found else { throw .notFound("unknown-message", "no message '\(messageId)'") }
        return found
    }
}
