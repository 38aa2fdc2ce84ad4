import CarrierCore
import CarrierRuntime
import Foundation

/// The `/webhooks` API: endpoints per account, their deliveries and replays, and the account's callback secret.
extension MessagingEngine {
    /// How long a rotated-out secret keeps signing beside the new one.
    static let secretOverlapSeconds: Double = 24 * 60 * 60

    /// The body of `POST /webhooks` and `PATCH /webhooks/{id}`; unknown members are refused.
    struct WebhookEndpointRequest: Sendable {
        var url: String?
        var events: [String]?
        /// Present-but-null clears the channel filter on PATCH.
        var channelId: String??
        var enabled: Bool?

        static let members: Set<String> = ["url", "events", "channelId", "enabled"]

        init(json bytes: [UInt8]) throws(ServiceError) {
            let object = try strictJSONObject(bytes, members: Self.members)
            switch object["url"] {
            case nil, .null: break
            case .string(let text): url = text
            default: throw .badJSON("'url' must be a string")
            }
            switch object["events"] {
            case nil, .null: break
            case .array(let items):
                var list: [String] = []
                for item in items {
                    guard case .string(let text) = item else { throw .badJSON("'events' must be an array of strings") }
                    list.append(text)
                }
                events = list
            default: throw .badJSON("'events' must be an array of strings")
            }
            switch object["channelId"] {
            case nil: break
            case .null: channelId = .some(nil)
            case .string(let text): channelId = .some(text)
            default: throw .badJSON("'channelId' must be a string")
            }
            switch object["enabled"] {
            case nil, .null: break
            case .bool(let flag): enabled = flag
            default: throw .badJSON("'enabled' must be true or false")
            }
        }
    }

    /// What the API shows of an endpoint; `secret` only in the answers that create or rotate it.
    struct WebhookEndpointView: Encodable, Sendable {
        var id: String
        var url: String
        var events: [String]
        var channelId: String?
        /// `enabled` or `disabled`.
        var status: String
        var disabledReason: String?
        var failingSince: Double?
        var createdAt: Double
        var updatedAt: Double
        var secret: String?

        init(_ record: WebhookEndpointRecord, secret: String? = nil) {
            id = record.id
            url = record.url
            events = record.events
            channelId = record.channelId
            status = record.enabled ? "enabled" : "disabled"
            disabledReason = record.disabledReason
            failingSince = record.failingSince
            createdAt = record.createdAt
            updatedAt = record.updatedAt
            self.secret = secret
        }
    }

    /// What the API shows of a delivery (never its signature or secret).
    struct WebhookDeliveryView: Encodable, Sendable {
        var id: String
        /// The `webhook-id` header: the same on every attempt and replay.
        var webhookId: String
        var type: String
        var messageId: String?
        var sequence: Int
        /// `pending`, `delivered` or `failed`.
        var status: String
        var attempts: Int
        var lastHttpStatus: Int?
        var lastError: String?
        var lastLatencyMs: Double?
        var nextAttemptAt: Double?
        var createdAt: Double
        var deliveredAt: Double?

        init(_ record: WebhookDeliveryRecord) {
            id = record.id
            webhookId = record.eventId
            type = record.eventType
            messageId = record.messageId
            sequence = record.sequence
            status = record.status
            attempts = record.attempts
            lastHttpStatus = record.lastHttpStatus
            lastError = record.lastError
            lastLatencyMs = record.lastLatencyMs
            nextAttemptAt = record.status == "pending" ? record.dueAt : nil
            createdAt = record.createdAt
            deliveredAt = record.deliveredAt
        }
    }

    private func webhookStorage<T: Sendable>(_ work: () async throws -> T) async throws(ServiceError) -> T {
        do {
            return try await work()
        } catch {
            throw storageFailure(error, writing: true)
        }
    }

    private func requireSecretBox() throws(ServiceError) -> SecretBox {
        guard let box = secretBox else {
            throw ServiceError(
                status: 400, code: "secrets-key-missing",
                message: "webhook secrets are stored encrypted: configure secretsKey first")
        }
        return box
    }

