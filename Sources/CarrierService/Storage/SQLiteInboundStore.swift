import CarrierRuntime
import GRDB

/// ``InboundStore`` on the service's SQLite file: each webhook is one request to the group-commit writer, and the
/// frequent statements (status lookups and updates, duplicate checks, conversation upserts, message inserts) are
/// prepared once per connection (``DirectStatement``).
struct SQLiteInboundStore: InboundStore {
    let writer: GroupCommitWriter

    func apply(_ webhook: InboundWebhook, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        writer.submit({ db in try Self.apply(webhook, db: db) }, completion: completion)
    }

    func storeOverdueParts(waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double) async throws
        -> Int
    {
        try await writer.write { db in
            try Self.storeOverdueParts(
                db, waitingBefore: waitingBefore, assembledBefore: assembledBefore, limit: limit, now: now)
        }
    }

    /// ``InboundStore/apply(_:completion:)`` inside the writer's transaction.
    static func apply(_ webhook: InboundWebhook, db: Database) throws {
        let channel = webhook.channel
        if let hash = webhook.requestHash {
            guard try firstSighting(db, channel: channel, hash: hash, now: webhook.now) else { return }
        }
        for event in webhook.events {
            switch event {
            case .received(let received):
                try applyReceived(received, channel: channel, db: db, now: webhook.now)
            case .status(let status):
                try applyStatus(status, account: channel.accountId, channelId: channel.id, db: db, now: webhook.now)
            }
        }
    }

    // MARK: Replays

    /// Records a webhook's hash; false when the rules call it a replay of one already seen.
    static func firstSighting(_ db: Database, channel: ChannelRecord, hash: String, now: Double) throws -> Bool {
        let seen = try Double.fetchOne(
            db,
            sql: "SELECT received_at FROM inbound_seen WHERE account_id = ? AND channel_id = ? AND request_hash = ?",
            arguments: [channel.accountId, channel.id, hash])
        if MessagingEngine.isReplay(seenAt: seen, now: now) { return false }
        try db.cachedStatement(
            sql: """
                INSERT INTO inbound_seen (account_id, channel_id, request_hash, received_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (account_id, channel_id, request_hash) DO UPDATE SET received_at = excluded.received_at
                """
        ).execute(arguments: [channel.accountId, channel.id, hash, now])
        return true
    }

    // MARK: Received messages

    /// Stores an inbound message; a part of a long message waits for the others (``collectPart(_:channel:db:now:)``)
    /// and the whole message is stored with the last one.
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

