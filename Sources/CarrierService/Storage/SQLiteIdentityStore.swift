import GRDB

/// ``IdentityStore`` on the service's SQLite file: writes through the group-commit writer, reads through the pool.
struct SQLiteIdentityStore: IdentityStore {
    let database: DatabasePool
    let writer: GroupCommitWriter

    func optOuts(account: String, kind: OptOutKind?, after cursor: String?, limit: Int) async throws -> [OptOutRecord] {
        try await database.read { db in
            var sql = "SELECT kind, contact_address, source, created_at FROM contact_opt_out WHERE account_id = ?"
            var arguments: StatementArguments = [account]
            if let kind {
                sql += " AND kind = ?"
                arguments += [kind.rawValue]
            }
            if let cursor, let slash = cursor.firstIndex(of: "/") {
                sql += " AND (kind, contact_address) > (?, ?)"
                arguments += [String(cursor[..<slash]), String(cursor[cursor.index(after: slash)...])]
            }
            sql += " ORDER BY kind, contact_address LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let kind = OptOutKind(rawValue: row[0]) else { return nil }
                return OptOutRecord(kind: kind, address: row[1], source: row[2], createdAt: row[3])
            }
        }
    }

    func addOptOut(account: String, _ record: OptOutRecord) async throws -> OptOutRecord {
        try await writer.write { db in
            try Self.insertOptOut(
                db, account: account, kind: record.kind, address: record.address, source: record.source,
                now: record.createdAt)
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT source, created_at FROM contact_opt_out
                    WHERE account_id = ? AND kind = ? AND contact_address = ?
                    """, arguments: [account, record.kind.rawValue, record.address])
            var stored = record
            if let row {
                stored.source = row[0]
                stored.createdAt = row[1]
            }
            return stored
        }
    }

    func removeOptOut(account: String, kind: OptOutKind, address: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM contact_opt_out WHERE account_id = ? AND kind = ? AND contact_address = ?",
                arguments: [account, kind.rawValue, address])
            return db.changesCount > 0
        }
    }

    /// Adds an opt-out unless the contact is already on the list (the first one is kept).
    static func insertOptOut(
        _ db: Database, account: String, kind: OptOutKind, address: String, source: String, now: Double
    ) throws {
        var statement = try DirectStatement(
            db,
            sql: """
                INSERT INTO contact_opt_out (account_id, kind, contact_address, source, created_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, kind, contact_address) DO NOTHING
                """)
        statement.bind(account)
        statement.bind(kind.rawValue)
        statement.bind(address)
        statement.bind(source)
        statement.bind(now)
        try statement.execute()
    }

    /// Removes an opt-out (a START keyword).
    static func deleteOptOut(_ db: Database, account: String, kind: OptOutKind, address: String) throws {
        var statement = try DirectStatement(
            db, sql: "DELETE FROM contact_opt_out WHERE account_id = ? AND kind = ? AND contact_address = ?")
        statement.bind(account)
        statement.bind(kind.rawValue)
        statement.bind(address)
        try statement.execute()
    }

    /// Whether the contact is on the account's list for the kind.
    static func isOptedOut(_ db: Database, account: String, kind: OptOutKind, address: String) throws -> Bool {
        var statement = try DirectStatement(
            db, sql: "SELECT 1 FROM contact_opt_out WHERE account_id = ? AND kind = ? AND contact_address = ?")
        statement.bind(account)
        statement.bind(kind.rawValue)
        statement.bind(address)
        return try statement.hasRow()
    }

    func messages(account: String, filter: MessageFilter, after cursor: String?, limit: Int) async throws
        -> [MessageRecord]
    {
        try await database.read { db in
            var sql = "SELECT m.* FROM message m"
            var arguments: StatementArguments = []
            if let tag = filter.tag {
                sql += " JOIN message_tag t ON t.message_id = m.id AND t.account_id = m.account_id AND t.tag = ?"
                arguments += [tag]
            }
            sql += " WHERE m.account_id = ?"
            arguments += [account]
            let equalities: [(String, String?)] = [
                ("m.channel_id", filter.channelId), ("m.status", filter.status), ("m.direction", filter.direction),
            ]
            for (column, value) in equalities {
                guard let value else { continue }
                sql += " AND \(column) = ?"
                arguments += [value]
            }
            if let since = filter.since {
                sql += " AND m.created_at >= ?"
                arguments += [since]
            }
            if let until = filter.until {
                sql += " AND m.created_at < ?"
                arguments += [until]
            }
            if let cursor {
                sql += " AND m.id < ?"
                arguments += [cursor]
            }
            sql += " ORDER BY m.id DESC LIMIT ?"
            arguments += [limit]
            return try MessageRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    func conversations(account: String, filter: ConversationFilter, after cursor: String?, limit: Int) async throws
        -> [ConversationRecord]
    {
        try await database.read { db in
            var sql = "SELECT * FROM conversation WHERE account_id = ?"
            var arguments: StatementArguments = [account]
            let equalities: [(String, String?)] = [
                ("status", filter.status), ("assignee", filter.assignee), ("channel_id", filter.channelId),
                ("queue", filter.queue),
            ]
            for (column, value) in equalities {
                guard let value else { continue }
                sql += " AND \(column) = ?"
                arguments += [value]
            }
            if let cursor {
                sql += " AND id < ?"
                arguments += [cursor]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try ConversationRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }
}