    private func validateEvents(_ events: [String]) throws(ServiceError) -> [String] {
        var errors: [ServiceError.FieldError] = []
        if events.isEmpty { errors.append(.invalid("events", "invalid-events", "events must name at least one event")) }
        for event in events where WebhookEventType(rawValue: event) == nil {
            errors.append(
                .invalid(
                    "events", "unknown-event",
                    "unknown event '\(event)' (message.received, message.status, optout.changed)"))
        }
        if !errors.isEmpty { throw .validation(errors) }
        return Array(Set(events)).sorted()
    }

    /// `POST /webhooks`: a new endpoint; the answer carries its secret, once.
    /// - Throws: ``ServiceError`` `validation-failed`, `destination-not-allowed`, `unresolvable-host`,
    ///   `unknown-channel`, `secrets-key-missing`.
    func createWebhook(_ request: WebhookEndpointRequest, account: String) async throws(ServiceError)
        -> WebhookEndpointView
    {
        guard let url = request.url else { throw .validation([.missing("url", "url is required")]) }
        guard let events = request.events else { throw .validation([.missing("events", "events is required")]) }
        let subscribed = try validateEvents(events)
        let channelId = request.channelId ?? nil
        if let channelId { _ = try await channel(id: channelId, account: account) }
        try await WebhookURL.check(url, field: "url", allowPrivate: configuration.allowPrivateWebhookTargets)
        let box = try requireSecretBox()
        let id = Self.newId("wh")
        let secret = WebhookSignature.makeSecret()
        let now = Self.now()
        let record = WebhookEndpointRecord(
            id: id, accountId: account, url: url, events: subscribed, channelId: channelId,
            secret: try box.seal(secret, account: account, channel: "webhook:" + id, name: "secret"),
            previousSecret: nil, previousSecretUntil: nil, enabled: request.enabled ?? true, disabledReason: nil,
            failingSince: nil, createdAt: now, updatedAt: now)
        let store = webhookStore
        try await webhookStorage { try await store.insertEndpoint(record) }
        return WebhookEndpointView(record, secret: secret)
    }

    func webhookEndpoints(account: String) async throws(ServiceError) -> [WebhookEndpointView] {
        let store = webhookStore
        return try await webhookStorage { try await store.endpoints(account: account) }.map { .init($0) }
    }

    /// - Throws: ``ServiceError`` `unknown-webhook`.
    func webhookEndpoint(id: String, account: String) async throws(ServiceError) -> WebhookEndpointView {
        let store = webhookStore
        guard let record = try await webhookStorage({ try await store.endpoint(id: id, account: account) }) else {
            throw Self.unknownWebhook(id)
        }
        return .init(record)
    }

    static func unknownWebhook(_ id: String) -> ServiceError { .notFound("unknown-webhook", "no webhook '\(id)'") }

    /// `PATCH /webhooks/{id}`: url, events, channelId (null for all channels), enabled (true re-enables a disabled
    /// endpoint and forgets its failures).
    func updateWebhook(id: String, _ request: WebhookEndpointRequest, account: String) async throws(ServiceError)
        -> WebhookEndpointView
    {
        let events = try request.events.map { events throws(ServiceError) in try validateEvents(events) }
        if let url = request.url {
            try await WebhookURL.check(url, field: "url", allowPrivate: configuration.allowPrivateWebhookTargets)
        }
        if case .some(.some(let channelId)) = request.channelId {
            _ = try await channel(id: channelId, account: account)
        }
        let now = Self.now()
        let store = webhookStore
        let updated = try await webhookStorage {
            try await store.updateEndpoint(id: id, account: account) { endpoint in
                if let url = request.url { endpoint.url = url }
                if let events { endpoint.events = events }
                if let channelId = request.channelId { endpoint.channelId = channelId }
                if let enabled = request.enabled, enabled != endpoint.enabled {
                    endpoint.enabled = enabled
                    endpoint.disabledReason = enabled ? nil : "manual"
                    endpoint.failingSince = nil
                }
                endpoint.updatedAt = now
            }
        }
        guard let updated else { throw Self.unknownWebhook(id) }
        return .init(updated)
    }

    func deleteWebhook(id: String, account: String) async throws(ServiceError) {
        let store = webhookStore
        guard try await webhookStorage({ try await store.deleteEndpoint(id: id, account: account) }) else {
            throw Self.unknownWebhook(id)
        }
    }

