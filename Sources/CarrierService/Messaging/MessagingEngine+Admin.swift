import Crypto
import Foundation
import GRDB

/// The JSON body of `POST /channels`.
struct ChannelRequest: Decodable, Sendable {
    var id: String?
    var channel: String?
    var provider: String?
    var address: String?
    var settings: [String: String]?
    var defaultQueue: String?
    /// Sends per second on this channel (overrides the definition's `ratePerSecond`).
    var ratePerSecond: Double?
    /// Validity of the channel's messages when `/send` gives none.
    var validitySeconds: Int?
}

/// The JSON body of `POST /templates` and `PATCH /templates/{id}`.
struct TemplateRequest: Decodable, Sendable {
    var name: String?
    var language: String?
    var category: String?
    var body: String?
    var status: String?
}

/// The result of authenticating an `x-api-key`.
struct APIKeyIdentity: Sendable, Equatable {
    var account: String
    var scopes: Set<String>
}

/// A channel with its setting references resolved, as the hot paths need it.
struct ChannelWithSettings: Sendable {
    var channel: ChannelRecord
    var settings: [String: String]
}

extension MessagingEngine {
    static let channelKinds: Set<String> = ["sms", "mms", "whatsapp", "rcs"]
    static let templateStatuses: Set<String> = ["approved", "pending", "rejected"]

