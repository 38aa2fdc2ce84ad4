import CarrierRuntime
import Crypto
import Foundation
import Synchronization

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

    /// The members `POST /channels` takes; any other is refused (`unknown-field`).
    static let members: Set<String> = [
        "id", "channel", "provider", "address", "settings", "defaultQueue", "ratePerSecond", "validitySeconds",
    ]
}

/// The JSON body of `POST /templates` and `PATCH /templates/{id}`.
struct TemplateRequest: Decodable, Sendable {
    var name: String?
    var language: String?
    var category: String?
    var body: String?
    var status: String?

    /// The members `POST /templates` takes (`PATCH` takes `status` alone); any other is refused (`unknown-field`).
    static let members: Set<String> = ["name", "language", "category", "body", "status"]
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
    /// Whether webhooks must carry the channel's token (it has one, or its carrier signs nothing).
    var tokenRequired: Bool
    /// The token itself when the service can know it (sealed with the secrets key, or from the configuration file),
    /// for the webhook URL given to carriers.
    var inboundToken: String? = nil
}

/// What the engine holds in memory from the operator's configuration: the secrets key and the configured channels'
/// settings with their references resolved (read once at start-up, never per request).
struct OperatorSecrets: Sendable {
    var box: SecretBox?
    /// By ``MessagingEngine/channelKey(account:id:)``.
    var operatorSettings: [String: [String: String]] = [:]
    /// Configured channels' webhook tokens (channel key -> token).
    var inboundTokens: [String: String] = [:]
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

    /// Upserts the configured API keys (hashed) and channels, and resolves what the operator's file references
    /// (the secrets key, channel secrets, webhook tokens) once, here.
    /// - Throws: ``ServiceError`` when a reference cannot be resolved or a channel is invalid.
    func bootstrap() async throws(ServiceError) {
        if let reference = configuration.secretsKey {
            secrets.withLock { $0.box = nil }
            let box = try SecretBox(keyText: try resolver.resolve(reference, name: "secretsKey"))
            secrets.withLock { $0.box = box }
        }
        var keys: [(hash: String, account: String, scopes: String)] = []
        for (key, grant) in configuration.apiKeys {
            let resolved = try resolver.resolve(key, name: "apiKeys")
            keys.append((Self.hashKey(resolved), grant.account, grant.scopes.joined(separator: ",")))
        }
        let keyRows = keys.map { StoredAPIKey(hash: $0.hash, account: $0.account, scopes: $0.scopes) }
        let now = Self.now()
        try await storage(writing: true) { try await admin.upsertAPIKeys(keyRows, now: now) }
        var resolvedSettings: [String: [String: String]] = [:]
        var resolvedTokens: [String: String] = [:]
        for seed in configuration.channels {
            // Only secret-typed settings are references; every other value is used as written.
            let secretNames = gateway.secretSettings(carrier: seed.provider)
            var settings = seed.settings
            for (name, value) in seed.settings where secretNames.contains(name) {
                settings[name] = try resolver.resolve(value, name: "channels[\(seed.id)].settings.\(name)")
            }
            var tokenHash: String?
            if let reference = seed.inboundToken {
                let token = try resolver.resolve(reference, name: "channels[\(seed.id)].inboundToken")
                guard token.utf8.count >= 16 else {
                    throw ServiceError(
                        status: 500, code: "weak-inbound-token",
                        message: "channels[\(seed.id)].inboundToken must be at least 16 characters")
                }
                tokenHash = Self.hashKey(token)
                resolvedTokens[Self.channelKey(account: seed.account, id: seed.id)] = token
            }
            try await seedChannel(seed, tokenHash: tokenHash)
            resolvedSettings[Self.channelKey(account: seed.account, id: seed.id)] = settings
        }
        let operatorSettings = resolvedSettings
        let operatorTokens = resolvedTokens
        secrets.withLock {
            $0.operatorSettings = operatorSettings
            $0.inboundTokens = operatorTokens
        }
    }

