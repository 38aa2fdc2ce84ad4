import Foundation
import Logging
import PostgresNIO

/// Queues customer webhook deliveries inside the PostgreSQL transaction that makes the change they report, like
/// ``SQLiteWebhookEvents``: the change and its deliveries commit together or not at all. A queued delivery wakes
/// every instance's deliverer (NOTIFY, sent on commit).
enum PostgresWebhookEvents {
    /// `message.received` for an inbound message just stored.
    static func messageReceived(
        _ connection: PostgresConnection, _ message: MessageRecord, now: Double, endpoints: [Endpoint]? = nil,
        logger: Logger
    ) async throws {
        try await enqueue(
            connection, type: .messageReceived, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: nil, now: now, endpoints: endpoints, logger: logger
        ) { .message(.messageReceived, message, now: now) }
    }

    /// `message.status` for an outbound message whose status just changed, as stored afterwards.
    /// - Parameter endpoints: the account's enabled endpoints when the caller read them already
    ///   (``endpointsColumn``), else nil.
    static func messageStatus(
        _ connection: PostgresConnection, _ message: MessageRecord, now: Double, endpoints: [Endpoint]? = nil,
        logger: Logger
    ) async throws {
        try await enqueue(
            connection, type: .messageStatus, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: statusCallback(message), now: now, endpoints: endpoints,
            logger: logger
        ) { .message(.messageStatus, message, now: now) }
    }

    /// The message's callback URL when it wants its status as stored now (`deliveryReport`), else nil.
    static func statusCallback(_ message: MessageRecord) -> String? {
        WebhookEventType.callbackWants(status: message.status, deliveryReport: message.deliveryReport)
            ? message.callbackUrl : nil
    }

    /// Where an event of `type` on `channelId` goes: each endpoint subscribed to it (for every channel or this one),
    /// then the callback URL.
    static func targets(
        type: WebhookEventType, channelId: String, callbackUrl: String?, endpoints: [Endpoint]
    ) -> [(endpointId: String?, url: String)] {
        let quotedType = "\"" + type.rawValue + "\""
        var targets: [(endpointId: String?, url: String)] = []
        for endpoint in endpoints {
            guard endpoint.events.contains(quotedType), endpoint.channelId == nil || endpoint.channelId == channelId
            else { continue }
            targets.append((endpoint.id, endpoint.url))
        }
        if let callbackUrl { targets.append((nil, callbackUrl)) }
        return targets
    }

    /// An enabled endpoint of the account, in creation order: `events` is the JSON list of types it subscribes to.
    struct Endpoint: Sendable, Decodable {
        var id: String
        var url: String
        var events: String
        var channelId: String?
    }

    /// A column expression reading the enabled endpoints of the account `accountColumn` names as JSON text, for a
    /// statement that reads other things in the same round trip; decode it with ``endpoints(_:)``.
    static func endpointsColumn(accountColumn: String) -> String {
        """
        (SELECT json_agg(json_build_object('id', e.id, 'url', e.url, 'events', e.events, 'channelId', e.channel_id)
            ORDER BY e.created_at)
         FROM webhook_endpoint e WHERE e.account_id = \(accountColumn) AND e.enabled)::text
        """
    }

    /// The endpoints an ``endpointsColumn(accountColumn:)`` read (NULL: none).
    static func endpoints(_ json: String?) throws -> [Endpoint] {
        guard let json else { return [] }
        return try JSONDecoder().decode([Endpoint].self, from: Data(json.utf8))
    }

    /// `optout.changed` after a STOP or START from `contact`, carried by the inbound message `messageId`.
    static func optOutChanged(
        _ connection: PostgresConnection, account: String, channelId: String, contact: String, optedOut: Bool,
        messageId: String, now: Double, endpoints: [Endpoint]? = nil, logger: Logger
    ) async throws {
        try await enqueue(
            connection, type: .optOutChanged, account: account, channelId: channelId, messageId: messageId,
            callbackUrl: nil, now: now, endpoints: endpoints, logger: logger
        ) {
            .optOut(
                account: account, channelId: channelId, contact: contact, optedOut: optedOut, messageId: messageId,
                now: now)
        }
    }

    private static func enqueue(
        _ connection: PostgresConnection, type: WebhookEventType, account: String, channelId: String,
        messageId: String, callbackUrl: String?, now: Double, endpoints known: [Endpoint]? = nil, logger: Logger,
        event: () -> WebhookEvent
    ) async throws {
        var endpoints: [Endpoint]
        if let known {
            endpoints = known
        } else {
            endpoints = []
            let rows = try await connection.query(
                """
                SELECT id, url, events, channel_id FROM webhook_endpoint WHERE account_id = \(account) AND enabled
                ORDER BY created_at
                """, logger: logger)
            for try await (id, url, events, channel) in rows.decode((String, String, String, String?).self) {
                endpoints.append(Endpoint(id: id, url: url, events: events, channelId: channel))
            }
        }
        let targets = targets(type: type, channelId: channelId, callbackUrl: callbackUrl, endpoints: endpoints)
        guard !targets.isEmpty else { return }
        var sequence = 0
        let next = PostgresWebhookEventStatements.NextSequence(messageId: messageId)
        for try await value in try await connection.execute(next, logger: logger) { sequence = value }
        let deliveries = PostgresWebhookEventStatements.InsertDeliveries(
            account: account, eventId: TimeOrderedID.make(prefix: "evt"), eventType: type.rawValue,
            messageId: messageId, sequence: sequence, payload: event().body(sequence: sequence), now: now,
            targets: PostgresWebhookEventStatements.targets(targets))
        for try await _ in try await connection.execute(deliveries, logger: logger) {}
    }
}
