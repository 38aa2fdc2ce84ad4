import PostgresNIO

/// The statements every send runs on PostgreSQL, as named prepared statements: parsed once per connection and, after
/// a few runs, executed with a generic plan. Sent as unnamed statements they were parsed and planned on every call,
/// about half of the database server's CPU per message (`pg_stat_statements` with `track_planning`).
///
/// Each statement here and in the other statement enums names itself (`name`): the library's default,
/// `String(reflecting:)` of the type, is computed on every execution (1.6% of the service's CPU on `/send`).
///
/// Their parameter types are given (`bindingDataTypes`): a statement is prepared before its first values are seen,
/// and PostgreSQL cannot infer the type of a parameter used only in a `SELECT` list or compared with another parameter.
enum PostgresSendStatements {
    /// Locks a job and its message (in that order, as every transaction here takes them) and reads what a delivery
    /// report may have changed since the claim, with the account's webhook endpoints.
    struct LockJob: PostgresPreparedStatement {
        static let name = "PostgresSendStatements.LockJob"
        static let sql = """
            SELECT j.lease_owner, m.status, m.provider_message_id, m.error_code, m.error_message, m.attempts,
                \(PostgresWebhookEvents.endpointsColumn(accountColumn: "m.account_id"))
            FROM outbox_job j JOIN message m ON m.id = j.message_id
            WHERE j.message_id = $1 FOR UPDATE OF j, m
            """
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = (String?, String, String?, String?, String?, Int, String?)

