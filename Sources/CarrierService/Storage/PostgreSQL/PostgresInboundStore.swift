import CarrierRuntime
import Logging
import PostgresNIO
import Synchronization

/// ``InboundStore`` on PostgreSQL, where several instances receive webhooks for the same channels at once.
///
/// The SQLite store is serialized by its single writer; here each webhook is its own READ COMMITTED transaction, and
/// what must not run twice takes a transaction-scoped advisory lock first (``lock(_:_:logger:)``): the parts of one
/// long message (the instance that stores the last part assembles it, exactly once), one provider message id (a
/// carrier's resend reaching two instances is stored once; a status cannot slip past the outbox applying pending
/// statuses). The lock comes before the statement that reads, so that statement's snapshot already holds whatever
/// the previous holder committed. Conversations, parts and the replay guard rely on their UNIQUE keys
/// (`ON CONFLICT`), statuses on a row lock (`FOR UPDATE`).
struct PostgresInboundStore: InboundStore {
    let database: PostgresServiceDatabase
    /// Accounts last seen with an enabled webhook endpoint: their incoming messages skip the attempt without
    /// events. Only a hint for choosing a path; the functions check the endpoints themselves.
    var subscribed = SubscribedAccounts()
    private var logger: Logger { database.logger }

    func apply(_ webhook: InboundWebhook, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        let database = database
        let subscribed = subscribed
        Task {
            do {
                var applied = false
                try await Self.retryingDeadlocks {
                    applied = try await Self.applyStatusAtOnce(webhook, database: database)
                    if !applied {
                        applied = try await Self.storeReceivedAtOnce(
                            webhook, database: database, subscribed: subscribed)
                    }
                }
                if applied {
                    completion(.success(()))
                    return
                }
                try await Self.retryingDeadlocks {
                    try await database.transaction { connection in
                        try await Self.apply(webhook, connection: connection, logger: database.logger)
                    }
                }
                completion(.success(()))
            } catch {
                completion(.failure(error))
            }
        }
    }

    func storeOverdueParts(waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double) async throws
        -> Int
    {
        try await database.transaction { connection in
            try await Self.storeOverdueParts(
                connection, waitingBefore: waitingBefore, assembledBefore: assembledBefore, limit: limit, now: now,
                logger: logger)
        }
    }

