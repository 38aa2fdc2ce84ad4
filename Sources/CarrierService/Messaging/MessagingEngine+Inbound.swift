import CarrierRuntime
import GRDB

extension MessagingEngine {
    /// What one webhook changes in the database, and the reply to give once that is committed.
    struct InboundWork: Sendable {
        var reply: HTTPResponse
        var apply: @Sendable (Database) throws -> Void
    }

    /// Verifies, normalizes and applies one carrier webhook.
    /// - Parameters:
    ///   - channelId: The channel from the webhook URL.
    ///   - request: The request as received: method, path and query, headers, body bytes.
    ///   - publicURL: The URL the carrier called, for signature checks.
    /// - Returns: The reply the carrier definition asks for.
    /// - Throws: ``ServiceError`` `unknown-channel`, or the gateway's ``InboundFailure`` as an error.
    func inbound(channelId: String, request: HTTPRequest, publicURL: String) async throws(ServiceError)
        -> HTTPResponse
    {
        let (channel, settings) = try await cachedChannel(channelId)
        let work = try prepareInbound(request, channel: channel, settings: settings, publicURL: publicURL)
        try await write(work.apply)
        return work.reply
    }

    /// The same as ``inbound(channelId:request:publicURL:)`` without a task, for the webhook route's hot path:
    /// `completion` runs on the database writer's thread (or at once on a verification error).
    /// - Returns: false, doing nothing, when the channel is not in the cache; the caller then uses the async form.
    func inboundWithoutTask(
        channelId: String, request: HTTPRequest, publicURL: String,
        completion: @escaping @Sendable (Result<HTTPResponse, ServiceError>) -> Void
    ) -> Bool {
        guard let cached = channelCache.value(for: channelId, now: Self.now()) else { return false }
        let work: InboundWork
        do {
            work = try prepareInbound(
                request, channel: cached.channel, settings: cached.settings, publicURL: publicURL)
        } catch {
            completion(.failure(error))
            return true
        }
        let reply = work.reply
        writer.submit(work.apply) { result in
            completion(result.map { reply }.mapError { self.storageFailure($0, writing: true) })
        }
        return true
    }

    /// Verifies and normalizes a webhook; the database work is left to the caller.
    private func prepareInbound(
        _ request: HTTPRequest, channel: ChannelRecord, settings: [String: String], publicURL: String
    ) throws(ServiceError) -> InboundWork {
        let result: InboundResult
        do {
            result = try gateway.normalize(request, carrier: channel.provider, settings: settings, publicURL: publicURL)
        } catch {
            throw ServiceError(status: error.httpStatus, code: error.code, message: error.message)
        }
        let events = result.events
        let now = Self.now()
        return InboundWork(reply: result.reply) { db in
            for event in events {
                switch event {
                case .received(let received):
                    try Self.applyReceived(received, channel: channel, db: db, now: now)
                case .status(let status):
                    try Self.applyStatus(status, account: channel.accountId, channelId: channel.id, db: db, now: now)
                }
            }
        }
    }

    /// The channel and its resolved settings, from ``ChannelCache`` when fresh.
    func cachedChannel(_ id: String) async throws(ServiceError) -> (ChannelRecord, [String: String]) {
        let found = try await Self.loadChannel(id, cache: channelCache, database: database, resolver: resolver)
        return (found.channel, found.settings)
    }

    /// A channel with resolved settings, from `cache` when fresh (shared with the dispatcher, which has no engine).
    static func loadChannel(
        _ id: String, cache: ExpiringCache<ChannelWithSettings>, database: DatabasePool, resolver: SecretResolver
    ) async throws(ServiceError) -> ChannelWithSettings {
        let now = Self.now()
        if let hit = cache.value(for: id, now: now) { return hit }
        let channel: ChannelRecord?
        do {
            channel = try await database.read { db in try ChannelRecord.fetchOne(db, key: id) }
        } catch {
            throw .storage("the database read failed")
        }
        guard let channel else { throw .notFound("unknown-channel", "no channel '\(id)'") }
        let found = ChannelWithSettings(channel: channel, settings: try resolver.resolve(settings: channel.settings))
        cache.store(found, for: id, now: now)
        return found
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
            seen.bind(channel.id)
            if try seen.hasRow() { return }
        }
        switch event.optOut {
        case "stop":
            try db.execute(
                sql: """
                    INSERT INTO message_opt_out (account_id, channel_id, contact_address, created_at)
                    VALUES (?, ?, ?, ?) ON CONFLICT (channel_id, contact_address) DO NOTHING
                    """, arguments: [channel.accountId, channel.id, event.from, now])
        case "start":
            try db.execute(
                sql: "DELETE FROM message_opt_out WHERE channel_id = ? AND contact_address = ?",
                arguments: [channel.id, event.from])
        default:
            break
        }
        let conversationId = try upsertConversation(
            db, account: channel.accountId, channelId: channel.id, contact: event.from, now: now, inbound: true,
            whatsapp: channel.channel == "whatsapp")
        let message = MessageRecord(
            id: newId("msg"), accountId: channel.accountId, conversationId: conversationId, channelId: channel.id,
            direction: "inbound", fromAddress: event.from, toAddress: event.to ?? channel.address, body: event.text,
            media: event.media, status: MessageStatus.received.rawValue, providerMessageId: event.providerMessageId,
            templateName: nil, segments: nil, errorCode: note?.code, errorMessage: note?.message, reference: nil,
            confirmed: false, createdAt: now, updatedAt: now)
        try message.insertPrepared(db)
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
        WHERE provider_message_id = ? AND channel_id = ? AND direction = 'inbound' LIMIT 1
        """

    /// Applies a status callback to the message it names, or keeps it pending until that message is known.
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
            if message.providerMessageId == nil, let providerId = event.providerMessageId {
                message.providerMessageId = providerId
            }
            advance(
                &message, to: event.status, errorCode: event.errorCode, errorMessage: event.errorMessage, now: now)
            // Only the fields a callback can change: rewriting every column would also rewrite every index entry.
            var update = try DirectStatement(
                db,
                sql: """
                    UPDATE message SET status = ?, provider_message_id = ?, error_code = ?, error_message = ?,
                        updated_at = ?
                    WHERE id = ?
                    """)
            for text in [message.status, message.providerMessageId, message.errorCode, message.errorMessage] {
                update.bind(text)
            }
            update.bind(message.updatedAt)
            update.bind(message.id)
            try update.execute()
            return
        }
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
