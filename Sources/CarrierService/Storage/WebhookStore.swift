import GRDB

/// The storage boundary of customer webhooks: endpoints, the account's callback secret, and durable deliveries
/// (claimed with a lease, retried, listed, replayed).
///
/// Deliveries are queued inside the transaction that makes the change they report (``SQLiteWebhookEvents``), so no
/// event is lost or invented; this protocol covers everything after that. Every method is one transaction. Secrets
/// go in and come out sealed (``SecretBox``); the store never sees them in the clear.
protocol WebhookStore: Sendable {
    func insertEndpoint(_ endpoint: WebhookEndpointRecord) async throws

    /// The account's endpoints, oldest first.
    func endpoints(account: String) async throws -> [WebhookEndpointRecord]

    func endpoint(id: String, account: String) async throws -> WebhookEndpointRecord?

    /// Applies `change` to the account's endpoint and stores it; nil when there is no such endpoint.
    func updateEndpoint(
        id: String, account: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) throws -> Void
    ) async throws -> WebhookEndpointRecord?

    /// Deletes the endpoint and its deliveries; false when there is no such endpoint.
    func deleteEndpoint(id: String, account: String) async throws -> Bool

    /// The account's callback secret, made with `make` (a sealed secret) when it has none yet.
    func callbackSecret(account: String, now: Double, make: @escaping @Sendable () throws -> String) async throws
        -> CallbackSecretRecord

    /// Replaces the account's callback secret by `sealed`, the old one signing alongside it until `previousUntil`.
    func rotateCallbackSecret(account: String, sealed: String, previousUntil: Double, now: Double) async throws
        -> CallbackSecretRecord

    /// Claims up to `limit` pending deliveries due at `now` whose lease is free or ran out, leasing them to `owner`
    /// until `leaseUntil`, oldest due first, with the secrets that sign them.
    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int) async throws -> [ClaimedDelivery]

    /// Records one attempt of a claimed delivery and what follows for it and its endpoint.
    func finish(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome, endpoint: EndpointHealth, now: Double)
        async throws

    /// Frees every lease `owner` holds, or with nil every lease (start-up of the only process using the file).
    func releaseLeases(owner: String?) async throws

    /// The earliest due time of a pending delivery not leased, or nil when none is pending.
    func nextDueAt(now: Double) async throws -> Double?

    /// The endpoint's deliveries, newest first; nil when the account has no such endpoint.
    func deliveries(endpointId: String, account: String, limit: Int) async throws -> [WebhookDeliveryRecord]?

    /// Makes a delivery of the endpoint pending again, due at `now` (same event, same `webhook-id`).
    /// - Returns: the delivery, or nil when the account has no such endpoint or delivery.
    func replay(deliveryId: String, endpointId: String, account: String, now: Double) async throws
        -> WebhookDeliveryRecord?
}

/// A row of `webhook_endpoint`. `secret` and `previousSecret` are sealed (``SecretBox``).
struct WebhookEndpointRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "webhook_endpoint"
    var id: String
    var accountId: String
    var url: String
    /// ``WebhookEventType`` raw values.
    var events: [String]
    /// Only this channel's events, when set.
    var channelId: String?
    var secret: String
    var previousSecret: String?
    /// The previous secret signs too until then (24 hours after a rotation).
    var previousSecretUntil: Double?
    var enabled: Bool
    /// Why the endpoint was disabled: `gone` (it answered 410), `failing` (no success for 24 hours), `manual`.
    var disabledReason: String?
    /// The first failed attempt since the last success.
    var failingSince: Double?
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `webhook_callback_secret`: what signs deliveries to messages' own `callbackUrl`.
struct CallbackSecretRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "webhook_callback_secret"
    var accountId: String
    var secret: String
    var previousSecret: String?
    var previousSecretUntil: Double?
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `webhook_delivery`: one event for one URL. `eventId` is the `webhook-id`, the same on every attempt
/// and replay (and for every endpoint that gets the event).
struct WebhookDeliveryRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "webhook_delivery"
    var id: String
    var accountId: String
    /// Nil for a delivery to a message's `callbackUrl`.
    var endpointId: String?
    var url: String
    var eventId: String
    var eventType: String
    var messageId: String?
    var sequence: Int
    /// The exact body sent (and signed) on every attempt.
    var payload: String
    /// `pending`, `delivered` or `failed`.
    var status: String
    var attempts: Int
    var dueAt: Double?
    var leaseOwner: String?
    var leaseUntil: Double?
    var lastHttpStatus: Int?
    /// `http-500`, `timeout`, `unreachable`, `refused` (address not allowed), `endpoint-disabled`, `expired`.
    var lastError: String?
    var lastLatencyMs: Double?
    var createdAt: Double
    var updatedAt: Double
    var deliveredAt: Double?
}

/// A delivery leased to a deliverer, with the sealed secrets that sign it (the current one first) and where they
/// are bound (``SecretBox`` context).
struct ClaimedDelivery: Sendable {
    var delivery: WebhookDeliveryRecord
    var sealedSecrets: [String]
    /// The ``SecretBox`` channel the secrets are sealed for: `webhook:{endpointId}` or `callback`.
    var secretScope: String
    /// The endpoint's first failure since its last success (nil: not failing, or a callback URL).
    var failingSince: Double?
}

/// What one attempt of a delivery ends in.
enum DeliveryOutcome: Sendable {
    case delivered(httpStatus: Int, latencyMs: Double)
    /// Try again at `dueAt`.
    case retry(dueAt: Double, httpStatus: Int?, error: String, latencyMs: Double)
    /// No more attempts.
    case failed(httpStatus: Int?, error: String, latencyMs: Double)
}

/// What an attempt says about the delivery's endpoint (callback URLs have none).
enum EndpointHealth: Sendable {
    case healthy
    case failing
    /// Disable it (`gone`, `failing`) and fail its pending deliveries.
    case disable(reason: String)
}