    /// `POST /webhooks/{id}/rotate-secret`: a new secret (shown once); the old one signs beside it for 24 hours.
    func rotateWebhookSecret(id: String, account: String) async throws(ServiceError) -> WebhookEndpointView {
        let box = try requireSecretBox()
        let secret = WebhookSignature.makeSecret()
        let sealed = try box.seal(secret, account: account, channel: "webhook:" + id, name: "secret")
        let now = Self.now()
        let store = webhookStore
        let updated = try await webhookStorage {
            try await store.updateEndpoint(id: id, account: account) { endpoint in
                endpoint.previousSecret = endpoint.secret
                endpoint.previousSecretUntil = now + Self.secretOverlapSeconds
                endpoint.secret = sealed
                endpoint.updatedAt = now
            }
        }
        guard let updated else { throw Self.unknownWebhook(id) }
        return .init(updated, secret: secret)
    }

    /// `GET /webhooks/{id}/deliveries`, newest first.
    func webhookDeliveries(id: String, account: String, limit: Int) async throws(ServiceError)
        -> [WebhookDeliveryView]
    {
        let store = webhookStore
        guard
            let deliveries = try await webhookStorage({
                try await store.deliveries(endpointId: id, account: account, limit: limit)
            })
        else { throw Self.unknownWebhook(id) }
        return deliveries.map { .init($0) }
    }

    /// `POST /webhooks/{id}/deliveries/{deliveryId}/replay`: the same event (same `webhook-id`) again, now.
    /// - Throws: ``ServiceError`` `unknown-webhook`, `unknown-delivery`, 409 `webhook-disabled`.
    func replayWebhookDelivery(id: String, deliveryId: String, account: String) async throws(ServiceError)
        -> WebhookDeliveryView
    {
        let endpoint = try await webhookEndpoint(id: id, account: account)
        guard endpoint.status == "enabled" else {
            throw ServiceError(
                status: 409, code: "webhook-disabled", message: "enable the webhook (PATCH enabled: true) to replay")
        }
        let store = webhookStore
        let now = Self.now()
        guard
            let delivery = try await webhookStorage({
                try await store.replay(deliveryId: deliveryId, endpointId: id, account: account, now: now)
            })
        else { throw .notFound("unknown-delivery", "no delivery '\(deliveryId)' for webhook '\(id)'") }
        webhooks.wake()
        return .init(delivery)
    }

    /// `GET /webhooks/callback-secret`: the secret that signs deliveries to messages' `callbackUrl` (made on first
    /// use), and until when a rotated-out one still signs.
    func callbackSecret(account: String) async throws(ServiceError) -> [String: String] {
        let box = try requireSecretBox()
        let store = webhookStore
        let now = Self.now()
        let record = try await webhookStorage {
            try await store.callbackSecret(account: account, now: now) {
                try box.seal(WebhookSignature.makeSecret(), account: account, channel: "callback", name: "secret")
            }
        }
        return try Self.callbackSecretView(record, box: box, now: now)
    }

    /// `POST /webhooks/callback-secret/rotate`.
    func rotateCallbackSecret(account: String) async throws(ServiceError) -> [String: String] {
        let box = try requireSecretBox()
        let sealed = try box.seal(WebhookSignature.makeSecret(), account: account, channel: "callback", name: "secret")
        let store = webhookStore
        let now = Self.now()
        let record = try await webhookStorage {
            try await store.rotateCallbackSecret(
                account: account, sealed: sealed, previousUntil: now + Self.secretOverlapSeconds, now: now)
        }
        return try Self.callbackSecretView(record, box: box, now: now)
    }

    private static func callbackSecretView(_ record: CallbackSecretRecord, box: SecretBox, now: Double)
        throws(ServiceError) -> [String: String]
    {
        var view = [
            "secret": try box.open(record.secret, account: record.accountId, channel: "callback", name: "secret")
        ]
        if let until = record.previousSecretUntil, until > now {
            view["previousSecretValidUntil"] = WebhookTime.rfc3339(until)
        }
        return view
    }

    /// Checks a `/send` `callbackUrl` (addresses included) and makes sure the account has a callback secret.
    func prepareCallback(_ url: String, account: String) async throws(ServiceError) {
        try await WebhookURL.check(url, field: "callbackUrl", allowPrivate: configuration.allowPrivateWebhookTargets)
        _ = try await callbackSecret(account: account)
    }
}
