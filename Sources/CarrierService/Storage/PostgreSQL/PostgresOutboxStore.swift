import Foundation
import Logging
import PostgresNIO

/// ``OutboxStore`` on a PostgreSQL database shared by several instances.
///
/// Behaves as ``SQLiteOutboxStore`` (same outcomes, same order), where one writer serializes everything; here the
/// database does: jobs are claimed with `FOR UPDATE SKIP LOCKED` and leased to an owner, idempotency keys and
/// conversations are taken with `INSERT ... ON CONFLICT`, and rows that are read to be changed are locked first.
/// Transactions lock in one order, the job before its message, so two of them never wait on each other in a cycle.
struct PostgresOutboxStore: OutboxStore {
    let database: PostgresServiceDatabase
    private var logger: Logger { database.logger }

    // MARK: Accept

    func accept(
        _ lookup: SendLookup, idempotency: IdempotencyBinding?,
        decide: @escaping @Sendable (SendFacts) throws -> OutboundDraft
    ) async throws -> AcceptOutcome {
        let logger = self.logger
        if !lookup.readsWindow && lookup.templateName == nil {
            // Nothing to read but the opt-out (and the key): decided as if the recipient had not opted out and the
            // key were new, then stored by one statement that stores nothing otherwise. Then the transaction below
            // decides again with what it reads (the key's message, or the refusal).
            let draft = try decide(SendFacts(optedOut: false, windowExpiresAt: nil, templates: []))
            if let stored = try await acceptInOneStatement(lookup, draft, idempotency: idempotency) {
                return .accepted(stored, leased: draft.lease != nil)
            }
            if idempotency == nil { _ = try decide(SendFacts(optedOut: true, windowExpiresAt: nil, templates: [])) }
        }
        return try await database.transaction { connection -> AcceptOutcome in
            // The key is taken first: a request with the same key on another instance waits here for this
            // transaction, then finds the key bound (or free again when this one rolled back).
            if let idempotency,
                let existing = try await Self.takeKey(connection, lookup.account, idempotency, logger: logger)
            {
                return .existing(existing)
            }
            let optedOut = try await PostgresIdentityStore.isOptedOut(
                connection, account: lookup.account, kind: lookup.optOutKind, address: lookup.contact, logger: logger)
            var facts = SendFacts(optedOut: optedOut, windowExpiresAt: nil, templates: [])
            if lookup.readsWindow {
                let rows = try await connection.query(
                    """
                    SELECT window_expires_at FROM conversation
                    WHERE account_id = \(lookup.account) AND channel_id = \(lookup.channelId)
                        AND contact_address = \(lookup.contact)
                    """, logger: logger)
                for try await expiresAt in rows.decode(Double?.self) { facts.windowExpiresAt = expiresAt }
            }
            if let name = lookup.templateName {
                var query = Filtered("SELECT * FROM message_template WHERE account_id = ", lookup.account)
                query.and("name = ", name)
                if let language = lookup.templateLanguage { query.and("language = ", language) }
                query.sql += " ORDER BY created_at"
                facts.templates = try await PostgresRowDecoder.decode(
                    TemplateRecord.self, try await connection.query(query.query, logger: logger))
            }
            var draft = try decide(facts)
            draft.message.conversationId = try await PostgresInboundStore.upsertConversation(
                connection,
                MessagingEngine.conversationTouch(
                    account: lookup.account, channelId: lookup.channelId, contact: lookup.contact,
                    now: draft.message.createdAt, inbound: false, whatsapp: false),
                logger: logger)
            try await connection.query(try PostgresRowEncoder.insert(draft.message, into: "message"), logger: logger)
            if !lookup.tags.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO message_tag (account_id, tag, message_id)
                    SELECT \(lookup.account), tag, \(draft.message.id) FROM unnest(\(lookup.tags)::text[]) AS t (tag)
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO outbox_job (message_id, account_id, channel_id, due_at, lease_owner, lease_until,
                    created_at)
                VALUES (\(draft.message.id), \(lookup.account), \(lookup.channelId), \(draft.dueAt),
                    \(draft.lease?.owner), \(draft.lease?.until), \(draft.message.createdAt))
                """, logger: logger)
            if let idempotency {
                try await connection.query(
                    """
                    UPDATE idempotency_key SET status = 1, response = '', created_at = \(draft.message.createdAt),
                        message_id = \(draft.message.id), request_hash = \(idempotency.requestHash)
                    WHERE account_id = \(lookup.account) AND key = \(idempotency.key)
                    """, logger: logger)
            }
            // Due now and leased to nobody: whichever instance is idle takes it (delivered on commit).
            if draft.lease == nil && draft.dueAt <= draft.message.createdAt {
                try await PostgresServiceDatabase.notify(
                    connection, PostgresServiceDatabase.wakeChannel, payload: "outbox", logger: logger)
            }
            return .accepted(draft.message, leased: draft.lease != nil)
        }
    }

    /// Stores the draft, its conversation, tags, job and idempotency key in one statement (atomic on its own: one
    /// round trip instead of a transaction's six or more), unless the recipient is on the opt-out list or the key is
    /// bound to a message already (a concurrent request with the key waits for this one's row, then finds it bound).
    /// - Returns: the message as stored, or nil (nothing stored) when the recipient opted out or the key is taken.
    private func acceptInOneStatement(_ lookup: SendLookup, _ draft: OutboundDraft, idempotency: IdempotencyBinding?)
        async throws -> MessageRecord?
    {
        let touch = MessagingEngine.conversationTouch(
            account: lookup.account, channelId: lookup.channelId, contact: lookup.contact,
            now: draft.message.createdAt, inbound: false, whatsapp: false)
        // `touch.reopens` is false (outbound), the conversation clause `AcceptSend` is prepared with.
        let statement = PostgresSendStatements.AcceptSend(
            lookup: lookup, touch: touch, draft: draft, idempotency: idempotency,
            conversationId: MessagingEngine.newId("conv"), wakeChannel: PostgresServiceDatabase.wakeChannel)
        let rows = try await database.read { connection in
            var ids: [String] = []
            for try await (id, _) in try await connection.execute(statement, logger: logger) {
                ids.append(id)
            }
            return ids
        }
        guard let conversationId = rows.first else { return nil }
        var message = draft.message
        message.conversationId = conversationId
        return message
    }

    /// Takes the idempotency key for this transaction, or returns the message it is bound to.
    ///
    /// A key is free when it is new, when it was first used before `rememberedSince` (forgotten), or when it names
    /// no message; then it is (re)written with no message, to be bound at the end of the transaction. Otherwise the
    /// upsert leaves the row alone but locked, and the remembered binding decides.
    /// - Throws: ``ServiceError`` `idempotency-key-reused` when the key is bound to a request with another body.
    private static func takeKey(
        _ connection: PostgresConnection, _ account: String, _ binding: IdempotencyBinding, logger: Logger
    ) async throws -> MessageRecord? {
        let taken = try await connection.query(
            """
            INSERT INTO idempotency_key (account_id, key, status, response, created_at, message_id, request_hash)
            VALUES (\(account), \(binding.key), 1, '', \(binding.rememberedSince), NULL, \(binding.requestHash))
            ON CONFLICT (account_id, key) DO UPDATE SET status = 1, response = '', created_at = EXCLUDED.created_at,
                message_id = NULL, request_hash = EXCLUDED.request_hash
            WHERE idempotency_key.created_at < \(binding.rememberedSince) OR idempotency_key.message_id IS NULL
            RETURNING 1
            """, logger: logger)
        for try await _ in taken { return nil }
        var bound: (messageId: String?, hash: String?) = (nil, nil)
        for try await row in try await connection.query(
            "SELECT message_id, request_hash FROM idempotency_key WHERE account_id = \(account) AND key = \(binding.key)",
            logger: logger
        ).decode((String?, String?).self) {
            bound = row
        }
        guard let messageId = bound.messageId else { return nil }
        guard bound.hash == binding.requestHash else {
            throw ServiceError(
                status: 422, code: "idempotency-key-reused",
                message: "this Idempotency-Key was used for a request with a different body")
        }
        if let message = try await PostgresRowDecoder.first(
            MessageRecord.self,
            try await connection.query(
                "SELECT * FROM message WHERE id = \(messageId) AND account_id = \(account)", logger: logger))
        {
            return message
        }
        // Bound to a message that is gone: the request counts as new (as on SQLite); the row is locked already.
        try await connection.query(
            """
            UPDATE idempotency_key SET message_id = NULL, request_hash = \(binding.requestHash)
            WHERE account_id = \(account) AND key = \(binding.key)
            """, logger: logger)
        return nil
    }

    // MARK: Claim

    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int, skippingChannels: [ChannelKey])
        async throws -> [ClaimedJob]
    {
        let logger = self.logger
        let skippedAccounts = skippingChannels.map(\.account)
        let skippedChannels = skippingChannels.map(\.channelId)
        return try await database.transaction { connection -> [ClaimedJob] in
            // Rows another instance is claiming right now are skipped, not waited for; a row it claimed and
            // committed meanwhile is re-checked against the lease condition and left out.
            let claimed = try await connection.query(
                """
                UPDATE outbox_job SET lease_owner = \(owner), lease_until = \(leaseUntil)
                WHERE message_id IN (
                    SELECT message_id FROM outbox_job j
                    WHERE due_at <= \(now) AND (lease_until IS NULL OR lease_until < \(now))
                        AND NOT EXISTS (
                            SELECT 1 FROM unnest(\(skippedAccounts)::text[], \(skippedChannels)::text[]) AS s (a, c)
                            WHERE s.a = j.account_id AND s.c = j.channel_id)
                    ORDER BY due_at, message_id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING message_id, due_at
                """, logger: logger)
            var jobs: [(id: String, dueAt: Double)] = []
            for try await job in claimed.decode((String, Double).self) { jobs.append(job) }
            guard !jobs.isEmpty else { return [] }
            jobs.sort { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
            let ids = jobs.map(\.id)
            let messages = try await PostgresRowDecoder.decode(
                MessageRecord.self,
                try await connection.query("SELECT * FROM message WHERE id = ANY(\(ids))", logger: logger))
            let byId = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return ids.compactMap { id in
                byId[id].map { ClaimedJob(message: $0, attempts: $0.attempts, owner: owner) }
            }
        }
    }

    // MARK: Finish

    func finish(
        _ job: ClaimedJob, attempt: AttemptRecord?, disposition: JobDisposition, carrierReplyExcerpt: String?,
        now: Double
    ) async throws -> MessageRecord {
        if let stored = try await finishInOneStatement(
            job, attempt: attempt, disposition: disposition, carrierReplyExcerpt: carrierReplyExcerpt, now: now)
        {
            return stored
        }
        let logger = self.logger
        return try await database.transaction { connection -> MessageRecord in
            let messageId = job.message.id
            // The job must still be this owner's. A lease that ran out may have been taken over by another
            // instance, which makes its own attempt and finishes the job itself: this late result changes nothing.
            // One statement locks the job, then its message (the order every transaction here takes them in), and
            // reads the message's status columns, the only ones that can have changed since the claim (a delivery
            // report naming our reference).
            // The account's webhook endpoints come along, for the status event.
            var message = job.message
            var leaseOwner: String?
            var endpointsJSON: String?
            for try await (owner, status, providerId, errorCode, errorMessage, attempts, endpoints)
                in try await connection.execute(PostgresSendStatements.LockJob(messageId: messageId), logger: logger)
            {
                leaseOwner = owner
                message.status = status
                message.providerMessageId = providerId
                message.errorCode = errorCode
                message.errorMessage = errorMessage
                message.attempts = attempts
                endpointsJSON = endpoints
            }
            guard leaseOwner == job.owner else {
                logger.warning(
                    "outbox result dropped: the job's lease was taken over or the job ended",
                    metadata: ["message": "\(messageId)", "owner": "\(job.owner)"])
                return try await Self.storedMessage(connection, messageId, logger: logger)
            }
            if let attempt { message.attempts = max(message.attempts, attempt.number) }
            let statusBefore = message.status
            let next = disposition.apply(to: &message, now: now)
            let endpoints = try PostgresWebhookEvents.endpoints(endpointsJSON)
            if message.status != statusBefore {
                try await PostgresWebhookEvents.messageStatus(
                    connection, message, now: now, endpoints: endpoints, logger: logger)
            }
            // A carrier may post a delivery report before its send response reaches us; such a report waits in
            // `pending_status`. The report may reach another instance while this transaction runs: both sides take
            // the provider id's lock first (after the rows), so the report either sees this transaction's provider id
            // or is committed to `pending_status` before the statement below starts, which takes it.
            let providerId = message.providerMessageId
            if let providerId {
                try await Self.lockProviderId(
                    connection, account: message.accountId, providerId: providerId, logger: logger)
            }
            // The attempt, the job's end or its next due time, the message and the reports that were waiting for it,
            // in one statement.
            let dueAgain: Double? =
                switch next {
                case .done: nil
                case .dueAgain(let dueAt): dueAt
                }
            var pending: [(id: Int64, status: String, errorCode: String?, errorMessage: String?)] = []
            let store = PostgresSendStatements.StoreResult(
                messageId: messageId, attempt: attempt, dueAgain: dueAgain, message: message,
                carrierReplyExcerpt: carrierReplyExcerpt)
            for try await row in try await connection.execute(store, logger: logger) {
                pending.append(row)
            }
            guard !pending.isEmpty else { return message }
            for row in pending.sorted(by: { $0.id < $1.id }) {
                let before = message.status
                MessagingEngine.advance(
                    &message, to: row.status, errorCode: row.errorCode, errorMessage: row.errorMessage, now: now)
                if message.status != before {
                    try await PostgresWebhookEvents.messageStatus(
                        connection, message, now: now, endpoints: endpoints, logger: logger)
                }
            }
            try await connection.query(
                """
                UPDATE message SET status = \(message.status), error_code = \(message.errorCode),
                    error_message = \(message.errorMessage), updated_at = \(message.updatedAt)
                WHERE id = \(messageId)
                """, logger: logger)
            return message
        }
    }

    /// The common case of ``finish(_:attempt:disposition:carrierReplyExcerpt:now:)`` in one round trip: the result
    /// applied to the message as claimed, stored by `carrier_store_send_result` unless something it depends on changed
    /// (see ``PostgresSendStatements/StoreResultIfUnchanged``).
    /// - Returns: the stored message, or nil when nothing was stored and the transaction must decide.
    private func finishInOneStatement(
        _ job: ClaimedJob, attempt: AttemptRecord?, disposition: JobDisposition, carrierReplyExcerpt: String?,
        now: Double
    ) async throws -> MessageRecord? {
        var message = job.message
        if let attempt { message.attempts = max(message.attempts, attempt.number) }
        let statusBefore = message.status
        let next = disposition.apply(to: &message, now: now)
        // A status change the message's own callback URL wants is an event the transaction writes.
        if message.status != statusBefore && message.callbackUrl != nil { return nil }
        let dueAgain: Double? =
            switch next {
            case .done: nil
            case .dueAgain(let dueAt): dueAt
            }
        let statement = PostgresSendStatements.StoreResultIfUnchanged(
            job: job, attempt: attempt, dueAgain: dueAgain, message: message, carrierReplyExcerpt: carrierReplyExcerpt)
        let logger = self.logger
        let stored = try await database.read { connection in
            var stored = false
            for try await done in try await connection.execute(statement, logger: logger) { stored = done }
            return stored
        }
        return stored ? message : nil
    }

    private static func storedMessage(_ connection: PostgresConnection, _ id: String, logger: Logger) async throws
        -> MessageRecord
    {
        guard
            let message = try await PostgresRowDecoder.first(
                MessageRecord.self, try await connection.query("SELECT * FROM message WHERE id = \(id)", logger: logger)
            )
        else { throw ServiceError.storage("message \(id) vanished") }
        return message
    }

    /// Serializes, until the transaction ends, everything that matches a status callback to a message by the
    /// carrier's id: a send storing that id, and a callback deciding whether its message is known yet.
    static func lockProviderId(_ connection: PostgresConnection, account: String, providerId: String, logger: Logger)
        async throws
    {
        // The very lock the inbound store takes: one key for both sides.
        try await PostgresInboundStore.lockProviderId(
            connection, account: account, providerId: providerId, logger: logger)
    }

    // MARK: Leases, cancel, attempts

    func releaseLeases(owner: String?) async throws {
        let logger = self.logger
        try await database.transaction { connection in
            if let owner {
                try await connection.query(
                    "UPDATE outbox_job SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner)",
                    logger: logger)
            } else {
                try await connection.query(
                    "UPDATE outbox_job SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
                    logger: logger)
            }
            // Jobs freed now are due for the other instances too.
            try await PostgresServiceDatabase.notify(
                connection, PostgresServiceDatabase.wakeChannel, payload: "outbox", logger: logger)
        }
    }

    func nextDueAt(now: Double) async throws -> Double? {
        let logger = self.logger
        return try await database.read { connection in
            // In due order through `outbox_job_due`, stopping at the first claimable job.
            let rows = try await connection.query(
                """
                SELECT due_at FROM outbox_job WHERE lease_until IS NULL OR lease_until < \(now)
                ORDER BY due_at LIMIT 1
                """, logger: logger)
            for try await dueAt in rows.decode(Double.self) { return dueAt }
            return nil
        }
    }

    /// Raised inside the cancel transaction to roll it back when the message moved on meanwhile.
    private struct NotCancelable: Error {}

    func cancel(messageId: String, account: String, now: Double) async throws -> MessageRecord? {
        let logger = self.logger
        do {
            return try await database.transaction { connection -> MessageRecord? in
                let read = try await connection.query(
                    "SELECT * FROM message WHERE id = \(messageId) AND account_id = \(account)", logger: logger)
                guard let message = try await PostgresRowDecoder.first(MessageRecord.self, read) else {
                    throw ServiceError.notFound("unknown-message", "no message '\(messageId)'")
                }
                guard (MessageStatus(rawValue: message.status) ?? .sent).canAdvance(to: .canceled) else { return nil }
                // The job first, then the message (the order every transaction here locks them in). A job being
                // claimed now is waited for, then found leased: not canceled.
                var deleted = false
                for try await _ in try await connection.query(
                    """
                    DELETE FROM outbox_job
                    WHERE message_id = \(messageId) AND (lease_until IS NULL OR lease_until < \(now))
                    RETURNING 1
                    """, logger: logger)
                {
                    deleted = true
                }
                guard deleted else { return nil }
                guard
                    var locked = try await PostgresRowDecoder.first(
                        MessageRecord.self,
                        try await connection.query(
                            "SELECT * FROM message WHERE id = \(messageId) FOR UPDATE", logger: logger)),
                    (MessageStatus(rawValue: locked.status) ?? .sent).canAdvance(to: .canceled)
                else { throw NotCancelable() }
                locked.status = MessageStatus.canceled.rawValue
                locked.errorCode = "canceled"
                locked.nextAttemptAt = nil
                locked.updatedAt = now
                try await connection.query(
                    """
                    UPDATE message SET status = \(locked.status), error_code = \(locked.errorCode),
                        next_attempt_at = NULL, updated_at = \(now)
                    WHERE id = \(messageId)
                    """, logger: logger)
                try await PostgresWebhookEvents.messageStatus(connection, locked, now: now, logger: logger)
                return locked
            }
        } catch is NotCancelable {
            return nil
        }
    }

    func attempts(messageId: String, account: String) async throws -> [AttemptRecord] {
        let logger = self.logger
        return try await database.read { connection in
            var exists = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM message WHERE id = \(messageId) AND account_id = \(account)", logger: logger)
            {
                exists = true
            }
            guard exists else { throw ServiceError.notFound("unknown-message", "no message '\(messageId)'") }
            let rows = try await connection.query(
                """
                SELECT number, started_at, outcome, http_status, error_code, latency_ms FROM send_attempt
                WHERE message_id = \(messageId) ORDER BY number
                """, logger: logger)
            var attempts: [AttemptRecord] = []
            for try await (number, startedAt, outcome, httpStatus, errorCode, latencyMs) in rows.decode(
                (Int, Double, String, Int?, String?, Double).self)
            {
                attempts.append(
                    AttemptRecord(
                        number: number, startedAt: startedAt, outcome: outcome, httpStatus: httpStatus,
                        errorCode: errorCode, latencyMs: latencyMs))
            }
            return attempts
        }
    }
}
