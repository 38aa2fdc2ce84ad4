import Foundation
import Logging
import PostgresNIO

/// Queues customer webhook deliveries inside the PostgreSQL transaction that makes the change they report, like
/// ``SQLiteWebhookEvents``: the change and its deliveries commit together or not at all. A queued delivery wakes
/// every instance's deliverer (NOTIFY, sent on commit).
enum PostgresWebhookEvents {
    /// `message.received` for an inbound message just stored.
    static func messageReceived(_ connection: PostgresConnection, _ message: MessageRecord, now: Double, logger: Logger)
        async throws
    {
        try await enqueue(
            connection, type: .messageReceived, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: nil, now: now, logger: logger
        ) { .message(.messageReceived, message, now: now) }
    }

    /// `message.status` for an outbound message whose status just changed, as stored afterwards.
    static func messageStatus(_ connection: PostgresConnection, _ message: MessageRecord, now: Double, logger: Logger)
        async throws
    {
        let callback =
            WebhookEventType.callbackWants(status: message.status, deliveryReport: message.deliveryReport)
            ? message.callbackUrl : nil
        try await enqueue(
            connection, type: .messageStatus, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: callback, now: now, logger: logger
        ) { .message(.messageStatus, message, now: now) }
    }

    /// `message.status` for the outbound message `id` (read back after its status changed).
    static func messageStatus(_ connection: PostgresConnection, messageId: String, now: Double, logger: Logger)
        async throws
    {
        let rows = try await connection.query("SELECT * FROM message WHERE id = \(messageId)", logger: logger)
        guard let message = try await PostgresRowDecoder.first(MessageRecord.self, rows) else { return }
        try await messageStatus(connection, message, now: now, logger: logger)
    }

    /// `optout.changed` after a STOP or START from `contact`, carried by the inbound message `messageId`.
    static func optOutChanged(
        _ connection: PostgresConnection, account: String, channelId: String, contact: String, optedOut: Bool,
        messageId: String, now: Double, logger: Logger
    ) async throws {
        try await enqueue(
            connection, type: .optOutChanged, account: account, channelId: channelId, messageId: messageId,
            callbackUrl: nil, now: now, logger: logger
        ) {
            .optOut(
                account: account, channelId: channelId, contact: contact, optedOut: optedOut, messageId: messageId,
                now: now)
        }
    }

    private static func enqueue(
        _ connection: PostgresConnection, type: WebhookEventType, account: String, channelId: String,
        messageId: String, callbackUrl: String?, now: Double, logger: Logger, event: () -> WebhookEvent
    ) async throws {
        var targets: [(endpointId: String?, url: String)] = []
        let quotedType = "\"" + type.rawValue + "\""
        let endpoints = try await connection.query(
            """
            SELECT id, url, events, channel_id FROM webhook_endpoint WHERE account_id = \(account) AND enabled
            ORDER BY created_at
            """, logger: logger)
        for try await (id, url, events, channel) in endpoints.decode((String, String, String, String?).self) {
            guard events.contains(quotedType), channel == nil || channel == channelId else { continue }
            targets.append((id, url))
        }
        if let callbackUrl { targets.append((nil, callbackUrl)) }
        guard !targets.isEmpty else { return }
        var sequence = 0
        for try await value in try await connection.query(
            "UPDATE message SET event_sequence = event_sequence + 1 WHERE id = \(messageId) RETURNING event_sequence",
            logger: logger
        ).decode(Int.self) {
            sequence = value
        }
        let body = event().body(sequence: sequence)
        let eventId = TimeOrderedID.make(prefix: "evt")
        for target in targets {
            try await connection.query(
                """
                INSERT INTO webhook_delivery (id, account_id, endpoint_id, url, event_id, event_type, message_id,
                    sequence, payload, status, attempts, due_at, created_at, updated_at)
                VALUES (\(TimeOrderedID.make(prefix: "whd")), \(account), \(target.endpointId), \(target.url),
                    \(eventId), \(type.rawValue), \(messageId), \(sequence), \(body), 'pending', 0, \(now), \(now),
                    \(now))
                """, logger: logger)
        }
        try await PostgresServiceDatabase.notify(connection, PostgresServiceDatabase.wakeChannel, payload: "webhook", logger: logger)
    }
}
