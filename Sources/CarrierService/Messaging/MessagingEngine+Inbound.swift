import CarrierRuntime
import Crypto
import Foundation
import GRDB
import Logging
import Synchronization

extension MessagingEngine {
    /// What one webhook changes in the database, and the reply to give once that is committed.
    struct InboundWork: Sendable {
        var reply: HTTPResponse
        var apply: @Sendable (Database) throws -> Void
        /// What the metrics count once `apply` has committed.
        var events: [NormalizedEvent] = []
        var channelKind = ""
    }

    /// Where a webhook is addressed: `/inbound/{account}/{channel}` or `/inbound/{account}/{channel}/{token}`.
    struct WebhookTarget: Sendable {
        var account: String
        var channelId: String
        var token: String?
    }

    /// Verifies, normalizes and applies one carrier webhook.
    /// - Parameters:
    ///   - target: The account, channel and token from the webhook URL.
    ///   - request: The request as received: method, path and query, headers, body bytes.
    ///   - publicURL: The URL the carrier called, for signature checks.
    /// - Returns: The reply the carrier definition asks for.
    /// - Throws: ``ServiceError`` `unknown-channel`, `bad-inbound-token`, or the gateway's ``InboundFailure``.
    func inbound(_ target: WebhookTarget, request: HTTPRequest, publicURL: String) async throws(ServiceError)
        -> HTTPResponse
    {
        let cached = try await cachedChannelWithSettings(account: target.account, id: target.channelId)
        let work = try prepareInbound(request, cached: cached, token: target.token, publicURL: publicURL)
        try await write(work.apply)
        webhooks.wake()
        countInbound(work.events, channel: work.channelKind)
        return work.reply
    }

    /// The same as ``inbound(_:request:publicURL:)`` without a task, for the webhook route's hot path:
    /// `completion` runs on the database writer's thread (or at once on a verification error).
    /// - Returns: false, doing nothing, when the channel is not in the cache; the caller then uses the async form.
    func inboundWithoutTask(
        _ target: WebhookTarget, request: HTTPRequest, publicURL: String,
        completion: @escaping @Sendable (Result<HTTPResponse, ServiceError>) -> Void
    ) -> Bool {
        guard
            let cached = channelCache.value(
                for: Self.channelKey(account: target.account, id: target.channelId), now: Self.now())
        else { return false }
        let work: InboundWork
        do {
            work = try prepareInbound(request, cached: cached, token: target.token, publicURL: publicURL)
        } catch {
            completion(.failure(error))
            return true
        }
        let reply = work.reply
        let webhooks = self.webhooks
        writer.submit(work.apply) { result in
            webhooks.wake()
            if case .success = result { self.countInbound(work.events, channel: work.channelKind) }
            completion(result.map { reply }.mapError { self.storageFailure($0, writing: true) })
        }
        return true
    }

    /// How long a webhook without provider ids is remembered, so that the same request again is not stored again.
    static let replayWindowSeconds: Double = 24 * 60 * 60

