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
    /// The outbound path's storage.
    let store: any OutboxStore
    /// Opt-outs and the list queries.
    let identity: any IdentityStore
    /// Provider status words already logged as unmapped (each is logged once).
    let loggedUnmappedStatuses = Mutex<Set<String>>([])
    /// Sends what the outbox holds (its claim loop runs only when `configuration.dispatcher` is on).
    let dispatcher: Dispatcher
    /// Customer webhooks: endpoints, callback secrets, deliveries.
    let webhookStore: any WebhookStore
    /// Delivers queued webhook events (its loop runs beside the dispatcher's).
    let webhooks: WebhookDeliverer
    /// Counters and histograms for `GET /metrics`.
    let metrics: ServiceMetrics
    /// What `/ready` and `/metrics` read from storage.
    let operations: any OperationsStore

    init(
        database: DatabasePool, writer: GroupCommitWriter, gateway: any CarrierGateway,
        configuration: ServiceConfiguration, resolver: SecretResolver, logger: Logger,
        metrics: ServiceMetrics = ServiceMetrics()
    ) {
        self.metrics = metrics
        self.operations = SQLiteOperationsStore(database: database)
        self.database = database
        self.writer = writer
        self.gateway = gateway
        self.configuration = configuration
        self.resolver = resolver
        self.logger = logger
        let store = SQLiteOutboxStore(database: database, writer: writer)
        self.store = store
        identity = SQLiteIdentityStore(database: database, writer: writer)
        // The dispatcher resolves channels as the engine does (cache, decrypted or operator-resolved settings).
        let link = EngineLink()
        dispatcher = Dispatcher(
            store: store, gateway: gateway, configuration: configuration,
            channels: { key throws(ServiceError) in
                guard let engine = link.engine else { throw ServiceError.storage("the service is stopping") }
                return try await engine.cachedChannelWithSettings(account: key.account, id: key.channelId)
            }, logger: logger, metrics: metrics)
        let webhookStore = SQLiteWebhookStore(database: database, writer: writer)
        self.webhookStore = webhookStore
        webhooks = WebhookDeliverer(
            store: webhookStore,
            transport: CurlTransport(
                maxInFlight: configuration.webhookConcurrency, maxConnections: 64,
                policy: OutboundPolicy(
                    allowedHosts: nil, allowInternalAddresses: configuration.allowPrivateWebhookTargets)),
            configuration: configuration, secretBox: { link.engine?.secretBox }, logger: logger)
        link.engine = self
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

    /// The longest validity a message may ask for.
    static let maxValiditySeconds = 7 * 86_400

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
        whatsapp: Bool, queue: String? = nil
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
                    window_expires_at, last_message_at, created_at, updated_at, queue)
                VALUES (?, ?, ?, ?, 'open', NULL, ?, ?, ?, ?, ?, ?)
                """)
        insert.bind(id)
        insert.bind(account)
        insert.bind(channelId)
        insert.bind(contact)
        insert.bind(inbound ? 1 : 0)
        insert.bind(window)
        for _ in 0..<3 { insert.bind(now) }
        insert.bind(queue)
        try insert.execute()
        return id
    }
}

/// The dispatcher's way back to the engine that owns it, without keeping it alive.
private final class EngineLink: @unchecked Sendable {
    /// Set once, in the engine's initializer, before the dispatcher can run.
    weak var engine: MessagingEngine?
}
