import Foundation
import GRDB

/// ``OutboxStore`` on the service's SQLite file: writes go through the group-commit writer (one durable commit for
/// many requests), reads through the pool.
struct SQLiteOutboxStore: OutboxStore {
    let database: DatabasePool
    let writer: GroupCommitWriter

    func accept(
        _ lookup: SendLookup, idempotency: IdempotencyBinding?,
        decide: @escaping @Sendable (SendFacts) throws -> OutboundDraft
    ) async throws -> AcceptOutcome {
        try await writer.write { db -> AcceptOutcome in
            if let idempotency, let existing = try Self.boundMessage(db, lookup.account, idempotency) {
                return .existing(existing)
            }
            let optedOut = try SQLiteIdentityStore.isOptedOut(
                db, account: lookup.account, kind: lookup.optOutKind, address: lookup.contact)
            var facts = SendFacts(optedOut: optedOut, windowExpiresAt: nil, templates: [])
            if lookup.readsWindow {
                let window = try db.cachedStatement(
                    sql: """
                        SELECT window_expires_at FROM conversation
                        WHERE account_id = ? AND channel_id = ? AND contact_address = ?
                        """)
                facts.windowExpiresAt = try Double.fetchOne(
                    window, arguments: [lookup.account, lookup.channelId, lookup.contact])
            }
            if let name = lookup.templateName {
                var query = TemplateRecord.filter(Column("account_id") == lookup.account && Column("name") == name)
                if let language = lookup.templateLanguage { query = query.filter(Column("language") == language) }
                facts.templates = try query.order(Column("created_at")).fetchAll(db)
            }
            var draft = try decide(facts)
            draft.message.conversationId = try SQLiteInboundStore.upsertConversation(
                db,
                MessagingEngine.conversationTouch(
                    account: lookup.account, channelId: lookup.channelId, contact: lookup.contact,
                    now: draft.message.createdAt, inbound: false, whatsapp: false))
            try draft.message.insertPrepared(db)
            for tag in lookup.tags {
                try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO message_tag (account_id, tag, message_id) VALUES (?, ?, ?)"
                ).execute(arguments: [lookup.account, tag, draft.message.id])
            }
            var job = try DirectStatement(
                db,
                sql: """
                    INSERT INTO outbox_job (message_id, account_id, channel_id, due_at, lease_owner, lease_until,
                        created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            job.bind(draft.message.id)
            job.bind(lookup.account)
            job.bind(lookup.channelId)
            job.bind(draft.dueAt)
            job.bind(draft.lease?.owner)
            job.bind(draft.lease?.until)
            job.bind(draft.message.createdAt)
            try job.execute()
            if let idempotency {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO idempotency_key (account_id, key, status, response, created_at, message_id,
                            request_hash)
                        VALUES (?, ?, 1, '', ?, ?, ?)
                        ON CONFLICT (account_id, key) DO UPDATE SET status = 1, response = '',
                            created_at = excluded.created_at, message_id = excluded.message_id,
                            request_hash = excluded.request_hash
                        """
                ).execute(arguments: [
                    lookup.account, idempotency.key, draft.message.createdAt, draft.message.id,
                    idempotency.requestHash,
                ])
            }
            return .accepted(draft.message, leased: draft.lease != nil)
        }
    }

    /// The message a remembered key created; a key remembered for a different body is refused.
    private static func boundMessage(_ db: Database, _ account: String, _ binding: IdempotencyBinding) throws
        -> MessageRecord?
    {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT message_id, request_hash FROM idempotency_key
                WHERE account_id = ? AND key = ? AND created_at >= ?
                """,
            arguments: [account, binding.key, binding.rememberedSince])
        guard let row, let messageId: String = row["message_id"] else { return nil }
        let hash: String? = row["request_hash"]
        guard hash == binding.requestHash else {
            throw ServiceError(
                status: 422, code: "idempotency-key-reused",
                message: "this Idempotency-Key was used for a request with a different body")
        }
        return try MessageRecord.fetchPrepared(db, id: messageId).flatMap { $0.accountId == account ? $0 : nil }
    }

    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int, skippingChannels: [ChannelKey])
        async throws -> [ClaimedJob]
    {
        try await writer.write { db -> [ClaimedJob] in
            // Free (or run-out) leases, oldest due first; paced channels are skipped in Swift, reading a few more.
            let candidates = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT message_id, account_id, channel_id FROM outbox_job
                        WHERE due_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY due_at LIMIT ?
                        """),
                arguments: [now, now, limit + skippingChannels.count * 4])
            let skipped = Set(skippingChannels)
            var claimed: [ClaimedJob] = []
            for row in candidates where claimed.count < limit {
                let key = ChannelKey(account: row[1], channelId: row[2])
                if skipped.contains(key) { continue }
                let messageId: String = row[0]
                var lease = try DirectStatement(
                    db, sql: "UPDATE outbox_job SET lease_owner = ?, lease_until = ? WHERE message_id = ?")
                lease.bind(owner)
                lease.bind(leaseUntil)
                lease.bind(messageId)
                try lease.execute()
                guard let message = try MessageRecord.fetchPrepared(db, id: messageId) else { continue }
                claimed.append(ClaimedJob(message: message, attempts: message.attempts, owner: owner))
            }
            return claimed
        }
    }

    func finish(
        _ job: ClaimedJob, attempt: AttemptRecord?, disposition: JobDisposition, carrierReplyExcerpt: String?,
        now: Double
    ) async throws -> MessageRecord {
        try await writer.write { db -> MessageRecord in
            // Only the status columns can have changed since the claim (a delivery report naming our reference):
            // read those, not the whole row (the hot path of every send).
            var read = try DirectStatement(
                db,
                sql: """
                    SELECT status, provider_message_id, error_code, error_message, attempts FROM message WHERE id = ?
                    """)
            read.bind(job.message.id)
            guard try read.step(), let status = read.text(0) else {
                read.reset()
                throw ServiceError.storage("message \(job.message.id) vanished")
            }
            var message = job.message
            message.status = status
            message.providerMessageId = read.text(1)
            message.errorCode = read.text(2)
            message.errorMessage = read.text(3)
            message.attempts = Int(read.double(4))
            read.reset()
            if let attempt {
                var insert = try DirectStatement(
                    db,
                    sql: """
                        INSERT OR REPLACE INTO send_attempt (message_id, number, started_at, outcome, http_status,
                            error_code, latency_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                insert.bind(message.id)
                insert.bind(attempt.number)
                insert.bind(attempt.startedAt)
                insert.bind(attempt.outcome)
                insert.bind(attempt.httpStatus)
                insert.bind(attempt.errorCode)
                insert.bind(attempt.latencyMs)
                try insert.execute()
                message.attempts = max(message.attempts, attempt.number)
            }
            let statusBefore = message.status
            switch disposition.apply(to: &message, now: now) {
            case .done: try Self.deleteJob(db, message.id)
            case .dueAgain(let dueAt): try Self.reschedule(db, message.id, dueAt: dueAt)
            }
            if message.status != statusBefore { try SQLiteWebhookEvents.messageStatus(db, message, now: now) }
            if let providerId = message.providerMessageId {
                try Self.applyPendingStatuses(db, &message, providerId: providerId, now: now)
            }
            var update = try DirectStatement(
                db,
                sql: """
                    UPDATE message SET status = ?, provider_message_id = ?, error_code = ?, error_message = ?,
                        attempts = ?, next_attempt_at = ?, updated_at = ?,
                        carrier_reply_excerpt = COALESCE(?, carrier_reply_excerpt)
                    WHERE id = ?
                    """)
            update.bind(message.status)
            update.bind(message.providerMessageId)
            update.bind(message.errorCode)
            update.bind(message.errorMessage)
            update.bind(message.attempts)
            update.bind(message.nextAttemptAt)
            update.bind(message.updatedAt)
            update.bind(carrierReplyExcerpt)
            update.bind(message.id)
            try update.execute()
            return message
        }
    }

    private static func deleteJob(_ db: Database, _ messageId: String) throws {
        var delete = try DirectStatement(db, sql: "DELETE FROM outbox_job WHERE message_id = ?")
        delete.bind(messageId)
        try delete.execute()
    }

    private static func reschedule(_ db: Database, _ messageId: String, dueAt: Double) throws {
        try db.cachedStatement(
            sql: "UPDATE outbox_job SET due_at = ?, lease_owner = NULL, lease_until = NULL WHERE message_id = ?"
        ).execute(arguments: [dueAt, messageId])
    }

    /// A carrier may post a delivery report before its send response reaches us; such a report waits in
    /// `pending_status` and is applied here, in the same serialized writer, so it cannot be lost.
    private static func applyPendingStatuses(
        _ db: Database, _ message: inout MessageRecord, providerId: String, now: Double
    ) throws {
        let pending = try db.cachedStatement(
            sql: """
                SELECT id, status, error_code, error_message FROM pending_status
                WHERE account_id = ? AND provider_message_id = ? ORDER BY id
                """)
        for row in try Row.fetchAll(pending, arguments: [message.accountId, providerId]) {
            let before = message.status
            MessagingEngine.advance(&message, to: row[1], errorCode: row[2], errorMessage: row[3], now: now)
            if message.status != before { try SQLiteWebhookEvents.messageStatus(db, message, now: now) }
            try db.cachedStatement(sql: "DELETE FROM pending_status WHERE id = ?").execute(arguments: [row[0] as Int64])
        }
    }

    func releaseLeases(owner: String?) async throws {
        try await writer.write { db in
            if let owner {
                try db.cachedStatement(
                    sql: "UPDATE outbox_job SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?"
                ).execute(arguments: [owner])
            } else {
                try db.execute(sql: "UPDATE outbox_job SET lease_owner = NULL, lease_until = NULL")
            }
        }
    }

    func nextDueAt(now: Double) async throws -> Double? {
        try await database.read { db in
            // In due order through `outbox_job_due`, stopping at the first claimable job: only jobs in flight (at
            // most carrierConcurrency) are skipped; jobs whose lease runs out are found by the next poll.
            try Double.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT due_at FROM outbox_job INDEXED BY outbox_job_due
                        WHERE lease_until IS NULL OR lease_until < ? ORDER BY due_at LIMIT 1
                        """), arguments: [now])
        }
    }

    func cancel(messageId: String, account: String, now: Double) async throws -> MessageRecord? {
        try await writer.write { db -> MessageRecord? in
            guard
                var message = try MessageRecord.fetchPrepared(db, id: messageId)
                    .flatMap({ $0.accountId == account ? $0 : nil })
            else { throw ServiceError.notFound("unknown-message", "no message '\(messageId)'") }
            guard (MessageStatus(rawValue: message.status) ?? .sent).canAdvance(to: .canceled) else { return nil }
            try db.cachedStatement(
                sql: """
                    DELETE FROM outbox_job WHERE message_id = ? AND (lease_until IS NULL OR lease_until < ?)
                    """
            ).execute(arguments: [messageId, now])
            guard db.changesCount == 1 else { return nil }
            message.status = MessageStatus.canceled.rawValue
            message.errorCode = "canceled"
            message.nextAttemptAt = nil
            message.updatedAt = now
            try db.cachedStatement(
                sql: """
                    UPDATE message SET status = ?, error_code = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?
                    """
            ).execute(arguments: [message.status, message.errorCode, now, messageId])
            try SQLiteWebhookEvents.messageStatus(db, message, now: now)
            return message
        }
    }

    func attempts(messageId: String, account: String) async throws -> [AttemptRecord] {
        try await database.read { db in
            guard
                try MessageRecord.filter(Column("id") == messageId && Column("account_id") == account)
                    .fetchCount(db) == 1
            else { throw ServiceError.notFound("unknown-message", "no message '\(messageId)'") }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT number, started_at, outcome, http_status, error_code, latency_ms FROM send_attempt
                    WHERE message_id = ? ORDER BY number
                    """, arguments: [messageId]
            ).map {
                AttemptRecord(
                    number: $0[0], startedAt: $0[1], outcome: $0[2], httpStatus: $0[3], errorCode: $0[4],
                    latencyMs: $0[5])
            }
        }
    }
}