    /// Runs `body` again (at most twice more) when the server broke a deadlock by aborting it: a webhook carrying
    /// parts of two messages can wait on the locks of another in the opposite order. The transaction rolled back
    /// whole, so running it again is safe.
    static func retryingDeadlocks(_ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as PSQLError where attempt < 2 && error.serverInfo?[.sqlState] == "40P01" {
                attempt += 1
            }
        }
    }

    /// ``InboundStore/apply(_:completion:)`` inside one transaction.
    static func apply(_ webhook: InboundWebhook, connection: PostgresConnection, logger: Logger) async throws {
        let channel = webhook.channel
        if let hash = webhook.requestHash {
            guard
                try await firstSighting(connection, channel: channel, hash: hash, now: webhook.now, logger: logger)
            else { return }
        }
        for event in webhook.events {
            switch event {
            case .received(let received):
                try await applyReceived(
                    received, channel: channel, connection: connection, now: webhook.now, logger: logger)
            case .status(let status):
                try await applyStatus(
                    status, account: channel.accountId, channelId: channel.id, connection: connection, now: webhook.now,
                    logger: logger)
            }
        }
    }

    /// Takes the transaction-scoped advisory lock named by `key` (hashed to 64 bits: two keys sharing a hash only
    /// wait for each other), held until commit or rollback.
    static func lock(_ connection: PostgresConnection, _ key: String, logger: Logger) async throws {
        for try await _ in try await connection.execute(PostgresSendStatements.AdvisoryLock(key: key), logger: logger) {}
    }

    /// The advisory lock on one provider message id of an account, taken before looking a message up by it.
    ///
    /// A status callback that finds no message keeps it in `pending_status`, and the outbox applies those when it
    /// stores the provider id, under this same lock: the callback either sees the id stored or is in
    /// `pending_status` before the outbox reads it. The key and seed must stay those of the outbox store's lock
    /// (`PostgresOutboxStore.lockProviderId`), which is taken after the message row: see
    /// ``applyStatus(_:account:channelId:connection:now:logger:)`` for the order this side keeps.
    static func lockProviderId(_ connection: PostgresConnection, account: String, providerId: String, logger: Logger)
        async throws
    {
        let lock = PostgresSendStatements.AdvisoryLock.providerId(account: account, providerId: providerId)
        for try await _ in try await connection.execute(lock, logger: logger) {}
    }

    // MARK: Replays

    /// Records a webhook's hash; false when the rules call it a replay of one already seen.
    ///
    /// The insert waits for a concurrent insert of the same hash to commit; the row lock then orders the instances,
    /// so a request sent to two instances at once is applied by one.
    static func firstSighting(
        _ connection: PostgresConnection, channel: ChannelRecord, hash: String, now: Double, logger: Logger
    ) async throws -> Bool {
        let inserted = try await connection.query(
            """
            INSERT INTO inbound_seen (account_id, channel_id, request_hash, received_at)
            VALUES (\(channel.accountId), \(channel.id), \(hash), \(now))
            ON CONFLICT (account_id, channel_id, request_hash) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in inserted { return true }
        var seen: Double?
        for try await value in try await connection.query(
            """
            SELECT received_at FROM inbound_seen
            WHERE account_id = \(channel.accountId) AND channel_id = \(channel.id) AND request_hash = \(hash)
            FOR UPDATE
            """, logger: logger
        ).decode(Double.self) {
            seen = value
        }
        if MessagingEngine.isReplay(seenAt: seen, now: now) { return false }
        // Seen long ago (or deleted meanwhile by retention): a new sighting.
        try await connection.query(
            """
            INSERT INTO inbound_seen (account_id, channel_id, request_hash, received_at)
            VALUES (\(channel.accountId), \(channel.id), \(hash), \(now))
            ON CONFLICT (account_id, channel_id, request_hash) DO UPDATE SET received_at = EXCLUDED.received_at
            """, logger: logger)
        return true
    }

    // MARK: Received messages

    /// Stores an inbound message; a part of a long message waits for the others and the whole message is stored
    /// with the last one.
    static func applyReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, connection: PostgresConnection, now: Double,
        logger: Logger
    ) async throws {
        guard event.partTotal != nil else {
            try await storeReceived(event, channel: channel, connection: connection, now: now, logger: logger)
            return
        }
        if let whole = try await collectPart(event, channel: channel, connection: connection, now: now, logger: logger)
        {
            try await storeReceived(whole, channel: channel, connection: connection, now: now, logger: logger)
        }
    }

    /// Stores one whole inbound message as ``MessagingEngine/planReceived(_:channel:alreadyStored:now:note:)``
    /// decides, with its `message.received` event and, when the list changed, its opt-out event.
    static func storeReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, connection: PostgresConnection, now: Double,
        note: (code: String, message: String)? = nil, logger: Logger
    ) async throws {
        let providerId = event.providerMessageId.flatMap { $0.isEmpty ? nil : $0 }
        if let providerId {
            // A resend reaching another instance at the same moment waits here, then finds this message.
            try await lock(connection, receivedLockKey(channel: channel, providerId: providerId), logger: logger)
        }
        // Whether the carrier sent this message before, and the account's webhook endpoints, in one round trip.
        var alreadyStored = false
        var endpointsJSON: String?
        let before = PostgresInboundStatements.ReceivedBefore(
            providerId: providerId, channelId: channel.id, account: channel.accountId)
        for try await (seen, endpoints) in try await connection.execute(before, logger: logger) {
            alreadyStored = seen
            endpointsJSON = endpoints
        }
        let endpoints = try PostgresWebhookEvents.endpoints(endpointsJSON)
        guard
            var plan = MessagingEngine.planReceived(
                event, channel: channel, alreadyStored: alreadyStored, now: now, note: note)
        else { return }
        var optOutChanged: (address: String, optedOut: Bool)?
        switch plan.optOut {
        case .add(let kind, let address, let source):
            if try await insertOptOut(
                connection, account: channel.accountId, kind: kind, address: address, source: source, now: now,
                logger: logger)
            {
                optOutChanged = (address, true)
            }
        case .remove(let kind, let address):
            if try await PostgresIdentityStore.deleteOptOut(
                connection, account: channel.accountId, kind: kind, address: address, logger: logger)
            {
                optOutChanged = (address, false)
            }
        case nil:
            break
        }
        plan.message.conversationId = try await upsertConversation(connection, plan.conversation, logger: logger)
        try await connection.execute(PostgresInboundStatements.InsertMessage(message: plan.message), logger: logger)
        try await PostgresWebhookEvents.messageReceived(
            connection, plan.message, now: now, endpoints: endpoints, logger: logger)
        if let optOutChanged {
            try await PostgresWebhookEvents.optOutChanged(
                connection, account: channel.accountId, channelId: channel.id, contact: optOutChanged.address,
                optedOut: optOutChanged.optedOut, messageId: plan.message.id, now: now, endpoints: endpoints,
                logger: logger)
        }
    }

    /// The advisory lock an incoming message takes on its provider id: a resend reaching two instances at once is
    /// stored once.
    static func receivedLockKey(channel: ChannelRecord, providerId: String) -> String {
        "received\u{1}" + channel.accountId + "\u{1}" + channel.id + "\u{1}" + providerId
    }

    /// Stores an incoming message without the transaction when nothing but the message, its conversation and its
    /// `message.received` deliveries is written: one whole message (not a part), no replay hash, no empty provider
    /// id, no opt-out keyword. With no enabled webhook endpoint that is one round trip
    /// (``PostgresInboundStatements/StoreReceivedIfSimple``); with some, two: what the body needs is read
    /// (``PostgresInboundStatements/ReceivedContext``), then written with its deliveries
    /// (``PostgresInboundStatements/StoreReceivedWithEvent``). Each function checks the provider id under the lock
    /// the transaction takes, and that the endpoints (and the conversation) are still as assumed.
    /// - Returns: false when nothing was written and the transaction must run.
    static func storeReceivedAtOnce(
        _ webhook: InboundWebhook, database: PostgresServiceDatabase,
        subscribed: SubscribedAccounts = SubscribedAccounts()
    ) async throws -> Bool {
        guard webhook.requestHash == nil, webhook.events.count == 1, case .received(let event) = webhook.events[0],
            event.partTotal == nil, event.providerMessageId?.isEmpty != true,
            let plan = MessagingEngine.planReceived(
                event, channel: webhook.channel, alreadyStored: false, now: webhook.now),
            plan.optOut == nil
        else { return false }
        let channel = webhook.channel
        let lockKey = event.providerMessageId.map { receivedLockKey(channel: channel, providerId: $0) } ?? ""
        let logger = database.logger
        if !subscribed.contains(channel.accountId) {
            let store = PostgresInboundStatements.StoreReceivedIfSimple(
                message: plan.message, lockKey: lockKey, conversationId: MessagingEngine.newId("conv"),
                touch: plan.conversation)
            let done = try await database.read { connection in
                for try await done in try await connection.execute(store, logger: logger) { return done }
                return false
            }
            if done { return true }
            // The function found an enabled endpoint: take the path with events from now on.
            subscribed.insert(channel.accountId)
        }
        return try await database.read { connection in
            var context: (stored: Bool, conversationId: String?, endpoints: String?) = (false, nil, nil)
            let read = PostgresInboundStatements.ReceivedContext(
                providerId: event.providerMessageId, channelId: channel.id, account: channel.accountId,
                contact: plan.conversation.contact)
            for try await row in try await connection.execute(read, logger: logger) { context = row }
            // A resend already stored: the transaction would store nothing either.
            if context.stored { return true }
            let endpoints = try PostgresWebhookEvents.endpoints(context.endpoints)
            if endpoints.isEmpty { subscribed.remove(channel.accountId) }
            var message = plan.message
            message.conversationId = context.conversationId ?? MessagingEngine.newId("conv")
            let targets = PostgresWebhookEvents.targets(
                type: .messageReceived, channelId: channel.id, callbackUrl: nil, endpoints: endpoints)
            let store = PostgresInboundStatements.StoreReceivedWithEvent(
                message: message, lockKey: lockKey, touch: plan.conversation, seenEndpointIds: endpoints.map(\.id),
                eventId: TimeOrderedID.make(prefix: "evt"),
                payload: targets.isEmpty
                    ? "" : WebhookEvent.message(.messageReceived, message, now: webhook.now).body(sequence: 1),
                targets: PostgresWebhookEventStatements.targets(targets))
            do {
                for try await done in try await connection.execute(store, logger: logger) { return done }
                return false
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "CR001" {
                return false  // another instance created the conversation meanwhile
            }
        }
    }

    /// The accounts a store last saw with an enabled webhook endpoint (see ``PostgresInboundStore/subscribed``).
    final class SubscribedAccounts: Sendable {
        private let accounts = Mutex<Set<String>>([])

        func contains(_ account: String) -> Bool { accounts.withLock { $0.contains(account) } }
        func insert(_ account: String) { _ = accounts.withLock { $0.insert(account) } }
        func remove(_ account: String) { _ = accounts.withLock { $0.remove(account) } }
    }

    /// Adds an opt-out unless the contact is already on the list (the first one is kept), as
    /// ``PostgresIdentityStore/insertOptOut(_:account:kind:address:source:now:logger:)`` does, and says whether it
    /// was added: only a change is reported (`optout.changed`), and of two STOPs racing, only one adds.
    static func insertOptOut(
        _ connection: PostgresConnection, account: String, kind: OptOutKind, address: String, source: String,
        now: Double, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO contact_opt_out (account_id, kind, contact_address, source, created_at)
            VALUES (\(account), \(kind.rawValue), \(address), \(source), \(now))
            ON CONFLICT (account_id, kind, contact_address) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    // MARK: Conversations

    /// Applies `touch` to the conversation for (account, channel, contact), creating it when there is none.
    ///
    /// One upsert: two instances receiving the first messages of a contact at once share one conversation (the
    /// second waits for the first's row and updates it).
    /// - Returns: The conversation's id.
    static func upsertConversation(_ connection: PostgresConnection, _ touch: ConversationTouch, logger: Logger)
        async throws -> String
    {
        let upsert = PostgresInboundStatements.UpsertConversation(id: MessagingEngine.newId("conv"), touch: touch)
        for try await id in try await connection.execute(upsert, logger: logger) { return id }
        throw ServiceError.storage("conversation upsert returned no row")
    }

    /// The `ON CONFLICT` clause of a conversation insert: the existing conversation takes the touch instead (the
    /// new row's values as `EXCLUDED`). Shared by every statement that upserts a conversation; the functions
    /// `carrier_store_received` and `carrier_store_received_event` (migrations `v5-received-function`,
    /// `v7-received-event-function`) repeat it: a change needs a migration that replaces them.
    /// - Parameter reopens: an SQL boolean: whether a closed conversation opens again.
    static func conversationTouched(reopens: String) -> String {
        """
        ON CONFLICT (account_id, channel_id, contact_address) DO UPDATE SET
            status = CASE WHEN \(reopens) AND conversation.status = 'closed' THEN 'open'
                ELSE conversation.status END,
            unread_count = conversation.unread_count + EXCLUDED.unread_count,
            window_expires_at = COALESCE(EXCLUDED.window_expires_at, conversation.window_expires_at),
            last_message_at = EXCLUDED.last_message_at,
            updated_at = EXCLUDED.updated_at
        """
    }

    // MARK: Statuses

    /// Applies a status callback as ``MessagingEngine/planStatus(_:found:account:channelId:now:)`` decides.
    ///
    /// The message row is locked while the rules read it: two callbacks for one message on two instances apply one
    /// after the other, so statuses still only move forward. As on SQLite the message the provider id names wins
    /// over the one our reference names. Lock order: the outbox locks a message's row and then its provider id, so
    /// the row our reference names is locked before the provider id is (a callback carrying both, arriving while the
    /// send's result is stored, would otherwise hold the id and wait for the row the outbox holds while it waits
    /// for the id).
    static func applyStatus(
        _ event: NormalizedEvent.MessageStatus, account: String, channelId: String, connection: PostgresConnection,
        now: Double, logger: Logger
    ) async throws {
        var byReference: SentMessage?
        if let reference = event.reference {
            byReference = try await sentMessage(
                connection, PostgresInboundStatements.SentMessageById(account: account, key: reference), logger: logger)
        }
        var found: SentMessage?
        if let providerId = event.providerMessageId {
            try await lockProviderId(connection, account: account, providerId: providerId, logger: logger)
            found = try await sentMessage(
                connection, PostgresInboundStatements.SentMessageByProviderId(account: account, key: providerId),
                logger: logger)
        }
        if found == nil { found = byReference }
        let plan = MessagingEngine.planStatus(
            event, found: found?.progress, account: account, channelId: channelId, now: now)
        switch plan {
        case .update(let message, let providerStatus, let statusChanged):
            let update = PostgresInboundStatements.UpdateStatus(message: message, providerStatus: providerStatus)
            try await connection.execute(update, logger: logger)
            if statusChanged, let found {
                try await PostgresWebhookEvents.messageStatus(
                    connection, found.updated(message, providerStatus: providerStatus), now: now,
                    endpoints: found.endpoints, logger: logger)
            }
        case .keepPending(let pending):
            try await connection.execute(PostgresInboundStatements.KeepPending(pending: pending), logger: logger)
        case .ignore:
            break
        }
    }

    /// A webhook holding one delivery report that names only the carrier's id (the common case) in two round trips
    /// instead of the transaction's five: the message read, the rules' plan, then a function that takes the
    /// provider id's lock, checks that what the rules read still holds and writes (``PostgresInboundStatements/
    /// ApplyStatusIfUnchanged``, ``PostgresInboundStatements/KeepPendingIfUnknown``); a status change with webhook
    /// endpoints or a callback URL to tell writes its deliveries in the same statement
    /// (``PostgresInboundStatements/ApplyStatusWithEvent``), whose function also checks the endpoints as read.
    /// - Returns: false when nothing was written: the webhook is not such a case, or the message or the account's
    ///   endpoints changed meanwhile; then the transaction runs.
    static func applyStatusAtOnce(_ webhook: InboundWebhook, database: PostgresServiceDatabase) async throws -> Bool {
        guard webhook.requestHash == nil, webhook.events.count == 1, case .status(let event) = webhook.events[0],
            event.reference == nil, let providerId = event.providerMessageId
        else { return false }
        let account = webhook.channel.accountId
        let logger = database.logger
        return try await database.read { connection in
            let found = try await sentMessage(
                connection, PostgresInboundStatements.SentMessageByProviderId(account: account, key: providerId),
                logger: logger)
            let plan = MessagingEngine.planStatus(
                event, found: found?.progress, account: account, channelId: webhook.channel.id, now: webhook.now)
            var stored = false
            switch plan {
            case .update(let message, let providerStatus, let statusChanged):
                guard let found else { return false }
                if statusChanged && (!found.endpoints.isEmpty || found.record.callbackUrl != nil) {
                    // Someone to tell: the deliveries are written with the status, by the same function's checks.
                    let updated = found.updated(message, providerStatus: providerStatus)
                    let targets = PostgresWebhookEvents.targets(
                        type: .messageStatus, channelId: updated.channelId,
                        callbackUrl: PostgresWebhookEvents.statusCallback(updated), endpoints: found.endpoints)
                    let event = WebhookEvent.message(.messageStatus, updated, now: webhook.now)
                    let update = PostgresInboundStatements.ApplyStatusWithEvent(
                        account: account, providerId: providerId, seen: found.progress,
                        seenEventSequence: found.eventSequence, seenEndpointIds: found.endpoints.map(\.id),
                        message: message, providerStatus: providerStatus, eventId: TimeOrderedID.make(prefix: "evt"),
                        payload: event.body(sequence: found.eventSequence + 1), now: webhook.now,
                        targets: PostgresWebhookEventStatements.targets(targets))
                    for try await done in try await connection.execute(update, logger: logger) { stored = done }
                    return stored
                }
                let update = PostgresInboundStatements.ApplyStatusIfUnchanged(
                    account: account, providerId: providerId, seen: found.progress, message: message,
                    providerStatus: providerStatus, statusChanged: statusChanged)
                for try await done in try await connection.execute(update, logger: logger) { stored = done }
            case .keepPending(let pending):
                let keep = PostgresInboundStatements.KeepPendingIfUnknown(pending: pending)
                for try await done in try await connection.execute(keep, logger: logger) { stored = done }
            case .ignore:
                return false
            }
            return stored
        }
    }

    /// An outbound message a status callback names, as read (and locked) with its account's webhook endpoints.
    private struct SentMessage {
        var record: MessageRecord
        var endpoints: [PostgresWebhookEvents.Endpoint]
        /// The sequence of the message's last webhook event (`event_sequence`).
        var eventSequence: Int

        /// What the rules read.
        var progress: SentMessageStatus {
            SentMessageStatus(
                id: record.id, status: record.status, providerMessageId: record.providerMessageId,
                errorCode: record.errorCode, errorMessage: record.errorMessage, updatedAt: record.updatedAt)
        }

        /// The row as the status update leaves it, for the event.
        func updated(_ message: SentMessageStatus, providerStatus: String?) -> MessageRecord {
            var stored = record
            stored.status = message.status
            stored.providerMessageId = message.providerMessageId
            stored.errorCode = message.errorCode
            stored.errorMessage = message.errorMessage
            stored.updatedAt = message.updatedAt
            stored.providerStatus = providerStatus ?? stored.providerStatus
            return stored
        }
    }

    /// Reads (and locks) the outbound message `lookup` finds.
    private static func sentMessage(
        _ connection: PostgresConnection, _ lookup: some SentMessageLookup, logger: Logger
    ) async throws -> SentMessage? {
        for try await row in try await connection.execute(lookup, logger: logger) {
            let columns = row.makeRandomAccess()
            return SentMessage(
                record: try MessageRecord(from: PostgresRowDecoder(row: columns)),
                endpoints: try PostgresWebhookEvents.endpoints(columns["webhook_endpoints"].decode(String?.self)),
                eventSequence: try columns["event_sequence"].decode(Int.self))
        }
        return nil
    }

    // MARK: Parts of long messages

    /// One set of parts: what the UNIQUE key of `message_part` shares but the part number.
    private struct PartSet: Sendable {
        var account: String
        var channelId: String
        var contact: String
        var reference: String
        var total: Int

        var lockKey: String {
            ["parts", account, channelId, contact, reference, String(total)].joined(separator: "\u{1}")
        }
    }

    /// Stores a part; returns the whole message once the last part is in, nil while parts are missing or when the
    /// part was already stored (the carrier sent it again).
    ///
    /// The set's advisory lock is taken before the insert: two instances storing the last two parts at once run
    /// one after the other, and the second sees the first's part, so exactly one of them assembles.
    static func collectPart(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, connection: PostgresConnection, now: Double,
        logger: Logger
    ) async throws -> NormalizedEvent.MessageReceived? {
        guard let reference = event.partReference, let total = event.partTotal, let number = event.partNumber else {
            return event
        }
        let set = PartSet(
            account: channel.accountId, channelId: channel.id, contact: event.from, reference: reference, total: total)
        try await lock(connection, set.lockKey, logger: logger)
        let inserted = try await connection.query(
            """
            INSERT INTO message_part (account_id, channel_id, contact_address, reference, total, number, to_address,
                body, media, provider_message_id, received_at)
            VALUES (\(set.account), \(set.channelId), \(set.contact), \(reference), \(total), \(number), \(event.to),
                \(event.text), \(MediaColumn.text(event.media)), \(event.providerMessageId), \(now))
            ON CONFLICT (account_id, channel_id, contact_address, reference, total, number) DO NOTHING RETURNING 1
            """, logger: logger)
        var stored = false
        for try await _ in inserted { stored = true }
        guard stored else { return nil }
        let parts = try await waitingParts(connection, set, logger: logger)
        guard let whole = MessagingEngine.assembled(parts, total: total, from: event.from, carrier: event.carrier)
        else { return nil }
        try await markAssembled(connection, set, now: now, logger: logger)
        return whole
    }

    /// ``InboundStore/storeOverdueParts(waitingBefore:assembledBefore:limit:now:)`` inside one transaction.
    ///
    /// Each set is taken under its advisory lock and read again: a set whose last part another instance stored
    /// meanwhile (or another instance's sweep took) has no waiting parts left and is skipped. The lock is only tried:
    /// a set busy elsewhere is left to the next sweep rather than waited for.
    static func storeOverdueParts(
        _ connection: PostgresConnection, waitingBefore: Double, assembledBefore: Double, limit: Int, now: Double,
        logger: Logger
    ) async throws -> Int {
        var sets: [PartSet] = []
        let rows = try await connection.query(
            """
            SELECT DISTINCT account_id, channel_id, contact_address, reference, total FROM message_part
            WHERE assembled_at IS NULL AND received_at < \(waitingBefore) LIMIT \(limit)
            """, logger: logger)
        for try await (account, channelId, contact, reference, total) in rows.decode(
            (String, String, String, String, Int).self)
        {
            sets.append(
                PartSet(account: account, channelId: channelId, contact: contact, reference: reference, total: total))
        }
        var stored = 0
        for set in sets {
            var locked = false
            for try await value in try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(\(set.lockKey), 0))", logger: logger
            ).decode(Bool.self) {
                locked = value
            }
            guard locked else { continue }
            let parts = try await waitingParts(connection, set, logger: logger)
            guard !parts.isEmpty else { continue }
            try await markAssembled(connection, set, now: now, logger: logger)
            // A deleted channel keeps its messages: store under its id all the same.
            let channel =
                try await PostgresRowDecoder.first(
                    ChannelRecord.self,
                    try await connection.query(
                        "SELECT * FROM messaging_channel WHERE account_id = \(set.account) AND id = \(set.channelId)",
                        logger: logger))
                ?? ChannelRecord(
                    id: set.channelId, accountId: set.account, channel: "sms", provider: "", address: "",
                    settings: [:], defaultQueue: nil, createdAt: now, updatedAt: now)
            let whole = MessagingEngine.joined(parts, from: set.contact, carrier: channel.provider)
            try await storeReceived(
                whole, channel: channel, connection: connection, now: now,
                note: MessagingEngine.partsMissingNote(arrived: parts.count, total: set.total), logger: logger)
            stored += 1
        }
        try await connection.query(
            """
            DELETE FROM message_part WHERE id IN (
                SELECT id FROM message_part WHERE assembled_at IS NOT NULL AND assembled_at < \(assembledBefore)
                LIMIT \(limit * 10))
            """, logger: logger)
        return stored
    }

    private static func waitingParts(_ connection: PostgresConnection, _ set: PartSet, logger: Logger) async throws
        -> [MessagingEngine.StoredPart]
    {
        let rows = try await connection.query(
            """
            SELECT number, to_address, body, media, provider_message_id FROM message_part
            WHERE account_id = \(set.account) AND channel_id = \(set.channelId) AND contact_address = \(set.contact)
                AND reference = \(set.reference) AND total = \(set.total) AND assembled_at IS NULL
            ORDER BY number
            """, logger: logger)
        var parts: [MessagingEngine.StoredPart] = []
        for try await (number, to, body, media, providerId) in rows.decode(
            (Int, String?, String?, String?, String?).self)
        {
            parts.append(
                MessagingEngine.StoredPart(
                    number: number, to: to, body: body, media: MediaColumn.urls(media), providerMessageId: providerId))
        }
        return parts
    }

    private static func markAssembled(_ connection: PostgresConnection, _ set: PartSet, now: Double, logger: Logger)
        async throws
    {
        try await connection.query(
            """
            UPDATE message_part SET assembled_at = \(now)
            WHERE account_id = \(set.account) AND channel_id = \(set.channelId) AND contact_address = \(set.contact)
                AND reference = \(set.reference) AND total = \(set.total) AND assembled_at IS NULL
            """, logger: logger)
    }
}