    /// Checks the URL token, verifies and normalizes a webhook; the database work is left to the caller.
    private func prepareInbound(
        _ request: HTTPRequest, cached: ChannelWithSettings, token: String?, publicURL: String
    ) throws(ServiceError) -> InboundWork {
        let channel = cached.channel
        if cached.tokenRequired {
            // Compared as hashes: the comparison's time says nothing about the token.
            guard let token, let expected = channel.inboundTokenHash, Self.hashKey(token) == expected else {
                throw ServiceError(
                    status: 401, code: "bad-inbound-token",
                    message: "this channel's webhooks need its token in the URL: /inbound/{account}/{channel}/{token}")
            }
        }
        let result: InboundResult
        do {
            result = try gateway.normalize(
                request, carrier: channel.provider, settings: cached.settings, publicURL: publicURL)
        } catch {
            throw ServiceError(status: error.httpStatus, code: error.code, message: error.message)
        }
        let events = result.events
        logUnmappedStatuses(events, carrier: channel.provider)
        let now = Self.now()
        // A webhook whose events carry no provider id cannot be recognised when it comes again (a replay, or the
        // carrier's resend): remember a hash of the request for a day instead.
        let unidentified = events.contains { event in
            switch event {
            case .received(let received): return (received.providerMessageId ?? "").isEmpty
            case .status(let status): return (status.providerMessageId ?? "").isEmpty
            }
        }
        let requestHash = unidentified ? Self.requestHash(request) : nil
        var work = InboundWork(reply: result.reply) { db in
            if let requestHash {
                guard try Self.firstSighting(db, channel: channel, hash: requestHash, now: now) else { return }
            }
            for event in events {
                switch event {
                case .received(let received):
                    try Self.applyReceived(received, channel: channel, db: db, now: now)
                case .status(let status):
                    try Self.applyStatus(status, account: channel.accountId, channelId: channel.id, db: db, now: now)
                }
            }
        }
        work.events = events
        work.channelKind = channel.channel
        return work
    }

    /// Logs a provider status the definition does not map, once per carrier and value (the definition needs it).
    private func logUnmappedStatuses(_ events: [NormalizedEvent], carrier: String) {
        for case .status(let status) in events where status.unmappedStatus {
            let word = status.providerStatus ?? ""
            let first = loggedUnmappedStatuses.withLock { $0.count < 1000 && $0.insert(carrier + "/" + word).inserted }
            if first {
                logger.warning(
                    "provider status not in the definition's status map; the message keeps its status",
                    metadata: ["carrier": "\(carrier)", "providerStatus": "\(word.prefix(64))"])
            }
        }
    }