    /// Returns the hex SHA-256 of an API key; only this hash is stored.
    static func hashKey(_ key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(key.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Upserts the configured API keys (hashed) and channels.
    /// - Throws: ``ServiceError`` when a key reference cannot be resolved or a channel is invalid.
    func bootstrap() async throws(ServiceError) {
        var keys: [(hash: String, account: String, scopes: String)] = []
        for (key, grant) in configuration.apiKeys {
            let resolved = try resolver.resolve(key, name: "apiKeys")
            keys.append((Self.hashKey(resolved), grant.account, grant.scopes.joined(separator: ",")))
        }
        let keyRows = keys
        let now = Self.now()
        try await write { db in
            for key in keyRows {
                try db.execute(
                    sql: """
                        INSERT INTO api_key (key_hash, account_id, scopes, created_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (key_hash) DO UPDATE SET account_id = excluded.account_id, scopes = excluded.scopes
                        """, arguments: [key.hash, key.account, key.scopes, now])
            }
        }
        for seed in configuration.channels {
            let request = ChannelRequest(
                id: seed.id, channel: seed.channel, provider: seed.provider, address: seed.address,
                settings: seed.settings, defaultQueue: seed.defaultQueue, ratePerSecond: seed.ratePerSecond,
                validitySeconds: seed.validitySeconds)
            _ = try await createChannel(request, account: seed.account, replace: true)
        }
    }

    /// Returns who an API key belongs to, or nil for an unknown key.
    func authenticate(key: String) async throws(ServiceError) -> APIKeyIdentity? {
        let hash = Self.hashKey(key)
        let now = Self.now()
        if let hit = keyCache.value(for: hash, now: now) { return hit }
        let found = try await read { db -> (account: String, scopes: String)? in
            let row = try Row.fetchOne(
                db, sql: "SELECT account_id, scopes FROM api_key WHERE key_hash = ?", arguments: [hash])
            guard let row, let account: String = row["account_id"], let scopes: String = row["scopes"] else {
                return nil
            }
            return (account, scopes)
        }
        guard let (account, scopes) = found else { return nil }
        let identity = APIKeyIdentity(
            account: account, scopes: Set(scopes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
        keyCache.store(identity, for: hash, now: now)
        return identity
    }

    // MARK: Channels

    /// Creates a channel.
    /// - Parameter replace: Update an existing channel with the same id instead of failing (start-up seeding).
    /// - Throws: ``ServiceError`` `validation-failed`, `unknown-provider` or `channel-exists`.
    func createChannel(_ request: ChannelRequest, account: String, replace: Bool = false) async throws(ServiceError)
        -> ChannelRecord
    {
        var errors: [ServiceError.FieldError] = []
        let kind = request.channel ?? ""
        if kind.isEmpty {
            errors.append(.missing("channel", "channel is required"))
        } else if !Self.channelKinds.contains(kind) {
            errors.append(.invalid("channel", "invalid-channel", "channel must be one of sms, mms, whatsapp, rcs"))
        }
        if (request.provider ?? "").isEmpty { errors.append(.missing("provider", "provider is required")) }
        if (request.address ?? "").isEmpty { errors.append(.missing("address", "address is required")) }
        if let id = request.id, id.isEmpty || id.contains("/") {
            errors.append(.invalid("id", "invalid-id", "id must be non-empty and contain no '/'"))
        }
        if let rate = request.ratePerSecond, !(rate > 0 && rate <= 100_000) {
            errors.append(.invalid("ratePerSecond", "invalid-rate", "ratePerSecond must be above 0 and at most 100000"))
        }
        if let validity = request.validitySeconds, !(1...Self.maxValiditySeconds).contains(validity) {
            errors.append(
                .invalid(
                    "validitySeconds", "invalid-validity",
                    "validitySeconds must be from 1 to \(Self.maxValiditySeconds)"))
        }
        if !errors.isEmpty { throw .validation(errors) }
        let provider = request.provider ?? ""
        guard gateway.carrierIds.contains(provider) else {
            throw ServiceError(status: 400, code: "unknown-provider", message: "no carrier '\(provider)' is loaded")
        }
        let now = Self.now()
        let record = ChannelRecord(
            id: request.id ?? Self.newId("ch"), accountId: account, channel: kind, provider: provider,
            address: request.address ?? "", settings: request.settings ?? [:], defaultQueue: request.defaultQueue,
            createdAt: now, updatedAt: now, ratePerSecond: request.ratePerSecond,
            validitySeconds: request.validitySeconds)
        defer { channelCache.invalidate(record.id) }
        return try await write { db -> ChannelRecord in
            let clash = try ChannelRecord.filter(
                Column("channel") == record.channel && Column("address") == record.address && Column("id") != record.id
            ).fetchCount(db)
            if let existing = try ChannelRecord.fetchOne(db, key: record.id) {
                guard replace, existing.accountId == account, clash == 0 else {
                    throw ServiceError(status: 409, code: "channel-exists", message: "channel '\(record.id)' exists")
                }
                var updated = record
                updated.createdAt = existing.createdAt
                try updated.update(db)
                return updated
            }
            if clash > 0 {
                throw ServiceError(
                    status: 409, code: "channel-exists",
                    message: "a \(record.channel) channel with address \(record.address) exists")
            }
            try record.insert(db)
            return record
        }
    }

    func channels(account: String) async throws(ServiceError) -> [ChannelRecord] {
        try await read { db in
            try ChannelRecord.filter(Column("account_id") == account).order(Column("created_at"), Column("id"))
                .fetchAll(db)
        }
    }

    /// - Throws: ``ServiceError`` `unknown-channel`.
    func channel(id: String, account: String) async throws(ServiceError) -> ChannelRecord {
        let channel = try await read { db in
            try ChannelRecord.filter(Column("id") == id && Column("account_id") == account).fetchOne(db)
        }
        guard let channel else { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
        return channel
    }

    /// Deletes a channel; its conversations and messages stay for the record.
    /// - Throws: ``ServiceError`` `unknown-channel`.
    func deleteChannel(id: String, account: String) async throws(ServiceError) {
        let deleted = try await write { db in
            try ChannelRecord.filter(Column("id") == id && Column("account_id") == account).deleteAll(db)
        }
        channelCache.invalidate(id)
        if deleted == 0 { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
    }

    // MARK: Templates

    /// Creates a template (status `pending` unless given).
    /// - Throws: ``ServiceError`` `validation-failed` or `template-exists`.
    func createTemplate(_ request: TemplateRequest, account: String) async throws(ServiceError) -> TemplateRecord {
        var errors: [ServiceError.FieldError] = []
        if (request.name ?? "").isEmpty { errors.append(.missing("name", "name is required")) }
        if (request.language ?? "").isEmpty { errors.append(.missing("language", "language is required")) }
        if (request.body ?? "").isEmpty { errors.append(.missing("body", "body is required")) }
        if let status = request.status, !Self.templateStatuses.contains(status) {
            errors.append(.invalid("status", "invalid-status", "status must be approved, pending or rejected"))
        }
        if !errors.isEmpty { throw .validation(errors) }
        let now = Self.now()
        let record = TemplateRecord(
            id: Self.newId("tpl"), accountId: account, name: request.name ?? "", language: request.language ?? "",
            category: request.category, body: request.body ?? "", status: request.status ?? "pending",
            createdAt: now, updatedAt: now)
        return try await write { db -> TemplateRecord in
            let exists = try TemplateRecord.filter(
                Column("account_id") == account && Column("name") == record.name
                    && Column("language") == record.language
            ).fetchCount(db)
            if exists > 0 {
                throw ServiceError(
                    status: 409, code: "template-exists",
                    message: "template '\(record.name)' (\(record.language)) exists")
            }
            try record.insert(db)
            return record
        }
    }

    func templates(account: String) async throws(ServiceError) -> [TemplateRecord] {
        try await read { db in
            try TemplateRecord.filter(Column("account_id") == account).order(Column("name"), Column("language"))
                .fetchAll(db)
        }
    }

    /// Changes a template's approval status.
    /// - Throws: ``ServiceError`` `validation-failed` or `unknown-template`.
    func setTemplateStatus(id: String, status: String?, account: String) async throws(ServiceError)
        -> TemplateRecord
    {
        guard let status, Self.templateStatuses.contains(status) else {
            throw .validation([.invalid("status", "invalid-status", "status must be approved, pending or rejected")])
        }
        let now = Self.now()
        let updated = try await write { db -> TemplateRecord? in
            guard
                var template = try TemplateRecord.filter(Column("id") == id && Column("account_id") == account)
                    .fetchOne(db)
            else { return nil }
            template.status = status
            template.updatedAt = now
            try template.update(db)
            return template
        }
        guard let updated else { throw .notFound("unknown-template", "no template '\(id)'") }
        return updated
    }
}
