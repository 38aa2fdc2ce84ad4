import Foundation
import GRDB

/// Queues customer webhook deliveries inside the transaction that makes the change they report: an inbound message
/// stored, an outbound message's status moved forward, an opt-out changed. Either the change and its deliveries
/// commit together or neither does, so no event is lost or invented.
///
/// Without a subscriber (an enabled endpoint of the account for the event type and channel, or the message's
/// `callbackUrl`) this is one indexed read and writes nothing.
enum SQLiteWebhookEvents {
    /// `message.received` for an inbound message just stored.
    static func messageReceived(_ db: Database, _ message: MessageRecord, now: Double) throws {
        try enqueue(
            db, type: .messageReceived, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: nil, now: now
        ) { .message(.messageReceived, message, now: now) }
    }

    /// `message.status` for an outbound message whose status just changed, as stored afterwards.
    static func messageStatus(_ db: Database, _ message: MessageRecord, now: Double) throws {
        let callback =
            WebhookEventType.callbackWants(status: message.status, deliveryReport: message.deliveryReport)
            ? message.callbackUrl : nil
        try enqueue(
            db, type: .messageStatus, account: message.accountId, channelId: message.channelId,
            messageId: message.id, callbackUrl: callback, now: now
        ) { .message(.messageStatus, message, now: now) }
    }

    /// `message.status` for the outbound message `id` (read back after its status changed).
    static func messageStatus(_ db: Database, messageId: String, now: Double) throws {
        guard let message = try MessageRecord.fetchPrepared(db, id: messageId) else { return }
        try messageStatus(db, message, now: now)
    }

    /// `optout.changed` after a STOP or START from `contact`, carried by the inbound message `messageId`.
    static func optOutChanged(
        _ db: Database, account: String, channelId: String, contact: String, optedOut: Bool, messageId: String,
        now: Double
    ) throws {
        try enqueue(
            db, type: .optOutChanged, account: account, channelId: channelId, messageId: messageId, callbackUrl: nil,
            now: now
        ) {
            .optOut(
                account: account, channelId: channelId, contact: contact, optedOut: optedOut, messageId: messageId,
                now: now)
        }
    }

    private static func enqueue(
        _ db: Database, type: WebhookEventType, account: String, channelId: String, messageId: String,
        callbackUrl: String?, now: Double, event: () -> WebhookEvent
    ) throws {
        var targets: [(endpointId: String?, url: String)] = []
        let endpoints = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, url, events, channel_id FROM webhook_endpoint WHERE account_id = ? AND enabled = 1
                    ORDER BY created_at
                    """), arguments: [account])
        let quotedType = "\"" + type.rawValue + "\""
        for row in endpoints {
            let events: String = row[2]
            let channel: String? = row[3]
            guard events.contains(quotedType), channel == nil || channel == channelId else { continue }
            targets.append((row[0], row[1]))
        }
        if let callbackUrl { targets.append((nil, callbackUrl)) }
        guard !targets.isEmpty else { return }
        let sequence =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: "UPDATE message SET event_sequence = event_sequence + 1 WHERE id = ? RETURNING event_sequence"
                ), arguments: [messageId]) ?? 0
        let body = event().body(sequence: sequence)
        let eventId = TimeOrderedID.make(prefix: "evt")
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO webhook_delivery (id, account_id, endpoint_id, url, event_id, event_type, message_id,
                    sequence, payload, status, attempts, due_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
                """)
        for target in targets {
            try insert.execute(arguments: [
                TimeOrderedID.make(prefix: "whd"), account, target.endpointId, target.url, eventId, type.rawValue,
                messageId, sequence, body, now, now, now,
            ])
        }
    }
}
