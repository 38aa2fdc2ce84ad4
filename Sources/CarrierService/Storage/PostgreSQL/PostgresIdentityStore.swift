import Logging
import PostgresNIO

/// ``IdentityStore`` on PostgreSQL: the opt-out list and the cursor pages of the list queries.
struct PostgresIdentityStore: IdentityStore {
    let database: PostgresServiceDatabase
    private var logger: Logger { database.logger }

    func optOuts(account: String, kind: OptOutKind?, after cursor: String?, limit: Int) async throws -> [OptOutRecord] {
        var query = Filtered("SELECT kind, contact_address, source, created_at FROM contact_opt_out WHERE account_id = ", account)
        if let kind { query.and("kind = ", kind.rawValue) }
        if let cursor, let slash = cursor.firstIndex(of: "/") {
            query.sql += " AND (kind, contact_address) > ("
            query.bind(String(cursor[..<slash]))
            query.sql += ", "
            query.bind(String(cursor[cursor.index(after: slash)...]))
            query.sql += ")"
        }
        query.sql += " ORDER BY kind, contact_address LIMIT "
        query.bind(limit)
        return try await database.read { connection in
            var records: [OptOutRecord] = []
            let rows = try await connection.query(query.query, logger: logger)
            for try await (kind, address, source, createdAt) in rows.decode((String, String, String, Double).self) {
                guard let kind = OptOutKind(rawValue: kind) else { continue }
                records.append(OptOutRecord(kind: kind, address: address, source: source, createdAt: createdAt))
            }
            return records
        }
    }

    func addOptOut(account: String, _ record: OptOutRecord) async throws -> OptOutRecord {
        try await database.transaction { connection in
            try await Self.insertOptOut(
                connection, account: account, kind: record.kind, address: record.address, source: record.source,
                now: record.createdAt, logger: logger)
            let rows = try await connection.query(
                """
                SELECT source, created_at FROM contact_opt_out
                WHERE account_id = \(account) AND kind = \(record.kind.rawValue) AND contact_address = \(record.address)
                """, logger: logger)
            var stored = record
            for try await (source, createdAt) in rows.decode((String, Double).self) {
                stored.source = source
                stored.createdAt = createdAt
            }
            return stored
        }
    }

    func removeOptOut(account: String, kind: OptOutKind, address: String) async throws -> Bool {
        try await database.transaction { connection in
            try await Self.deleteOptOut(connection, account: account, kind: kind, address: address, logger: logger)
        }
    }

    /// Adds an opt-out unless the contact is already on the list (the first one is kept).
    static func insertOptOut(
        _ connection: PostgresConnection, account: String, kind: OptOutKind, address: String, source: String,
        now: Double, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO contact_opt_out (account_id, kind, contact_address, source, created_at)
            VALUES (\(account), \(kind.rawValue), \(address), \(source), \(now))
            ON CONFLICT (account_id, kind, contact_address) DO NOTHING
            """, logger: logger)
    }

    /// Removes an opt-out (a START keyword, or the API); false when there was none.
    @discardableResult
    static func deleteOptOut(
        _ connection: PostgresConnection, account: String, kind: OptOutKind, address: String, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            DELETE FROM contact_opt_out
            WHERE account_id = \(account) AND kind = \(kind.rawValue) AND contact_address = \(address) RETURNING 1
            """, logger: logger)
        var deleted = false
        for try await _ in rows { deleted = true }
        return deleted
    }

    /// Whether the contact is on the account's list for the kind.
    static func isOptedOut(
        _ connection: PostgresConnection, account: String, kind: OptOutKind, address: String, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT 1 FROM contact_opt_out
            WHERE account_id = \(account) AND kind = \(kind.rawValue) AND contact_address = \(address)
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func messages(account: String, filter: MessageFilter, after cursor: String?, limit: Int) async throws
        -> [MessageRecord]
    {
        var query = Filtered("SELECT m.* FROM message m")
        if let tag = filter.tag {
            query.sql += " JOIN message_tag t ON t.message_id = m.id AND t.account_id = m.account_id AND t.tag = "
            query.bind(tag)
        }
        query.sql += " WHERE m.account_id = "
        query.bind(account)
        let equalities: [(String, String?)] = [
            ("m.channel_id", filter.channelId), ("m.status", filter.status), ("m.direction", filter.direction),
        ]
        for (column, value) in equalities {
            if let value { query.and("\(column) = ", value) }
        }
        if let since = filter.since { query.and("m.created_at >= ", since) }
        if let until = filter.until { query.and("m.created_at < ", until) }
        if let cursor { query.and("m.id < ", cursor) }
        query.sql += " ORDER BY m.id DESC LIMIT "
        query.bind(limit)
        return try await database.read { connection in
            try await PostgresRowDecoder.decode(
                MessageRecord.self, try await connection.query(query.query, logger: logger))
        }
    }

    func conversations(account: String, filter: ConversationFilter, after cursor: String?, limit: Int) async throws
        -> [ConversationRecord]
    {
        var query = Filtered("SELECT * FROM conversation WHERE account_id = ", account)
        let equalities: [(String, String?)] = [
            ("status", filter.status), ("assignee", filter.assignee), ("channel_id", filter.channelId),
            ("queue", filter.queue),
        ]
        for (column, value) in equalities {
            if let value { query.and("\(column) = ", value) }
        }
        if let cursor { query.and("id < ", cursor) }
        query.sql += " ORDER BY id DESC LIMIT "
        query.bind(limit)
        return try await database.read { connection in
            try await PostgresRowDecoder.decode(
                ConversationRecord.self, try await connection.query(query.query, logger: logger))
        }
    }
}

/// A query whose conditions depend on the filter: SQL text with `$n` placeholders and their values.
struct Filtered {
    var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) { self.sql = sql }

    init(_ sql: String, _ value: some PostgresDynamicTypeEncodable) {
        self.sql = sql
        bind(value)
    }

    /// Appends `$n` for `value`.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) {
        binds.append(value)
        sql += "$\(binds.count)"
    }

    /// Appends ` AND {condition}$n`.
    mutating func and(_ condition: String, _ value: some PostgresDynamicTypeEncodable) {
        sql += " AND " + condition
        bind(value)
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
