import GRDB

/// ``AdminStore`` on the service's SQLite file: writes through the group-commit writer, reads through the pool.
struct SQLiteAdminStore: AdminStore {
    let database: DatabasePool
    let writer: GroupCommitWriter

    func upsertAPIKeys(_ keys: [StoredAPIKey], now: Double) async throws {
        try await writer.write { db in
            for key in keys {
                try db.execute(
                    sql: """
                        INSERT INTO api_key (key_hash, account_id, scopes, created_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (key_hash) DO UPDATE SET account_id = excluded.account_id, scopes = excluded.scopes
                        """, arguments: [key.hash, key.account, key.scopes, now])
            }
        }
    }

    func apiKey(hash: String) async throws -> StoredAPIKey? {
        try await database.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT account_id, scopes FROM api_key WHERE key_hash = ?", arguments: [hash])
            guard let row, let account: String = row["account_id"], let scopes: String = row["scopes"] else {
                return nil
            }
            return StoredAPIKey(hash: hash, account: account, scopes: scopes)
        }
    }

    func createChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome {
        try await writer.write { db in
            if try Self.channelQuery(id: record.id, account: record.accountId).fetchCount(db) > 0 { return .idTaken }
            if try Self.addressTaken(db, record) { return .addressTaken }
            try record.insert(db)
            return .stored
        }
    }

    func upsertChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome {
        try await writer.write { db in
            if try Self.addressTaken(db, record) { return .addressTaken }
            if let existing = try Self.channelQuery(id: record.id, account: record.accountId).fetchOne(db) {
                var updated = record
                updated.createdAt = existing.createdAt
                try updated.update(db)
            } else {
                try record.insert(db)
            }
            return .stored
        }
    }

    func updateChannel(_ record: ChannelRecord, ifUpdatedAt: Double) async throws -> ChannelWriteOutcome {
        try await writer.write { db in
            guard let existing = try Self.channelQuery(id: record.id, account: record.accountId).fetchOne(db) else {
                return .missing
            }
            guard existing.updatedAt == ifUpdatedAt else { return .changedMeanwhile }
            if try Self.addressTaken(db, record) { return .addressTaken }
            var updated = record
            updated.createdAt = existing.createdAt
            try updated.update(db)
            return .stored
        }
    }

    func channel(id: String, account: String) async throws -> ChannelRecord? {
        try await database.read { db in try Self.channelQuery(id: id, account: account).fetchOne(db) }
    }

    func channels(account: String) async throws -> [ChannelRecord] {
        try await database.read { db in
            try ChannelRecord.filter(Column("account_id") == account).order(Column("created_at"), Column("id"))
                .fetchAll(db)
        }
    }

    func setInboundToken(hash: String, sealed: String?, channelId: String, account: String, now: Double) async throws
        -> ChannelRecord?
    {
        try await writer.write { db -> ChannelRecord? in
            guard var channel = try Self.channelQuery(id: channelId, account: account).fetchOne(db) else { return nil }
            channel.inboundTokenHash = hash
            channel.inboundTokenSealed = sealed
            channel.updatedAt = now
            try channel.update(db)
            return channel
        }
    }

    func deleteChannel(id: String, account: String) async throws -> Bool {
        try await writer.write { db in try Self.channelQuery(id: id, account: account).deleteAll(db) > 0 }
    }

    func createTemplate(_ record: TemplateRecord) async throws -> Bool {
        try await writer.write { db in
            let exists = try TemplateRecord.filter(
                Column("account_id") == record.accountId && Column("name") == record.name
                    && Column("language") == record.language
            ).fetchCount(db)
            if exists > 0 { return false }
            try record.insert(db)
            return true
        }
    }

    func templates(account: String) async throws -> [TemplateRecord] {
        try await database.read { db in
            try TemplateRecord.filter(Column("account_id") == account).order(Column("name"), Column("language"))
                .fetchAll(db)
        }
    }

    func setTemplateStatus(_ status: String, templateId: String, account: String, now: Double) async throws
        -> TemplateRecord?
    {
        try await writer.write { db -> TemplateRecord? in
            guard
                var template = try TemplateRecord.filter(Column("id") == templateId && Column("account_id") == account)
                    .fetchOne(db)
            else { return nil }
            template.status = status
            template.updatedAt = now
            try template.update(db)
            return template
        }
    }

    private static func channelQuery(id: String, account: String) -> QueryInterfaceRequest<ChannelRecord> {
        ChannelRecord.filter(Column("account_id") == account && Column("id") == id)
    }

    /// Two channels of one account cannot share a kind and address; other accounts' channels are not looked at.
    private static func addressTaken(_ db: Database, _ record: ChannelRecord) throws -> Bool {
        try ChannelRecord.filter(
            Column("account_id") == record.accountId && Column("channel") == record.channel
                && Column("address") == record.address && Column("id") != record.id
        ).fetchCount(db) > 0
    }
}