    /// Hex SHA-256 of the method, path and query, and body.
    static func requestHash(_ request: HTTPRequest) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(request.method.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: Data(request.url.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: request.body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Records a webhook's hash; false when the same request was already seen within the replay window.
    static func firstSighting(_ db: Database, channel: ChannelRecord, hash: String, now: Double) throws -> Bool {
        let seen = try Double.fetchOne(
            db,
            sql: "SELECT received_at FROM inbound_seen WHERE account_id = ? AND channel_id = ? AND request_hash = ?",
            arguments: [channel.accountId, channel.id, hash])
        if let seen, now - seen < replayWindowSeconds { return false }
        try db.execute(
            sql: """
                INSERT INTO inbound_seen (account_id, channel_id, request_hash, received_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (account_id, channel_id, request_hash) DO UPDATE SET received_at = excluded.received_at
                """, arguments: [channel.accountId, channel.id, hash, now])
        return true
    }

    /// The channel and its settings as the carrier needs them, from the cache when fresh.
    func cachedChannel(account: String, id: String) async throws(ServiceError) -> (ChannelRecord, [String: String]) {
        let cached = try await cachedChannelWithSettings(account: account, id: id)
        return (cached.channel, cached.settings)
    }

    /// The channel, its settings (configured channels' references resolved at start-up; API channels' secrets
    /// decrypted) and whether its webhooks need the token, from the cache when fresh.
    func cachedChannelWithSettings(account: String, id: String) async throws(ServiceError) -> ChannelWithSettings {
        let now = Self.now()
        let key = Self.channelKey(account: account, id: id)
        if let hit = channelCache.value(for: key, now: now) { return hit }
        let channel = try await read { db in
            try ChannelRecord.filter(Column("account_id") == account && Column("id") == id).fetchOne(db)
        }
        guard let channel else { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
        let settings: [String: String]
        if channel.source == "config" {
            guard let resolved = secrets.withLock({ $0.operatorSettings[key] }) else {
                throw ServiceError(
                    status: 503, code: "channel-unavailable",
                    message: "channel '\(id)' came from a configuration file that no longer has it")
            }
            settings = resolved
        } else {
            settings = try openSettings(of: channel)
        }
        let signed = gateway.signsWebhooks(carrier: channel.provider, settings: settings)
        let cached = ChannelWithSettings(
            channel: channel, settings: settings, tokenRequired: channel.inboundTokenHash != nil || !signed)
        channelCache.store(cached, for: key, now: now)
        return cached
    }

    /// An API channel's settings with its secret values decrypted; other values are plain, never references.
    private func openSettings(of channel: ChannelRecord) throws(ServiceError) -> [String: String] {
        var settings = channel.settings
        for (name, value) in channel.settings where value.hasPrefix(SecretBox.prefix) {
            guard let box = secretBox else {
                throw ServiceError(
                    status: 500, code: "secret-unreadable",
                    message: "setting '\(name)' is encrypted and this server has no secretsKey")
            }
            settings[name] = try box.open(value, account: channel.accountId, channel: channel.id, name: name)
        }
        return settings
    }

    /// Stores an inbound message, updates its conversation and the opt-out list. A part of a long message waits
    /// for the others (``collectPart(_:channel:db:now:)``) and the whole message is stored with the last one.
    static func applyReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, db: Database, now: Double
    ) throws {
        guard event.partTotal != nil else {
            try storeReceived(event, channel: channel, db: db, now: now)
            return
        }
        if let whole = try collectPart(event, channel: channel, db: db, now: now) {
            try storeReceived(whole, channel: channel, db: db, now: now)
        }
    }

    /// Stores one whole inbound message. `note` marks a message stored with parts missing.
    ///
    /// Carriers resend a webhook they think failed; a message whose provider id this channel already stored is
    /// acknowledged again but not stored twice.
    static func storeReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, db: Database, now: Double,
        note: (code: String, message: String)? = nil
    ) throws {
        if let providerId = event.providerMessageId, !providerId.isEmpty {
            var seen = try DirectStatement(db, sql: Self.receivedMessageByProviderIdSQL)
            seen.bind(providerId)
            seen.bind(channel.accountId)
            seen.bind(channel.id)
            if try seen.hasRow() { return }
        }
        // Opt-outs hold for the whole account and channel kind: a STOP on one SMS channel blocks them all.
        let kind = OptOutKind.of(channel: channel.channel)
        var optOutChanged: Bool?
        switch event.optOut {
        case "stop":
            try SQLiteIdentityStore.insertOptOut(
                db, account: channel.accountId, kind: kind, address: event.from, source: "keyword", now: now)
            if db.changesCount > 0 { optOutChanged = true }
        case "start":
            try SQLiteIdentityStore.deleteOptOut(db, account: channel.accountId, kind: kind, address: event.from)
            if db.changesCount > 0 { optOutChanged = false }
        default:
            break
        }
        let conversationId = try upsertConversation(
            db, account: channel.accountId, channelId: channel.id, contact: event.from, now: now, inbound: true,
            whatsapp: channel.channel == "whatsapp", queue: channel.defaultQueue)
        let message = MessageRecord(
            id: newId("msg"), accountId: channel.accountId, conversationId: conversationId, channelId: channel.id,
            direction: "inbound", fromAddress: event.from, toAddress: event.to ?? channel.address, body: event.text,
            media: event.media, status: MessageStatus.received.rawValue, providerMessageId: event.providerMessageId,
            templateName: nil, segments: nil, errorCode: note?.code, errorMessage: note?.message, reference: nil,
            confirmed: false, createdAt: now, updatedAt: now)
        try message.insertPrepared(db)
        try SQLiteWebhookEvents.messageReceived(db, message, now: now)
        if let optedOut = optOutChanged {
            try SQLiteWebhookEvents.optOutChanged(
                db, account: channel.accountId, channelId: channel.id, contact: event.from, optedOut: optedOut,
                messageId: message.id, now: now)
        }
    }

    /// The outbound message a status callback names (account, provider id).
    ///
    /// `INDEXED BY`: with no statistics, SQLite once preferred the replies index (then on account_id, direction),
    /// two equality terms to one, and scanned every outbound message of the account for each callback.
    static let sentMessageByProviderIdSQL = """
        SELECT \(sentStatusColumns) FROM message INDEXED BY message_provider_id
        WHERE account_id = ? AND provider_message_id = ? AND direction = 'outbound' LIMIT 1
        """

    /// The outbound message a status callback names by our reference (the message id we sent with it).
    static let sentMessageByReferenceSQL = """
        SELECT \(sentStatusColumns) FROM message WHERE account_id = ? AND id = ? AND direction = 'outbound' LIMIT 1
        """

    /// The columns read into a ``SentMessageStatus``, in its order.
    private static let sentStatusColumns = "id, status, provider_message_id, error_code, error_message, updated_at"

    /// An inbound message this channel already stored under a provider id (a webhook the carrier resent).
    static let receivedMessageByProviderIdSQL = """
        SELECT 1 FROM message INDEXED BY message_provider_id
        WHERE provider_message_id = ? AND account_id = ? AND channel_id = ? AND direction = 'inbound' LIMIT 1
        """

    /// Applies a status callback to the message it names, or keeps it pending until that message is known.
    ///
    /// A provider status the definition does not map (`unmappedStatus`) is recorded as `providerStatus` and leaves
    /// the status as it was: `buffered` or `initiated` must not end a message that is delivered a moment later.
    static func applyStatus(
        _ event: NormalizedEvent.MessageStatus, account: String, channelId: String, db: Database, now: Double
    ) throws {
        // Status callbacks are the most frequent webhook: prepared statements, not query-builder SQL per call.
        var message: SentMessageStatus?
        if let providerId = event.providerMessageId {
            message = try sentMessage(db, sql: sentMessageByProviderIdSQL, account: account, key: providerId)
        }
        if message == nil, let reference = event.reference {
            message = try sentMessage(db, sql: sentMessageByReferenceSQL, account: account, key: reference)
        }
        if var message {
            let statusBefore = message.status
            if message.providerMessageId == nil, let providerId = event.providerMessageId {
                message.providerMessageId = providerId
            }
            if event.unmappedStatus {
                message.updatedAt = now
            } else {
                advance(
                    &message, to: event.status, errorCode: event.errorCode, errorMessage: event.errorMessage, now: now)
            }
            // Only the fields a callback can change: rewriting every column would also rewrite every index entry.
            var update = try DirectStatement(
                db,
                sql: """
                    UPDATE message SET status = ?, provider_message_id = ?, error_code = ?, error_message = ?,
                        updated_at = ?, provider_status = COALESCE(?, provider_status)
                    WHERE id = ?
                    """)
            for text in [message.status, message.providerMessageId, message.errorCode, message.errorMessage] {
                update.bind(text)
            }
            update.bind(message.updatedAt)
            update.bind(event.providerStatus)
            update.bind(message.id)
            try update.execute()
            if message.status != statusBefore {
                try SQLiteWebhookEvents.messageStatus(db, messageId: message.id, now: now)
            }
            return
        }
        // An unmapped status changes nothing but the provider's word; there is nothing to keep for later.
        if event.unmappedStatus { return }
        let pending = PendingStatusRecord(
            id: nil, accountId: account, channelId: channelId, providerMessageId: event.providerMessageId,
            reference: event.reference, status: event.status, errorCode: event.errorCode,
            errorMessage: event.errorMessage, receivedAt: now)
        try pending.insert(db)
    }

    /// Reads the status columns of the outbound message `sql` finds for (`account`, `key`).
    private static func sentMessage(_ db: Database, sql: String, account: String, key: String) throws
        -> SentMessageStatus?
    {
        var statement = try DirectStatement(db, sql: sql)
        statement.bind(account)
        statement.bind(key)
        defer { statement.reset() }
        guard try statement.step(), let id = statement.text(0), let status = statement.text(1) else { return nil }
        return SentMessageStatus(
            id: id, status: status, providerMessageId: statement.text(2), errorCode: statement.text(3),
            errorMessage: statement.text(4), updatedAt: statement.double(5))
    }
}
