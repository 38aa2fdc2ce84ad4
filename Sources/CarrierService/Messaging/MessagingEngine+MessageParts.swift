import CarrierRuntime
import GRDB

/// Long inbound messages that a carrier delivers as separate webhooks (Vonage's `concat-ref`, `concat-total`,
/// `concat-part`): each part waits in `message_part` until the set is complete, then one message is stored.
///
/// Parts that never complete are not lost: after ``partWaitSeconds`` the parts that did arrive are stored as one
/// message marked `parts-missing`. Assembled parts are kept for ``assembledPartKeepSeconds`` so that a part the
/// carrier sends again is recognised and not taken for the start of a new message.
extension MessagingEngine {
    static let partWaitSeconds: Double = 30 * 60
    static let assembledPartKeepSeconds: Double = 60 * 60

    /// One waiting part, as stored.
    struct StoredPart {
        var number: Int
        var to: String?
        var body: String?
        var media: [String]
        var providerMessageId: String?
    }

    /// Stores a part; returns the whole message once the last part is in, nil while parts are missing or when the
    /// part was already stored (the carrier sent it again).
    static func collectPart(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, db: Database, now: Double
    ) throws -> NormalizedEvent.MessageReceived? {
        guard let reference = event.partReference, let total = event.partTotal, let number = event.partNumber else {
            return event
        }
        var insert = try DirectStatement(
            db,
            sql: """
                INSERT INTO message_part (account_id, channel_id, contact_address, reference, total, number,
                    to_address, body, media, provider_message_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (account_id, channel_id, contact_address, reference, total, number) DO NOTHING
                """)
        for text in [channel.accountId, channel.id, event.from, reference] { insert.bind(text) }
        insert.bind(total)
        insert.bind(number)
        for text in [event.to, event.text, MediaColumn.text(event.media), event.providerMessageId] { insert.bind(text) }
        insert.bind(now)
        try insert.execute()
        guard db.changesCount > 0 else { return nil }
        let parts = try waitingParts(
            db, account: channel.accountId, channelId: channel.id, contact: event.from, reference: reference,
            total: total)
        guard parts.count == total else { return nil }
        try markAssembled(
            db, account: channel.accountId, channelId: channel.id, contact: event.from, reference: reference,
            total: total, now: now)
        return joined(parts, from: event.from, carrier: event.carrier)
    }

    /// Stores, as one message each, the sets of parts that waited longer than ``partWaitSeconds``, and deletes
    /// assembled parts older than ``assembledPartKeepSeconds``.
    /// - Returns: How many incomplete messages were stored.
    static func flushWaitingParts(_ db: Database, now: Double, limit: Int) throws -> Int {
        let groups = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT account_id, channel_id, contact_address, reference, total FROM message_part
                WHERE assembled_at IS NULL AND received_at < ? LIMIT ?
                """, arguments: [now - partWaitSeconds, limit])
        for group in groups {
            let (account, channelId, contact): (String, String, String) = (group[0], group[1], group[2])
            let (reference, total): (String, Int) = (group[3], group[4])
            let parts = try waitingParts(
                db, account: account, channelId: channelId, contact: contact, reference: reference, total: total)
            try markAssembled(
                db, account: account, channelId: channelId, contact: contact, reference: reference, total: total,
                now: now)
            // A deleted channel keeps its messages: store under its id all the same.
            let channel =
                try ChannelRecord.filter(Column("account_id") == account && Column("id") == channelId).fetchOne(db)
                ?? ChannelRecord(
                    id: channelId, accountId: account, channel: "sms", provider: "", address: "", settings: [:],
                    defaultQueue: nil, createdAt: now, updatedAt: now)
            let whole = joined(parts, from: contact, carrier: channel.provider)
            try storeReceived(
                whole, channel: channel, db: db, now: now,
                note: ("parts-missing", "\(parts.count) of \(total) parts arrived"))
        }
        try db.execute(
            sql: """
                DELETE FROM message_part WHERE id IN (
                    SELECT id FROM message_part WHERE assembled_at IS NOT NULL AND assembled_at < ? LIMIT ?)
                """, arguments: [now - assembledPartKeepSeconds, limit * 10])
        return groups.count
    }

    private static func waitingParts(
        _ db: Database, account: String, channelId: String, contact: String, reference: String, total: Int
    ) throws -> [StoredPart] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT number, to_address, body, media, provider_message_id FROM message_part
                    WHERE account_id = ? AND channel_id = ? AND contact_address = ? AND reference = ? AND total = ?
                        AND assembled_at IS NULL
                    ORDER BY number
                    """), arguments: [account, channelId, contact, reference, total])
        return rows.map { row in
            StoredPart(
                number: row[0], to: row[1], body: row[2], media: MediaColumn.urls(row[3]), providerMessageId: row[4])
        }
    }

    private static func markAssembled(
        _ db: Database, account: String, channelId: String, contact: String, reference: String, total: Int,
        now: Double
    ) throws {
        try db.execute(
            sql: """
                UPDATE message_part SET assembled_at = ?
                WHERE account_id = ? AND channel_id = ? AND contact_address = ? AND reference = ? AND total = ?
                    AND assembled_at IS NULL
                """, arguments: [now, account, channelId, contact, reference, total])
    }

    /// The parts as one message: texts and media in part order, the first part's id (the carrier's id for the
    /// message's start). No opt-out keyword: a message long enough to be split is not one.
    private static func joined(_ parts: [StoredPart], from: String, carrier: String) -> NormalizedEvent.MessageReceived
    {
        NormalizedEvent.MessageReceived(
            carrier: carrier, from: from, to: parts.lazy.compactMap(\.to).first,
            text: parts.compactMap(\.body).joined(), media: parts.flatMap(\.media),
            providerMessageId: parts.lazy.compactMap(\.providerMessageId).first)
    }
}