    /// Returns who an API key belongs to, or nil for an unknown key.
    func authenticate(key: String) async throws(ServiceError) -> APIKeyIdentity? {
        let hash = Self.hashKey(key)
        let now = Self.now()
        if let hit = keyCache.value(for: hash, now: now) { return hit }
        let found = try await storage(writing: false) { try await admin.apiKey(hash: hash) }
        guard let account = found?.account, let scopes = found?.scopes else { return nil }
        let identity = APIKeyIdentity(
            account: account, scopes: Set(scopes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
        keyCache.store(identity, for: hash, now: now)
        return identity
    }

    // MARK: Channels

    /// Creates a channel from the API: setting values are plain (a reference is refused), secret-typed ones are
    /// stored encrypted, and a carrier that signs no webhooks gets a token for its webhook URL.
    /// - Returns: The record and the new webhook token (shown once), if one was made.
    /// - Throws: ``ServiceError`` `validation-failed`, `unknown-provider`, `secrets-key-missing` or `channel-exists`.
    func createChannel(_ request: ChannelRequest, account: String) async throws(ServiceError)
        -> (record: ChannelRecord, token: String?)
    {
        let provider = request.provider ?? ""
        var errors = Self.channelProblems(request)
        errors += definitionProblems(request)
        let secrets = gateway.secretSettings(carrier: provider)
        for (name, value) in (request.settings ?? [:]).sorted(by: { $0.key < $1.key }) where isSecretReference(value) {
            errors.append(
                .invalid(
                    "settings.\(name)", "reference-not-allowed",
                    "env:, file: and literal: references are only read from the configuration file; give the value"))
        }
        if !errors.isEmpty { throw .validation(errors) }
        try checkProvider(provider)
        let id = request.id ?? Self.newId("ch")
        var settings = request.settings ?? [:]
        let secretNames = settings.keys.filter { secrets.contains($0) && !(settings[$0] ?? "").isEmpty }
        if !secretNames.isEmpty {
            guard let box = secretBox else {
                throw ServiceError(
                    status: 400, code: "secrets-key-missing",
                    message: "this server has no secretsKey configured, so it does not accept secret settings")
            }
            for name in secretNames {
                settings[name] = try box.seal(settings[name] ?? "", account: account, channel: id, name: name)
            }
        }
        let token =
            gateway.signsWebhooks(carrier: provider, settings: request.settings ?? [:]) ? nil : Self.newInboundToken()
        let now = Self.now()
        let record = ChannelRecord(
            id: id, accountId: account, channel: request.channel ?? "", provider: provider,
            address: request.address ?? "", settings: settings, defaultQueue: request.defaultQueue, createdAt: now,
            updatedAt: now, ratePerSecond: request.ratePerSecond, validitySeconds: request.validitySeconds,
            source: "api", inboundTokenHash: token.map(Self.hashKey),
            inboundTokenSealed: token.flatMap { sealInboundToken($0, account: account, channelId: id) })
        defer { channelCache.invalidate(Self.channelKey(account: account, id: id)) }
        let outcome = try await storage(writing: true) { try await admin.createChannel(record) }
        try Self.check(outcome, record)
        return (record, token)
    }

    /// Changes an API channel's settings, address, default queue, rate or validity (`PATCH /channels/{id}`).
    ///
    /// The channel as it would be is validated exactly like a new one (every problem listed); new secret values are
    /// sealed like on creation, the stored ones stay sealed as they are. A channel whose carrier no longer signs its
    /// webhooks after the change, and that has no webhook token, gets one (shown once, as on creation).
    /// - Returns: The updated record and the new webhook token, if one was made.
    /// - Throws: ``ServiceError`` `unknown-channel`, `channel-read-only` (a channel from the configuration file),
    ///   `validation-failed` (or the one problem's code), `secrets-key-missing`, `channel-exists` or
    ///   `concurrent-update` (other updates of the channel kept coming first).
    func updateChannel(id: String, _ update: ChannelUpdate, account: String) async throws(ServiceError)
        -> (record: ChannelRecord, token: String?)
    {
        // Read, change, write only if unchanged since the read: a concurrent PATCH is never lost and a concurrent
        // DELETE is never undone. Another update in between makes this one start again from what it stored.
        for _ in 0..<Self.channelUpdateTries {
            if let updated = try await updateChannelOnce(id: id, update, account: account) { return updated }
        }
        throw ServiceError(
            status: 409, code: "concurrent-update",
            message: "channel '\(id)' kept changing while this update was applied; try again")
    }

    static let channelUpdateTries = 5

    /// One read-change-write of ``updateChannel(id:_:account:)``; nil when the channel changed after the read.
    private func updateChannelOnce(id: String, _ update: ChannelUpdate, account: String) async throws(ServiceError)
        -> (record: ChannelRecord, token: String?)?
    {
        let existing = try await channel(id: id, account: account)
        guard existing.source == "api" else {
            throw ServiceError(
                status: 409, code: "channel-read-only",
                message: "channel '\(id)' comes from the configuration file; change it there and restart or reload")
        }
        let secrets = gateway.secretSettings(carrier: existing.provider)
        var errors: [ServiceError.FieldError] = []
        for (name, value) in update.settings.sorted(by: { $0.key < $1.key }) {
            guard let value else { continue }
            if isSecretReference(value) {
                errors.append(
                    .invalid(
                        "settings.\(name)", "reference-not-allowed",
                        "env:, file: and literal: references are only read from the configuration file; give the value"
                    ))
            } else if secrets.contains(name) && value == "***" {
                errors.append(
                    .invalid(
                        "settings.\(name)", "redacted-value",
                        "'\(name)' is a secret the API shows as ***: give its new value, or leave it out to keep it"))
            }
        }
        let request = update.applied(to: existing)
        errors += Self.channelProblems(request) + definitionProblems(request)
        if !errors.isEmpty { throw .validation(errors) }

        var record = existing
        record.settings = request.settings ?? [:]
        let changedSecrets = update.settings.compactMap { name, value in
            secrets.contains(name) && !(value ?? "").isEmpty ? name : nil
        }
        if !changedSecrets.isEmpty {
            guard let box = secretBox else {
                throw ServiceError(
                    status: 400, code: "secrets-key-missing",
                    message: "this server has no secretsKey configured, so it does not accept secret settings")
            }
            for name in changedSecrets {
                record.settings[name] = try box.seal(
                    record.settings[name] ?? "", account: account, channel: id, name: name)
            }
        }
        // Only whether a signature secret has a value matters here, so sealed values stand in for the plain ones.
        var token: String?
        if existing.inboundTokenHash == nil
            && !gateway.signsWebhooks(carrier: existing.provider, settings: record.settings)
        {
            let newToken = Self.newInboundToken()
            record.inboundTokenHash = Self.hashKey(newToken)
            record.inboundTokenSealed = sealInboundToken(newToken, account: account, channelId: id)
            token = newToken
        }
        record.address = request.address ?? existing.address
        record.defaultQueue = request.defaultQueue
        record.ratePerSecond = request.ratePerSecond
        record.validitySeconds = request.validitySeconds
        // Later than the stored time even on a clock that did not move: the next update's check depends on it.
        record.updatedAt = max(Self.now(), existing.updatedAt.nextUp)
        let updated = record
        defer { channelCache.invalidate(Self.channelKey(account: account, id: id)) }
        let outcome = try await storage(writing: true) {
            try await admin.updateChannel(updated, ifUpdatedAt: existing.updatedAt)
        }
        if outcome == .changedMeanwhile { return nil }
        try Self.check(outcome, updated)
        return (updated, token)
    }

    /// Creates or updates a channel from the configuration file (settings kept as the operator wrote them).
    func seedChannel(_ seed: ServiceConfiguration.ChannelSeed, tokenHash: String?) async throws(ServiceError) {
        let request = ChannelRequest(
            id: seed.id, channel: seed.channel, provider: seed.provider, address: seed.address,
            settings: seed.settings, defaultQueue: seed.defaultQueue, ratePerSecond: seed.ratePerSecond,
            validitySeconds: seed.validitySeconds)
        let errors = Self.channelProblems(request) + definitionProblems(request)
        if !errors.isEmpty { throw .validation(errors) }
        try checkProvider(seed.provider)
        let now = Self.now()
        let record = ChannelRecord(
            id: seed.id, accountId: seed.account, channel: seed.channel, provider: seed.provider,
            address: seed.address, settings: seed.settings, defaultQueue: seed.defaultQueue, createdAt: now,
            updatedAt: now, ratePerSecond: seed.ratePerSecond, validitySeconds: seed.validitySeconds, source: "config",
            inboundTokenHash: tokenHash)
        defer { channelCache.invalidate(Self.channelKey(account: seed.account, id: seed.id)) }
        let outcome = try await storage(writing: true) { try await admin.upsertChannel(record) }
        try Self.check(outcome, record)
    }

    /// Field problems of a channel request.
    private static func channelProblems(_ request: ChannelRequest) -> [ServiceError.FieldError] {
        var errors: [ServiceError.FieldError] = []
        let kind = request.channel ?? ""
        if kind.isEmpty {
            errors.append(.missing("channel", "channel is required"))
        } else if !Self.channelKinds.contains(kind) {
            errors.append(.invalid("channel", "invalid-channel", "channel must be one of sms, mms, whatsapp, rcs"))
        }
        if (request.provider ?? "").isEmpty { errors.append(.missing("provider", "provider is required")) }
        if (request.address ?? "").isEmpty { errors.append(.missing("address", "address is required")) }
        if let id = request.id, id.isEmpty || id.contains("/") || id.count > 128 {
            errors.append(.invalid("id", "invalid-id", "id must be 1-128 characters with no '/'"))
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
        return errors
    }

    /// What the carrier's definition says is wrong with the channel (kind, settings, address shape).
    func definitionProblems(_ request: ChannelRequest) -> [ServiceError.FieldError] {
        guard let provider = request.provider, gateway.carrierIds.contains(provider), let kind = request.channel,
            Self.channelKinds.contains(kind), let address = request.address, !address.isEmpty
        else { return [] }
        return gateway.channelProblems(
            carrier: provider, channel: kind, address: address, settings: request.settings ?? [:]
        ).map { .invalid($0.attribute, $0.code, $0.message) }
    }

    private func checkProvider(_ provider: String) throws(ServiceError) {
        guard gateway.carrierIds.contains(provider) else {
            throw ServiceError(status: 400, code: "unknown-provider", message: "no carrier '\(provider)' is loaded")
        }
    }

    /// Channel ids are unique within an account, and two channels of one account cannot share a kind and address
    /// (other accounts' channels are not looked at).
    /// - Throws: ``ServiceError`` `channel-exists` for a write the store refused.
    private static func check(_ outcome: ChannelWriteOutcome, _ record: ChannelRecord) throws(ServiceError) {
        switch outcome {
        case .stored:
            return
        case .missing:
            throw .notFound("unknown-channel", "no channel '\(record.id)' in this account")
        case .changedMeanwhile:
            throw ServiceError(
                status: 409, code: "concurrent-update", message: "channel '\(record.id)' changed meanwhile; try again")
        case .idTaken:
            throw ServiceError(status: 409, code: "channel-exists", message: "channel '\(record.id)' exists")
        case .addressTaken:
            throw ServiceError(
                status: 409, code: "channel-exists",
                message: "a \(record.channel) channel with address \(record.address) exists")
        }
    }

    /// A new webhook token: 32 random bytes, base64url without padding.
    static func newInboundToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The token sealed with the secrets key (bound to account, channel and purpose), or nil without a key.
    func sealInboundToken(_ token: String, account: String, channelId: String) -> String? {
        try? secretBox?.seal(token, account: account, channel: channelId, name: Self.inboundTokenSealName)
    }

    /// The associated-data name a sealed webhook token is bound to (no setting can have it: settings are
    /// `[a-z0-9_]+`).
    static let inboundTokenSealName = "#inbound-token"

    /// Gives a channel a new webhook token; the old one stops working at once.
    /// - Throws: ``ServiceError`` `unknown-channel`.
    func rotateInboundToken(id: String, account: String) async throws(ServiceError) -> (ChannelRecord, String) {
        let token = Self.newInboundToken()
        let hash = Self.hashKey(token)
        let sealed = sealInboundToken(token, account: account, channelId: id)
        let now = Self.now()
        let updated = try await storage(writing: true) {
            try await admin.setInboundToken(hash: hash, sealed: sealed, channelId: id, account: account, now: now)
        }
        channelCache.invalidate(Self.channelKey(account: account, id: id))
        guard let updated else { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
        return (updated, token)
    }

    func channels(account: String) async throws(ServiceError) -> [ChannelRecord] {
        try await storage(writing: false) { try await admin.channels(account: account) }
    }

    /// - Throws: ``ServiceError`` `unknown-channel`.
    func channel(id: String, account: String) async throws(ServiceError) -> ChannelRecord {
        let channel = try await storage(writing: false) { try await admin.channel(id: id, account: account) }
        guard let channel else { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
        return channel
    }

    /// Deletes a channel; its conversations and messages stay for the record.
    /// - Throws: ``ServiceError`` `unknown-channel`.
    func deleteChannel(id: String, account: String) async throws(ServiceError) {
        let deleted = try await storage(writing: true) { try await admin.deleteChannel(id: id, account: account) }
        channelCache.invalidate(Self.channelKey(account: account, id: id))
        if !deleted { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
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
        guard try await storage(writing: true, { try await admin.createTemplate(record) }) else {
            throw ServiceError(
                status: 409, code: "template-exists", message: "template '\(record.name)' (\(record.language)) exists")
        }
        return record
    }

    func templates(account: String) async throws(ServiceError) -> [TemplateRecord] {
        try await storage(writing: false) { try await admin.templates(account: account) }
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
        let updated = try await storage(writing: true) {
            try await admin.setTemplateStatus(status, templateId: id, account: account, now: now)
        }
        guard let updated else { throw .notFound("unknown-template", "no template '\(id)'") }
        return updated
    }
}
