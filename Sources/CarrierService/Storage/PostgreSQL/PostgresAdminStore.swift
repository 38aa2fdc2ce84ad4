import Logging
import PostgresNIO

/// ``AdminStore`` on PostgreSQL. Uniqueness is the database's: a write that would break it is answered as an
/// outcome, so two instances loading the same configuration file at once both succeed and two API requests racing
/// for one id cannot both win.
struct PostgresAdminStore: AdminStore {
    let database: PostgresServiceDatabase
    private var logger: Logger { database.logger }

    func upsertAPIKeys(_ keys: [StoredAPIKey], now: Double) async throws {
        try await database.transaction { connection in
            for key in keys {
                try await connection.query(
                    """
                    INSERT INTO api_key (key_hash, account_id, scopes, created_at)
                    VALUES (\(key.hash), \(key.account), \(key.scopes), \(now))
                    ON CONFLICT (key_hash) DO UPDATE SET account_id = EXCLUDED.account_id, scopes = EXCLUDED.scopes
                    """, logger: logger)
            }
        }
    }

    func apiKey(hash: String) async throws -> StoredAPIKey? {
        try await database.read { connection in
            let rows = try await connection.query(
                "SELECT account_id, scopes FROM api_key WHERE key_hash = \(hash)", logger: logger)
            for try await (account, scopes) in rows.decode((String, String).self) {
                return StoredAPIKey(hash: hash, account: account, scopes: scopes)
            }
            return nil
        }
    }

    func createChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome {
        try await database.transaction { connection in
            let inserted = try await connection.query(
                try PostgresRowEncoder.insert(record, into: "messaging_channel", suffix: "ON CONFLICT DO NOTHING RETURNING id"),
                logger: logger)
            for try await _ in inserted {
                try await PostgresServiceDatabase.notifyChannelChanged(
                    connection, account: record.accountId, id: record.id, logger: logger)
                return .stored
            }
            let existing = try await connection.query(
                "SELECT 1 FROM messaging_channel WHERE account_id = \(record.accountId) AND id = \(record.id)",
                logger: logger)
            for try await _ in existing { return .idTaken }
            return .addressTaken
        }
    }

    func upsertChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome {
        do {
            return try await database.transaction { connection in
                try await connection.query(
                    try PostgresRowEncoder.upsert(
                        record, into: "messaging_channel", conflict: ["account_id", "id"], keeping: ["created_at"]),
                    logger: logger)
                try await PostgresServiceDatabase.notifyChannelChanged(
                    connection, account: record.accountId, id: record.id, logger: logger)
                return .stored
            }
        } catch where PostgresServiceDatabase.isUniqueViolation(error) {
            return .addressTaken
        }
    }

    func updateChannel(_ record: ChannelRecord, ifUpdatedAt: Double) async throws -> ChannelWriteOutcome {
        do {
            return try await database.transaction { connection -> ChannelWriteOutcome in
                // The row lock holds a concurrent update or delete until this transaction ends.
                let current = try await PostgresRowDecoder.first(
                    ChannelRecord.self,
                    try await connection.query(
                        """
                        SELECT * FROM messaging_channel WHERE account_id = \(record.accountId) AND id = \(record.id)
                        FOR UPDATE
                        """, logger: logger))
                guard let current else { return .missing }
                guard current.updatedAt == ifUpdatedAt else { return .changedMeanwhile }
                var updated = record
                updated.createdAt = current.createdAt
                try await connection.query(
                    try PostgresRowEncoder.update(updated, in: "messaging_channel", keys: ["account_id", "id"]),
                    logger: logger)
                try await PostgresServiceDatabase.notifyChannelChanged(
                    connection, account: record.accountId, id: record.id, logger: logger)
                return .stored
            }
        } catch where PostgresServiceDatabase.isUniqueViolation(error) {
            return .addressTaken
        }
    }

    func channel(id: String, account: String) async throws -> ChannelRecord? {
        try await database.read { connection in
            try await PostgresRowDecoder.first(
                ChannelRecord.self,
                try await connection.query(
                    "SELECT * FROM messaging_channel WHERE account_id = \(account) AND id = \(id)", logger: logger))
        }
    }

    func channels(account: String) async throws -> [ChannelRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                ChannelRecord.self,
                try await connection.query(
                    "SELECT * FROM messaging_channel WHERE account_id = \(account) ORDER BY created_at, id",
                    logger: logger))
        }
    }

    func setInboundToken(hash: String, sealed: String?, channelId: String, account: String, now: Double) async throws
        -> ChannelRecord?
    {
        try await database.transaction { connection in
            let updated = try await PostgresRowDecoder.first(
                ChannelRecord.self,
                try await connection.query(
                    """
                    UPDATE messaging_channel SET inbound_token_hash = \(hash), inbound_token_sealed = \(sealed),
                        updated_at = \(now)
                    WHERE account_id = \(account) AND id = \(channelId) RETURNING *
                    """, logger: logger))
            if updated != nil {
                try await PostgresServiceDatabase.notifyChannelChanged(
                    connection, account: account, id: channelId, logger: logger)
            }
            return updated
        }
    }

    func deleteChannel(id: String, account: String) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM messaging_channel WHERE account_id = \(account) AND id = \(id) RETURNING id",
                logger: logger)
            var deleted = false
            for try await _ in rows { deleted = true }
            if deleted {
                try await PostgresServiceDatabase.notifyChannelChanged(
                    connection, account: account, id: id, logger: logger)
            }
            return deleted
        }
    }

    func createTemplate(_ record: TemplateRecord) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                try PostgresRowEncoder.insert(
                    record, into: "message_template", suffix: "ON CONFLICT DO NOTHING RETURNING id"), logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    func templates(account: String) async throws -> [TemplateRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                TemplateRecord.self,
                try await connection.query(
                    "SELECT * FROM message_template WHERE account_id = \(account) ORDER BY name, language",
                    logger: logger))
        }
    }

    func setTemplateStatus(_ status: String, templateId: String, account: String, now: Double) async throws
        -> TemplateRecord?
    {
        try await database.transaction { connection in
            try await PostgresRowDecoder.first(
                TemplateRecord.self,
                try await connection.query(
                    """
                    UPDATE message_template SET status = \(status), updated_at = \(now)
                    WHERE id = \(templateId) AND account_id = \(account) RETURNING *
                    """, logger: logger))
        }
    }
}