    /// Stores one whole inbound message as ``MessagingEngine/planReceived(_:channel:alreadyStored:now:note:)``
    /// decides, with its `message.received` event and, when the list changed, its opt-out event.
    static func storeReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, db: Database, now: Double,
        note: (code: String, message: String)? = nil
    ) throws {
        var alreadyStored = false
        if let providerId = event.providerMessageId, !providerId.isEmpty {
            var seen = try DirectStatement(db, sql: receivedMessageByProviderIdSQL)
            seen.bind(providerId)
            seen.bind(channel.accountId)
            seen.bind(channel.id)
            alreadyStored = try seen.hasRow()
        }
        guard
            var plan = MessagingEngine.planReceived(
                event, channel: channel, alreadyStored: alreadyStored, now: now, note: note)
        else { return }
        var optOutChanged: (address: String, optedOut: Bool)?
        switch plan.optOut {
        case .add(let kind, let address, let source):
            try SQLiteIdentityStore.insertOptOut(
                db, account: channel.accountId, kind: kind, address: address, source: source, now: now)
            if db.changesCount > 0 { optOutChanged = (address, true) }
        case .remove(let kind, let address):
            try SQLiteIdentityStore.deleteOptOut(db, account: channel.accountId, kind: kind, address: address)
            if db.changesCount > 0 { optOutChanged = (address, false) }
        case nil:
            break
        }
        plan.message.conversationId = try upsertConversation(db, plan.conversation)
        try plan.message.insertPrepared(db)
        try SQLiteWebhookEvents.messageReceived(db, plan.message, now: now)
        if let optOutChanged {
            try SQLiteWebhookEvents.optOutChanged(
                db, account: channel.accountId, channelId: channel.id, contact: optOutChanged.address,
                optedOut: optOutChanged.optedOut, messageId: plan.message.id, now: now)
        }
    }

    /// An inbound message this channel already stored under a provider id (a webhook the carrier resent).
    static let receivedMessageByProviderIdSQL = """
        SELECT 1 FROM message INDEXED BY message_provider_id
        WHERE provider_message_id = ? AND account_id = ? AND channel_id = ? AND direction = 'inbound' LIMIT 1
        """

    // MARK: Conversations

    /// Applies `touch` to the conversation for (account, channel, contact), creating it when there is none.
    /// - Returns: The conversation's id.
    static func upsertConversation(_ db: Database, _ touch: ConversationTouch) throws -> String {
        // Most messages belong to a conversation that exists: update it first and only insert when there was none.
        // Trying the insert first (an upsert) cost a uniqueness probe and a fresh id for every message.
        var update = try DirectStatement(
            db,
            sql: """
                UPDATE conversation SET
                    status = CASE WHEN ?1 > 0 AND status = 'closed' THEN 'open' ELSE status END,
                    unread_count = unread_count + ?7,
                    window_expires_at = COALESCE(?2, window_expires_at),
                    last_message_at = ?3,
                    updated_at = ?3
                WHERE account_id = ?6 AND channel_id = ?4 AND contact_address = ?5
                RETURNING id
                """)
        update.bind(touch.reopens ? 1 : 0)
        update.bind(touch.windowExpiresAt)
        update.bind(touch.now)
        update.bind(touch.channelId)
        update.bind(touch.contact)
        update.bind(touch.account)
        update.bind(touch.unreadIncrement)
        let existing = try update.step() ? update.text(0) : nil
        update.reset()
        if let existing { return existing }

        let id = MessagingEngine.newId("conv")
        var insert = try DirectStatement(
            db,
            sql: """
                INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                    window_expires_at, last_message_at, created_at, updated_at, queue)
                VALUES (?, ?, ?, ?, 'open', NULL, ?, ?, ?, ?, ?, ?)
                """)
        insert.bind(id)
        insert.bind(touch.account)
        insert.bind(touch.channelId)
        insert.bind(touch.contact)
        insert.bind(touch.unreadIncrement)
        insert.bind(touch.windowExpiresAt)
        for _ in 0..<3 { insert.bind(touch.now) }
        insert.bind(touch.queue)
        try insert.execute()
        return id
    }

    // MARK: Statuses

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

    /// Applies a status callback as ``MessagingEngine/planStatus(_:found:account:channelId:now:)`` decides.
    static func applyStatus(
        _ event: NormalizedEvent.MessageStatus, account: String, channelId: String, db: Database, now: Double
    ) throws {
        // Status callbacks are the most frequent webhook: prepared statements, not query-builder SQL per call.
        var found: SentMessageStatus?
        if let providerId = event.providerMessageId {
            found = try sentMessage(db, sql: sentMessageByProviderIdSQL, account: account, key: providerId)
        }
        if found == nil, let reference = event.reference {
            found = try sentMessage(db, sql: sentMessageByReferenceSQL, account: account, key: reference)
        }
        switch MessagingEngine.planStatus(event, found: found, account: account, channelId: channelId, now: now) {
        case .update(let message, let providerStatus, let statusChanged):
            // Only the fields a callback can change: rewriting every column would also rewrite every index entry.
            var update = try DirectStatement(
                db,
                sql: """
                    UPDATE message SET status = ?, provider_message_id = ?, error_code = ?, error_message = ?,
                        updated_at = ?, provider_status = COALESCE(?, provider_status)
                    WHERE id = ?
                    """)
            for text in [message.status, message.providerMessageId, message.errorCode, message.errorMessage] {
                update.bind(text)
            }
            update.bind(message.updatedAt)
            update.bind(providerStatus)
            update.bind(message.id)
            try update.execute()
            if statusChanged {
                try SQLiteWebhookEvents.messageStatus(db, messageId: message.id, now: now)
            }
        case .keepPending(let pending):
            try pending.insert(db)
        case .ignore:
            break
        }
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

    // MARK: Parts of long messages

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
        guard let whole = MessagingEngine.assembled(parts, total: total, from: event.from, carrier: event.carrier)
        else { return nil }
        try markAssembled(
            db, account: channel.accountId, channelId: channel.id, contact: event.from, reference: reference,
            total: total, now: now)
        return whole
    }

    /// ``InboundStore/storeOverdueParts(waitingBefore:assembledBefore:limit:now:)`` inside a write transaction.
    static func storeOverdueParts(
        _ db: Database, waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double
    ) throws -> Int {
        let groups = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT account_id, channel_id, contact_address, reference, total FROM message_part
                WHERE assembled_at IS NULL AND received_at < ? LIMIT ?
                """, arguments: [waitingBefore, limit])
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
            let whole = MessagingEngine.joined(parts, from: contact, carrier: channel.provider)
            try storeReceived(
                whole, channel: channel, db: db, now: now,
                note: MessagingEngine.partsMissingNote(arrived: parts.count, total: total))
        }
        try db.cachedStatement(
            sql: """
                DELETE FROM message_part WHERE id IN (
                    SELECT id FROM message_part WHERE assembled_at IS NOT NULL AND assembled_at < ? LIMIT ?)
                """
        ).execute(arguments: [assembledBefore, limit * 10])
        return groups.count
    }

    private static func waitingParts(
        _ db: Database, account: String, channelId: String, contact: String, reference: String, total: Int
    ) throws -> [MessagingEngine.StoredPart] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT number, to_address, body, media, provider_message_id FROM message_part
                    WHERE account_id = ? AND channel_id = ? AND contact_address = ? AND reference = ? AND total = ?
                        AND assembled_at IS NULL
                    ORDER BY number
                    """), arguments: [account, channelId, contact, reference, total])
        return rows.map { row in
            MessagingEngine.StoredPart(
                number: row[0], to: row[1], body: row[2], media: MediaColumn.urls(row[3]), providerMessageId: row[4])
        }
    }

    private static func markAssembled(
        _ db: Database, account: String, channelId: String, contact: String, reference: String, total: Int,
        now: Double
    ) throws {
        try db.cachedStatement(
            sql: """
                UPDATE message_part SET assembled_at = ?
                WHERE account_id = ? AND channel_id = ? AND contact_address = ? AND reference = ? AND total = ?
                    AND assembled_at IS NULL
                """
        ).execute(arguments: [now, account, channelId, contact, reference, total])
    }
}
