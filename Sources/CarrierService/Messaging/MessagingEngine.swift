import CarrierRuntime
import Foundation
import GRDB
import Logging
import Synchronization

/// The messaging rules: send, receive, statuses, conversations, opt-outs and WhatsApp windows.
///
/// The engine knows nothing about HTTP routing; ``ServiceResponder`` decodes requests and calls it.
/// Every database change runs serialized (batched by ``GroupCommitWriter``, each in its own savepoint), which is
/// what keeps status callbacks that race the send response from being lost (see ``storeSendResult(_:result:now:)``).
///
/// A class, not a struct: every request's closures capture it, and copying a struct of this many references cost a
/// retain and a release for each of them every time.
final class MessagingEngine: Sendable {
    /// A JSON answer for the HTTP layer.
    struct Reply: Sendable {
        var status: Int
        var body: Data
    }

    /// How long a WhatsApp conversation accepts free-form messages after the last inbound message.
    static let windowSeconds: Double = 24 * 60 * 60

    let database: DatabasePool
    let writer: GroupCommitWriter
    /// ``channelKey(account:id:)`` -> the channel and its resolved settings.
    let channelCache = ExpiringCache<ChannelWithSettings>(lifetime: 10)
    /// The secrets key and configured channels' resolved settings, set by ``bootstrap()``.
    let secrets = Mutex(OperatorSecrets())
    /// SHA-256 of an API key -> who it is. Keys only change at start-up (bootstrap), so positives are safe to keep.
    let keyCache = ExpiringCache<APIKeyIdentity>(lifetime: 60)
    let gateway: any CarrierGateway
    let configuration: ServiceConfiguration
    let resolver: SecretResolver
    let logger: Logger

    init(
        database: DatabasePool, writer: GroupCommitWriter, gateway: any CarrierGateway,
        configuration: ServiceConfiguration, resolver: SecretResolver, logger: Logger
    ) {
        self.database = database
        self.writer = writer
        self.gateway = gateway
        self.configuration = configuration
        self.resolver = resolver
        self.logger = logger
    }

    // MARK: Helpers

    /// The key of a channel in the caches: channel ids are unique within an account only.
    static func channelKey(account: String, id: String) -> String {
        account + "\u{0}" + id
    }

    var secretBox: SecretBox? { secrets.withLock { $0.box } }

    /// A new row id, time-ordered (see ``TimeOrderedID``).
    static func newId(_ prefix: String) -> String {
        TimeOrderedID.make(prefix: prefix)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    /// Runs `updates` in one write transaction, mapping database errors to `storage-error`.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws(ServiceError) -> T {
        do {
            return try await writer.write(updates)
        } catch {
            throw storageFailure(error, writing: true)
        }
    }