        var messageId: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(messageId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Takes the transaction-scoped advisory lock named by a key, hashed to 64 bits with a seed (two keys sharing a
    /// hash only wait for each other), held until the transaction ends.
    struct AdvisoryLock: PostgresPreparedStatement {
        static let name = "PostgresSendStatements.AdvisoryLock"
        static let sql = "SELECT pg_advisory_xact_lock(hashtextextended($1, $2))"
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8]
        typealias Row = ()

        var key: String
        var seed: Int = 0

        /// Serializes everything that matches a status callback to a message by the carrier's id (one lock per
        /// account and provider id).
        static func providerId(account: String, providerId: String) -> AdvisoryLock {
            AdvisoryLock(key: account + "\u{1F}" + providerId, seed: 17)
        }

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(key)
            bindings.append(seed)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// Stores a send's result in one statement: the attempt, the job's end or next due time, the message, and the
    /// delivery reports that were waiting for its provider id (deleted and returned, to be applied by the caller).
    /// `carrier_store_send_result` (migration `v3-send-result-function`) writes the same columns: a change here
    /// needs a migration that replaces the function.
    struct StoreResult: PostgresPreparedStatement {
        static let name = "PostgresSendStatements.StoreResult"
        static let sql = """
            WITH attempt AS (
                INSERT INTO send_attempt (message_id, number, started_at, outcome, http_status, error_code, latency_ms)
                SELECT $1, $2, $3, $4, $5, $6, $7
                WHERE $8
                ON CONFLICT (message_id, number) DO UPDATE SET started_at = EXCLUDED.started_at,
                    outcome = EXCLUDED.outcome, http_status = EXCLUDED.http_status,
                    error_code = EXCLUDED.error_code, latency_ms = EXCLUDED.latency_ms
            ), ended AS (
                DELETE FROM outbox_job WHERE message_id = $1 AND $9 IS NULL
            ), rescheduled AS (
                UPDATE outbox_job SET due_at = $9, lease_owner = NULL, lease_until = NULL
                WHERE message_id = $1 AND $9 IS NOT NULL
            ), stored AS (
                UPDATE message SET status = $10, provider_message_id = $11, error_code = $12, error_message = $13,
                    attempts = $14, next_attempt_at = $15, updated_at = $16,
                    carrier_reply_excerpt = COALESCE($17, carrier_reply_excerpt)
                WHERE id = $1
            )
            DELETE FROM pending_status WHERE account_id = $18 AND provider_message_id = $11
            RETURNING id, status, error_code, error_message
            """
        static let bindingDataTypes: [PostgresDataType] = [.text] + resultDataTypes + [.text]
        typealias Row = (Int64, String, String?, String?)

        var messageId: String
        var attempt: AttemptRecord?
        /// When the job is due again; nil when it ends.
        var dueAgain: Double?
        var message: MessageRecord
        var carrierReplyExcerpt: String?

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 18)
            bindings.append(messageId)
            PostgresSendStatements.appendResult(
                attempt: attempt, dueAgain: dueAgain, message: message, carrierReplyExcerpt: carrierReplyExcerpt,
                to: &bindings)
            bindings.append(message.accountId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A send's result in one round trip, when nothing it depends on changed since the claim: the migration
    /// `v3-send-result-function` (`PostgresSchema`) has the checks. True when stored; false when nothing was changed
    /// and the store's transaction must decide.
    struct StoreResultIfUnchanged: PostgresPreparedStatement {
        static let name = "PostgresSendStatements.StoreResultIfUnchanged"
        static let sql = """
            SELECT carrier_store_send_result($1, $2, $3, $4, $5, $6, $7, $8, $15, $9, $10, $11, $12, $13, $14, $16,
                $17, $18, $19, $20, $21, $22, $23, $24)
            """
        static let bindingDataTypes: [PostgresDataType] =
            [.text, .text, .text, .text, .text, .text, .text, .int8] + resultDataTypes
        typealias Row = Bool

        /// The job as claimed: its owner and the message as the dispatcher saw it.
        var job: ClaimedJob
        var attempt: AttemptRecord?
        /// When the job is due again; nil when it ends.
        var dueAgain: Double?
        /// The message with the result applied.
        var message: MessageRecord
        var carrierReplyExcerpt: String?

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 24)
            let seen = job.message
            for text in [seen.id, job.owner, seen.accountId, seen.status] { bindings.append(text) }
            for text in [seen.providerMessageId, seen.errorCode, seen.errorMessage] { bindings.append(text) }
            bindings.append(seen.attempts)
            PostgresSendStatements.appendResult(
                attempt: attempt, dueAgain: dueAgain, message: message, carrierReplyExcerpt: carrierReplyExcerpt,
                to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// `POST /send` in one statement (see `PostgresOutboxStore.acceptInOneStatement`): unless the recipient opted
    /// out or the idempotency key is bound already, the key (bound at once), the conversation, the message, its job
    /// and tags, and the wake-up of idle instances. Returns the conversation's id; no row when nothing was stored.
    struct AcceptSend: PostgresPreparedStatement {
        static let name = "PostgresSendStatements.AcceptSend"
        static let sql = """
            WITH opted AS (
                SELECT 1 FROM contact_opt_out WHERE account_id = $2 AND kind = $32 AND contact_address = $31
            ), key AS (
                -- Taken when new, forgotten (first used before rememberedSince) or bound to nothing, as the
                -- transaction's takeKey does; bound to this message at once.
                INSERT INTO idempotency_key (account_id, key, status, response, created_at, message_id, request_hash)
                SELECT $2, $34, 1, '', $33, $1, $35
                WHERE $36 AND NOT EXISTS (SELECT 1 FROM opted)
                ON CONFLICT (account_id, key) DO UPDATE SET status = 1, response = '',
                    created_at = EXCLUDED.created_at, message_id = EXCLUDED.message_id,
                    request_hash = EXCLUDED.request_hash
                WHERE idempotency_key.created_at < $37 OR idempotency_key.message_id IS NULL
                RETURNING 1
            ), conv AS (
                INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                    window_expires_at, last_message_at, created_at, updated_at, queue)
                SELECT $38, $2, $3, $31, 'open', NULL, $39, $40, $33, $33, $33, $41
                WHERE NOT EXISTS (SELECT 1 FROM opted) AND (NOT $36 OR EXISTS (SELECT 1 FROM key))
                \(PostgresInboundStore.conversationTouched(reopens: "FALSE"))
                RETURNING id
            ), msg AS (
                INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address, to_address,
                    body, media, status, provider_message_id, template_name, segments, error_code, error_message,
                    reference, confirmed, created_at, updated_at, scheduled_for, expires_at, validity_seconds,
                    attempts, next_attempt_at, template_language, template_variables, callback_url, delivery_report,
                    provider_status, metadata, tags)
                SELECT $1, $2, conv.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                    $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30
                FROM conv
                RETURNING id
            ), job AS (
                INSERT INTO outbox_job (message_id, account_id, channel_id, due_at, lease_owner, lease_until, created_at)
                SELECT msg.id, $2, $3, $42, $43, $44, $33 FROM msg
            ), tag AS (
                INSERT INTO message_tag (account_id, tag, message_id)
                SELECT $2, t.tag, msg.id FROM msg, unnest($45::text[]) AS t (tag)
                ON CONFLICT DO NOTHING
            ), woken AS (
                -- Due now and leased to nobody: whichever instance is idle takes it (delivered on commit).
                SELECT pg_notify($46, 'outbox') FROM msg WHERE $47
            )
            SELECT id, (SELECT count(*) FROM woken) FROM conv
            """
        static let bindingDataTypes: [PostgresDataType] =
            PostgresSendStatements.messageDataTypes
            + [.text, .text, .float8, .text, .text, .bool, .float8, .text, .int8, .float8, .text]
            + [.float8, .text, .float8, .textArray, .text, .bool]
        typealias Row = (String, Int)

        var lookup: SendLookup
        var touch: ConversationTouch
        var draft: OutboundDraft
        var idempotency: IdempotencyBinding?
        var conversationId: String
        var wakeChannel: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 47)
            let m = draft.message
            PostgresSendStatements.appendMessage(m, to: &bindings)
            // $31...
            bindings.append(lookup.contact)
            bindings.append(lookup.optOutKind.rawValue)
            bindings.append(touch.now)
            bindings.append(idempotency?.key ?? "")
            bindings.append(idempotency?.requestHash ?? "")
            bindings.append(idempotency != nil)
            bindings.append(idempotency?.rememberedSince ?? 0)
            bindings.append(conversationId)
            bindings.append(touch.unreadIncrement)
            bindings.append(touch.windowExpiresAt)
            bindings.append(touch.queue)
            bindings.append(draft.dueAt)
            bindings.append(draft.lease?.owner)
            bindings.append(draft.lease?.until)
            bindings.append(lookup.tags)
            bindings.append(wakeChannel)
            bindings.append(draft.lease == nil && draft.dueAt <= m.createdAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The types of ``appendResult(attempt:dueAgain:message:carrierReplyExcerpt:to:)``'s bindings.
    static let resultDataTypes: [PostgresDataType] = [
        .int8, .float8, .text, .int8, .text, .float8, .bool, .float8,
        .text, .text, .text, .text, .int8, .float8, .float8, .text,
    ]

    /// Binds a send's result, 16 values: the attempt's columns and whether there is one, when the job is due again,
    /// the message's status columns, and the carrier's reply excerpt.
    static func appendResult(
        attempt: AttemptRecord?, dueAgain: Double?, message: MessageRecord, carrierReplyExcerpt: String?,
        to bindings: inout PostgresBindings
    ) {
        bindings.append(attempt?.number)
        bindings.append(attempt?.startedAt)
        bindings.append(attempt?.outcome)
        bindings.append(attempt?.httpStatus)
        bindings.append(attempt?.errorCode)
        bindings.append(attempt?.latencyMs)
        bindings.append(attempt != nil)
        bindings.append(dueAgain)
        bindings.append(message.status)
        for text in [message.providerMessageId, message.errorCode, message.errorMessage] { bindings.append(text) }
        bindings.append(message.attempts)
        bindings.append(message.nextAttemptAt)
        bindings.append(message.updatedAt)
        bindings.append(carrierReplyExcerpt)
    }

    /// The types of ``appendMessage(_:to:)``'s bindings, `$1` to `$30`.
    static let messageDataTypes: [PostgresDataType] =
        [PostgresDataType](repeating: .text, count: 11) + [.int8, .text, .text, .text, .bool]
        + [.float8, .float8, .float8, .float8, .int8, .int8, .float8]
        + [PostgresDataType](repeating: .text, count: 7)

    /// Binds a message's columns (``MessageRecord/preparedColumns``) but `conversation_id`, as `$1` to `$30`: `id`,
    /// `account_id`, then `channel_id` to `tags`. The statement supplies the conversation.
    static func appendMessage(_ m: MessageRecord, to bindings: inout PostgresBindings) {
        for text in [m.id, m.accountId, m.channelId, m.direction] { bindings.append(text) }
        for text in [m.fromAddress, m.toAddress, m.body] { bindings.append(text) }
        bindings.append(MediaColumn.text(m.media))
        bindings.append(m.status)
        bindings.append(m.providerMessageId)
        bindings.append(m.templateName)
        bindings.append(m.segments)
        for text in [m.errorCode, m.errorMessage, m.reference] { bindings.append(text) }
        bindings.append(m.confirmed)
        for number in [m.createdAt, m.updatedAt] { bindings.append(number) }
        for number in [m.scheduledFor, m.expiresAt] { bindings.append(number) }
        bindings.append(m.validitySeconds)
        bindings.append(m.attempts)
        bindings.append(m.nextAttemptAt)
        bindings.append(m.templateLanguage)
        bindings.append(m.templateVariables.map(MediaColumn.text))
        for text in [m.callbackUrl, m.deliveryReport, m.providerStatus] { bindings.append(text) }
        bindings.append(m.metadata.map(MessageRecord.metadataText))
        bindings.append(m.tags.map(MediaColumn.text))
    }
}
