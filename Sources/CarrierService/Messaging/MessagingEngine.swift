import CarrierRuntime
import Foundation
import Logging
import Synchronization

/// The messaging rules: send, receive, statuses, conversations, opt-outs and WhatsApp windows.
///
/// The engine knows nothing about HTTP routing; ``ServiceResponder`` decodes requests and calls it.
/// It reaches storage only through the protocols of ``ServiceStores`` (no SQL here); on SQLite every change runs
/// serialized (batched by ``GroupCommitWriter``, each in its own savepoint), which is what keeps status callbacks
/// that race the send response from being lost.
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
    /// API keys, channels and templates.
    let admin: any AdminStore
    /// Single messages and conversations, replies.
    let queries: any MessageQueryStore
    /// Deleting what is past its time.
    let retention: any RetentionStore

    /// Carrier webhooks: received messages, statuses, parts.
    let inboundStore: any InboundStore

    /// Creates the engine over a storage backend (``ServiceStores``; the SQLite one also has an initializer
    /// taking the database and its writer).
    init(
        stores: ServiceStores, gateway: any CarrierGateway, configuration: ServiceConfiguration,
        resolver: SecretResolver, logger: Logger, metrics: ServiceMetrics = ServiceMetrics()
    ) {
        inboundStore = stores.inbound
        self.metrics = metrics
        operations = stores.operations
        admin = stores.admin
        queries = stores.queries
        retention = stores.retention
        self.gateway = gateway
        self.configuration = configuration
        self.resolver = resolver
        self.logger = logger
        let store = stores.outbox
        self.store = store
        identity = stores.identity
        // The dispatcher resolves channels as the engine does (cache, decrypted or operator-resolved settings).
        let link = EngineLink()
        dispatcher = Dispatcher(
            store: store, pacer: stores.pacing, gateway: gateway, configuration: configuration,
            channels: { key throws(ServiceError) in
                guard let engine = link.engine else { throw ServiceError.storage("the service is stopping") }
                return try await engine.cachedChannelWithSettings(account: key.account, id: key.channelId)
            }, logger: logger, metrics: metrics)
        let webhookStore = stores.webhooks
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

    /// Runs one store call, mapping storage errors to `storage-error` (see ``storageFailure(_:writing:)``).
    func storage<T: Sendable>(writing: Bool, _ work: () async throws -> T) async throws(ServiceError) -> T {
        do {
            return try await work()
        } catch {
            throw storageFailure(error, writing: writing)
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
}

/// The dispatcher's way back to the engine that owns it, without keeping it alive.
private final class EngineLink: @unchecked Sendable {
    /// Set once, in the engine's initializer, before the dispatcher can run.
    weak var engine: MessagingEngine?
}