    /// Runs `value` in a read transaction, mapping database errors to `storage-error`.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws(ServiceError) -> T {
        do {
            return try await database.read(value)
        } catch {
            throw storageFailure(error, writing: false)
        }
    }

    /// A ``ServiceError`` thrown by the work itself as is; anything else (SQLite) logged and answered as
    /// `storage-error`, without its details.
    func storageFailure(_ error: any Error, writing: Bool) -> ServiceError {
        if let error = error as? ServiceError { return error }
        logger.error(writing ? "database write failed" : "database read failed", metadata: ["error": "\(error)"])
        return .storage(writing ? "the database write failed" : "the database read failed")
    }

    // MARK: Send

    /// Validates, stores and dispatches one outbound message.
    /// - Parameters:
    ///   - request: The decoded `POST /send` body.
    ///   - account: The API key's account.
    /// - Returns: 200 with a ``SendResponse``, or 502 with the same body plus `error` when the carrier refused.
    /// - Throws: ``ServiceError`` for validation, opt-out, window and template errors.
    func send(_ request: SendRequest, account: String) async throws(ServiceError) -> Reply {
        let fieldErrors = request.validate()
        if !fieldErrors.isEmpty { throw .validation(fieldErrors) }
        let channelId = request.channelId ?? ""
        let to = request.to ?? ""
        let now = Self.now()

        let templateName = request.templateName.flatMap { $0.isEmpty ? nil : $0 }
        let templateLang = request.templateLang
        let (channel, settings) = try await cachedChannel(account: account, id: channelId)
        let gateway = self.gateway
        let messageId = Self.newId("msg")
        let media = request.mediaUrls ?? []
        let reference = request.reference
        let requestBody = request.body
        let variables = request.templateVars ?? []
        // Counted here, not in the serialized transaction; a template's body is only known inside it.
        let bodySegments =
            templateName == nil ? requestBody.map { gateway.segments(for: $0, carrier: channel.provider) } : nil

        /// What the checks decided, for the dispatch after the transaction.
        struct Accepted: Sendable {
            var conversationId: String
            var template: OutboundMessage.Template?
            var segments: Int
            var message: MessageRecord
        }
        // Checks and the insert run in one serialized transaction: an opt-out or an inbound message that lands
        // between them cannot be missed, and it costs one trip to the writer instead of two.
        let accepted = try await write { db -> Accepted in
            var optOutCheck = try DirectStatement(
                db,
                sql: "SELECT 1 FROM message_opt_out WHERE account_id = ? AND channel_id = ? AND contact_address = ?")
            optOutCheck.bind(account)
            optOutCheck.bind(channelId)
            optOutCheck.bind(to)
            if try optOutCheck.hasRow() {
                throw ServiceError(
                    status: 403, code: "opted-out", message: "the recipient has opted out of this channel")
            }
            var storedBody = requestBody
            var outboundTemplate: OutboundMessage.Template?
            if let templateName {
                var query = TemplateRecord.filter(Column("account_id") == account && Column("name") == templateName)
                if let templateLang { query = query.filter(Column("language") == templateLang) }
                let candidates = try query.order(Column("created_at")).fetchAll(db)
                guard let template = candidates.first(where: { $0.status == "approved" }) else {
                    throw ServiceError(
                        status: 422, code: "unknown-template",
                        message: "no approved template '\(templateName)'" + (templateLang.map { " (\($0))" } ?? ""))
                }
                guard gateway.supportsTemplates(carrier: channel.provider) else {
                    throw ServiceError(
                        status: 422, code: "templates-unsupported",
                        message: "carrier '\(channel.provider)' does not support template messages")
                }
                storedBody = try TemplateFiller.fill(template.body, variables: variables)
                outboundTemplate = .init(name: template.name, language: template.language, variables: variables)
            }
            if channel.channel == "whatsapp" && outboundTemplate == nil {
                let windowQuery = try db.cachedStatement(
                    sql: """
                        SELECT window_expires_at FROM conversation
                        WHERE account_id = ? AND channel_id = ? AND contact_address = ?
                        """)
                let window = try Double.fetchOne(windowQuery, arguments: [account, channelId, to])
                if (window ?? 0) <= now {
                    throw ServiceError(
                        status: 422, code: "window-closed",
                        message: "no inbound message in the last 24 hours: only template messages may be sent")
                }
            }
            let segments =
                bodySegments ?? storedBody.map { gateway.segments(for: $0, carrier: channel.provider) } ?? 1
            let conversationId = try Self.upsertConversation(
                db, account: account, channelId: channel.id, contact: to, now: now, inbound: false,
                whatsapp: false)
            let message = MessageRecord(
                id: messageId, accountId: account, conversationId: conversationId, channelId: channel.id,
                direction: "outbound", fromAddress: channel.address, toAddress: to, body: storedBody, media: media,
                status: MessageStatus.queued.rawValue, providerMessageId: nil, templateName: outboundTemplate?.name,
                segments: segments, errorCode: nil, errorMessage: nil, reference: reference, confirmed: false,
                createdAt: now, updatedAt: now)
            try message.insertPrepared(db)
            return Accepted(
                conversationId: conversationId, template: outboundTemplate, segments: segments, message: message)
        }
        let conversationId = accepted.conversationId
        let outboundTemplate = accepted.template
        let segments = accepted.segments

        let outbound = OutboundMessage(
            channel: channel.channel, to: to, from: channel.address,
            body: outboundTemplate == nil ? request.body : nil, media: media, template: outboundTemplate,
            reference: messageId)
        var result = await dispatch(outbound, carrier: channel.provider, settings: settings)
        // The carrier's words stay out of the API (issue #14); admins read a redacted excerpt.
        var excerpt: String?
        if result.outcome != .ok {
            let secretNames = gateway.secretSettings(carrier: channel.provider)
            excerpt = result.adminExcerpt(secrets: settings.filter { secretNames.contains($0.key) }.map(\.value))
            let failure = result.publicFailure
            result.errorMessage = failure.message
            result.errorCode = failure.code
        }
        let stored = try await storeSendResult(accepted.message, result: result, now: Self.now())
        if let excerpt { try await storeCarrierReplyExcerpt(excerpt, messageId: messageId) }

        var response = SendResponse(
            ok: result.outcome == .ok, messageId: messageId, conversationId: conversationId,
            providerMessageId: stored.providerMessageId, status: stored.status,
            segments: result.segments ?? segments)
        if result.outcome != .ok {
            response.error = .init(
                code: "carrier-error", message: result.errorMessage ?? "the message could not be sent",
                carrierCode: result.errorCode, retryable: result.outcome == .retryable)
            return Reply(status: 502, body: response.json)
        }
        return Reply(status: 200, body: response.json)
    }

    /// Sends, retrying retryable failures up to `maxSendAttempts` times with a bounded exponential backoff.
    func dispatch(_ message: OutboundMessage, carrier: String, settings: [String: String]) async -> SendResult {
        let attempts = max(1, configuration.maxSendAttempts)
        var result = await gateway.send(message, carrier: carrier, settings: settings)
        var attempt = 1
        while result.outcome == .retryable && attempt < attempts {
            let backoff = configuration.retryBaseDelaySeconds * pow(2, Double(attempt - 1))
            let delay = min(max(0, result.retryAfterSeconds ?? backoff), configuration.retryMaxDelaySeconds)
            logger.info(
                "send retry", metadata: ["carrier": "\(carrier)", "attempt": "\(attempt + 1)", "delay": "\(delay)"])
            if delay > 0 {
                do {
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                } catch {
                    break
                }
            }
            result = await gateway.send(message, carrier: carrier, settings: settings)
            attempt += 1
        }
        return result
    }

    /// Stores the outcome of a send and applies any status callbacks that arrived before it.
    ///
    /// A carrier may post a delivery report before its send response reaches us; such a report is kept in
    /// `pending_status` (see ``applyStatus(_:account:channelId:now:)``). This runs in the same serialized write
    /// queue, so a report is either already pending here or will find the provider id stored: it cannot be lost.
    func storeSendResult(_ inserted: MessageRecord, result: SendResult, now: Double) async throws(ServiceError)
        -> MessageRecord
    {
        try await write { db -> MessageRecord in
            // Only the status fields can have changed since the insert (a callback that names our reference).
            var read = try DirectStatement(
                db, sql: "SELECT status, provider_message_id, error_code, error_message FROM message WHERE id = ?")
            read.bind(inserted.id)
            guard try read.step(), let status = read.text(0) else {
                read.reset()
                throw ServiceError.storage("message \(inserted.id) vanished")
            }
            var message = inserted
            message.status = status
            message.providerMessageId = read.text(1)
            message.errorCode = read.text(2)
            message.errorMessage = read.text(3)
            read.reset()
            let current = MessageStatus(rawValue: message.status) ?? .queued
            switch result.outcome {
            case .ok:
                message.providerMessageId = result.providerMessageId ?? message.providerMessageId
                let mapped = (result.status ?? result.providerStatus).flatMap {
                    MessageStatus(rawValue: $0.lowercased())
                }
                let candidate = mapped.flatMap { [.queued, .sent, .delivered, .read].contains($0) ? $0 : nil } ?? .sent
                if current.canAdvance(to: candidate) { message.status = candidate.rawValue }
            case .retryable, .permanent:
                message.providerMessageId = result.providerMessageId ?? message.providerMessageId
                if current.canAdvance(to: .failed) { message.status = MessageStatus.failed.rawValue }
                message.errorCode = result.errorCode ?? "carrier-error"
                message.errorMessage = result.errorMessage
            }
            if let segments = result.segments { message.segments = segments }
            message.updatedAt = now
            if let providerId = message.providerMessageId {
                let pending = try db.cachedStatement(
                    sql: """
                        SELECT id, status, error_code, error_message FROM pending_status
                        WHERE account_id = ? AND provider_message_id = ? ORDER BY id
                        """)
                let rows = try Row.fetchAll(pending, arguments: [message.accountId, providerId])
                for row in rows {
                    Self.advance(&message, to: row[1], errorCode: row[2], errorMessage: row[3], now: now)
                    try db.execute(sql: "DELETE FROM pending_status WHERE id = ?", arguments: [row[0] as Int64])
                }
            }
            var update = try DirectStatement(
                db,
                sql: """
                    UPDATE message SET status = ?, provider_message_id = ?, segments = ?, error_code = ?,
                        error_message = ?, updated_at = ?
                    WHERE id = ?
                    """)
            update.bind(message.status)
            update.bind(message.providerMessageId)
            update.bind(message.segments)
            update.bind(message.errorCode)
            update.bind(message.errorMessage)
            update.bind(message.updatedAt)
            update.bind(message.id)
            try update.execute()
            return message
        }
    }

    /// Moves `message` to `status` when the order allows it.
    static func advance(
        _ message: inout some MessageProgress, to status: String, errorCode: String?, errorMessage: String?,
        now: Double
    ) {
        guard let next = MessageStatus(rawValue: status),
            (MessageStatus(rawValue: message.status) ?? .queued).canAdvance(to: next)
        else { return }
        message.status = next.rawValue
        if next.isTerminal {
            message.errorCode = errorCode ?? message.errorCode
            message.errorMessage = errorMessage ?? message.errorMessage
        }
        message.updatedAt = now
    }

    /// Returns the id of the conversation for (channel, contact), creating it, or updating it for a new message.
    ///
    /// An inbound message reopens a closed conversation, adds one unread message and, on WhatsApp, opens the
    /// 24-hour window again.
    static func upsertConversation(
        _ db: Database, account: String, channelId: String, contact: String, now: Double, inbound: Bool,
        whatsapp: Bool
    ) throws -> String {
        // Most messages belong to a conversation that exists: update it first (reopened if closed and this is
        // inbound, unread count raised, WhatsApp window reset) and only insert when there was none. Trying the
        // insert first (an upsert) cost a uniqueness probe and a fresh id for every message.
        let window: Double? = inbound && whatsapp ? now + windowSeconds : nil
        var update = try DirectStatement(
            db,
            sql: """
                UPDATE conversation SET
                    status = CASE WHEN ?1 > 0 AND status = 'closed' THEN 'open' ELSE status END,
                    unread_count = unread_count + ?1,
                    window_expires_at = COALESCE(?2, window_expires_at),
                    last_message_at = ?3,
                    updated_at = ?3
                WHERE account_id = ?6 AND channel_id = ?4 AND contact_address = ?5
                RETURNING id
                """)
        update.bind(inbound ? 1 : 0)
        update.bind(window)
        update.bind(now)
        update.bind(channelId)
        update.bind(contact)
        update.bind(account)
        let existing = try update.step() ? update.text(0) : nil
        update.reset()
        if let existing { return existing }

        let id = newId("conv")
        var insert = try DirectStatement(
            db,
            sql: """
                INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                    window_expires_at, last_message_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'open', NULL, ?, ?, ?, ?, ?)
                """)
        insert.bind(id)
        insert.bind(account)
        insert.bind(channelId)
        insert.bind(contact)
        insert.bind(inbound ? 1 : 0)
        insert.bind(window)
        for _ in 0..<3 { insert.bind(now) }
        try insert.execute()
        return id
    }
}
