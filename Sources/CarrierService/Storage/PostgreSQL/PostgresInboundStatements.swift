import PostgresNIO

/// The statements every carrier webhook runs on PostgreSQL (an incoming message, a delivery report), as named
/// prepared statements, as ``PostgresSendStatements`` does for sends: sent unnamed, each was parsed and planned on
/// every call (`pg_stat_statements`: 234 of the 515 us the four statements of an incoming message took were planning).
enum PostgresInboundStatements {
    /// Whether this channel stored an incoming message under the provider id before (false without one), and the
    /// account's webhook endpoints, in one round trip.
    struct ReceivedBefore: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.ReceivedBefore"
        static let sql = """
            SELECT $1 AND EXISTS (
                    SELECT 1 FROM message
                    WHERE provider_message_id = $2 AND account_id = $4 AND channel_id = $3 AND direction = 'inbound'),
                \(PostgresWebhookEvents.endpointsColumn(accountColumn: "$4"))
            """
        static let bindingDataTypes: [PostgresDataType] = [.bool, .text, .text, .text]
        typealias Row = (Bool, String?)

        var providerId: String?
        var channelId: String
        var account: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(providerId != nil)
            bindings.append(providerId ?? "")
            bindings.append(channelId)
            bindings.append(account)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Applies a ``ConversationTouch`` to the contact's conversation, creating it when there is none; returns its id.
    struct UpsertConversation: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.UpsertConversation"
        static let sql = """
            INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                window_expires_at, last_message_at, created_at, updated_at, queue)
            VALUES ($1, $2, $3, $4, 'open', NULL, $5, $6, $7, $7, $7, $8)
            \(PostgresInboundStore.conversationTouched(reopens: "$9"))
            RETURNING id
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .text, .text, .text, .int8, .float8, .float8, .text, .bool,
        ]
        typealias Row = String

        var id: String
        var touch: ConversationTouch

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            for text in [id, touch.account, touch.channelId, touch.contact] { bindings.append(text) }
            Self.appendTouch(touch, to: &bindings)
            return bindings
        }

        /// Binds what a touch changes: unread increment, window end, time, queue, whether it reopens.
        static func appendTouch(_ touch: ConversationTouch, to bindings: inout PostgresBindings) {
            bindings.append(touch.unreadIncrement)
            bindings.append(touch.windowExpiresAt)
            bindings.append(touch.now)
            bindings.append(touch.queue)
            bindings.append(touch.reopens)
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Stores a message in its conversation (`$31`). `carrier_store_received` and `carrier_store_received_event`
    /// (migrations `v5-received-function`, `v7-received-event-function`) write the same columns: a change here needs
    /// a migration that replaces them.
    struct InsertMessage: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.InsertMessage"
        static let sql = """
            INSERT INTO message (\(MessageRecord.preparedColumns))
            VALUES ($1, $2, $31, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25, $26, $27, $28, $29, $30)
            """
        static let bindingDataTypes = PostgresSendStatements.messageDataTypes + [.text]
        typealias Row = ()

        var message: MessageRecord

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 31)
            PostgresSendStatements.appendMessage(message, to: &bindings)
            bindings.append(message.conversationId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// An incoming message in one round trip: `carrier_store_received` (migration `v5-received-function`) takes the
    /// provider id's lock (the key ``PostgresInboundStore`` locks in its transaction), finds a message the channel
    /// already stored under it (then writes nothing: a resend, done), else writes nothing when the account has an
    /// enabled webhook endpoint (the transaction writes the event), else upserts the conversation and stores the
    /// message. True when done; false when the transaction must run.
    struct StoreReceivedIfSimple: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.StoreReceivedIfSimple"
        static let sql = """
            SELECT carrier_store_received($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38)
            """
        static let bindingDataTypes =
            PostgresSendStatements.messageDataTypes
            + [.text, .text, .text, .int8, .float8, .float8, .text, .bool]
        typealias Row = Bool

        var message: MessageRecord
        /// The advisory lock's key (`received`, account, channel, provider id); unused without a provider id.
        var lockKey: String
        var conversationId: String
        var touch: ConversationTouch

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 38)
            PostgresSendStatements.appendMessage(message, to: &bindings)
            for text in [lockKey, conversationId, touch.contact] { bindings.append(text) }
            UpsertConversation.appendTouch(touch, to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// What an incoming message with webhook endpoints to tell reads before ``StoreReceivedWithEvent``: whether the
    /// channel stored the provider id already (false without one), the contact's conversation (nil: none yet) and
    /// the account's enabled endpoints, in one round trip.
    struct ReceivedContext: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.ReceivedContext"
        static let sql = """
            SELECT $1 AND EXISTS (
                    SELECT 1 FROM message
                    WHERE provider_message_id = $2 AND account_id = $4 AND channel_id = $3 AND direction = 'inbound'),
                (SELECT id FROM conversation WHERE account_id = $4 AND channel_id = $3 AND contact_address = $5),
                \(PostgresWebhookEvents.endpointsColumn(accountColumn: "$4"))
            """
        static let bindingDataTypes: [PostgresDataType] = [.bool, .text, .text, .text, .text]
        typealias Row = (Bool, String?, String?)

        var providerId: String?
        var channelId: String
        var account: String
        var contact: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(providerId != nil)
            bindings.append(providerId ?? "")
            for text in [channelId, account, contact] { bindings.append(text) }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// An incoming message and its `message.received` deliveries in one round trip after ``ReceivedContext``:
    /// `carrier_store_received_event` (migration `v7-received-event-function`) does what ``StoreReceivedIfSimple``'s
    /// function does, but checks that the account's enabled endpoints and the contact's conversation are those read
    /// (the body names the conversation), and writes the deliveries with event sequence 1. True when done; false, or
    /// SQLSTATE `CR001` (the conversation was created meanwhile), when the transaction must run.
    struct StoreReceivedWithEvent: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.StoreReceivedWithEvent"
        static let sql = """
            SELECT carrier_store_received_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35,
                $36, $37, $38, $39, $40, $41, $42, $43, $44, $45)
            """
        static let bindingDataTypes =
            StoreReceivedIfSimple.bindingDataTypes
            + [.textArray, .text, .text, .textArray, .textArray, .textArray, .text]
        typealias Row = Bool

        /// The message, its conversation (`conversationId` of the message: the one read, or a new id) included.
        var message: MessageRecord
        var lockKey: String
        var touch: ConversationTouch
        var seenEndpointIds: [String]
        var eventId: String
        /// The `message.received` body (sequence 1).
        var payload: String
        var targets: [PostgresWebhookEventStatements.Target]

        func makeBindings() -> PostgresBindings {
            var bindings = StoreReceivedIfSimple(
                message: message, lockKey: lockKey, conversationId: message.conversationId, touch: touch
            ).makeBindings()
            bindings.append(seenEndpointIds.sorted())
            for text in [eventId, payload] { bindings.append(text) }
            PostgresWebhookEventStatements.appendTargets(targets, to: &bindings)
            bindings.append(PostgresServiceDatabase.wakeChannel)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// A delivery report's change to its message; the provider's own status word only when it gave one.
    /// `carrier_apply_status` (migration `v4-status-functions`) and `carrier_apply_status_event` (migration
    /// `v6-status-event-function`) write the same columns, and
    /// `carrier_keep_pending_status` those of ``KeepPending``: a change to either needs a migration that replaces them.
    struct UpdateStatus: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.UpdateStatus"
        static let sql = """
            UPDATE message SET status = $2, provider_message_id = $3, error_code = $4, error_message = $5,
                updated_at = $6, provider_status = COALESCE($7, provider_status)
            WHERE id = $1
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .float8, .text]
        typealias Row = ()

        var message: SentMessageStatus
        var providerStatus: String?

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            for text in [message.id, message.status] { bindings.append(text) }
            for text in [message.providerMessageId, message.errorCode, message.errorMessage] { bindings.append(text) }
            bindings.append(message.updatedAt)
            bindings.append(providerStatus)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// Keeps a delivery report for a message not found (yet): the outbox applies it when it stores the provider id.
    struct KeepPending: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.KeepPending"
        static let sql = """
            INSERT INTO pending_status (account_id, channel_id, provider_message_id, reference, status, error_code,
                error_message, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text, .text, .float8]
        typealias Row = ()

        var pending: PendingStatusRecord

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            for text in [pending.accountId, pending.channelId] { bindings.append(text) }
            for text in [pending.providerMessageId, pending.reference] { bindings.append(text) }
            bindings.append(pending.status)
            for text in [pending.errorCode, pending.errorMessage] { bindings.append(text) }
            bindings.append(pending.receivedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// A delivery report's change to the message its provider id names, in one round trip, unless the message
    /// changed since it was read or a webhook endpoint wants the status change: `carrier_apply_status` (migration
    /// `v4-status-functions`). True when stored; false when nothing was written.
    struct ApplyStatusIfUnchanged: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.ApplyStatusIfUnchanged"
        static let sql = """
            SELECT carrier_apply_status($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .text, .text, .text, .text, .text, .text, .float8, .bool, .text, .text, .text, .text, .float8,
            .text,
        ]
        typealias Row = Bool

        var account: String
        var providerId: String
        /// The message as read before the rules decided.
        var seen: SentMessageStatus
        /// The message as the rules left it.
        var message: SentMessageStatus
        var providerStatus: String?
        /// Whether the status changes (then an enabled webhook endpoint sends it to the transaction).
        var statusChanged: Bool

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 15)
            for text in [account, providerId, seen.id, seen.status] { bindings.append(text) }
            for text in [seen.providerMessageId, seen.errorCode, seen.errorMessage] { bindings.append(text) }
            bindings.append(seen.updatedAt)
            bindings.append(statusChanged)
            bindings.append(message.status)
            for text in [message.providerMessageId, message.errorCode, message.errorMessage] { bindings.append(text) }
            bindings.append(message.updatedAt)
            bindings.append(providerStatus)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// A delivery report's status change and its webhook deliveries in one round trip, unless the message (its
    /// event sequence included) changed since it was read or the account's enabled endpoints are no longer those
    /// read: `carrier_apply_status_event` (migration `v6-status-event-function`). With no target the message is
    /// written alone, as ``ApplyStatusIfUnchanged`` does. True when stored; false when nothing was written.
    struct ApplyStatusWithEvent: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.ApplyStatusWithEvent"
        static let sql = """
            SELECT carrier_apply_status_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20, $21, $22, $23, $24)
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .text, .text, .text, .text, .text, .text, .float8, .int8, .textArray,
            .text, .text, .text, .text, .float8, .text,
            .text, .text, .text, .float8, .textArray, .textArray, .textArray, .text,
        ]
        typealias Row = Bool

        var account: String
        var providerId: String
        /// The message as read before the rules decided, and its event sequence.
        var seen: SentMessageStatus
        var seenEventSequence: Int
        /// The ids of the account's enabled endpoints as read.
        var seenEndpointIds: [String]
        /// The message as the rules left it.
        var message: SentMessageStatus
        var providerStatus: String?
        var eventId: String
        /// The `message.status` body, with the sequence after `seenEventSequence`.
        var payload: String
        var now: Double
        /// Each delivery's id, endpoint id (nil: the message's callback URL) and URL.
        var targets: [PostgresWebhookEventStatements.Target]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 24)
            for text in [account, providerId, seen.id, seen.status] { bindings.append(text) }
            for text in [seen.providerMessageId, seen.errorCode, seen.errorMessage] { bindings.append(text) }
            bindings.append(seen.updatedAt)
            bindings.append(seenEventSequence)
            bindings.append(seenEndpointIds.sorted())
            bindings.append(message.status)
            for text in [message.providerMessageId, message.errorCode, message.errorMessage] { bindings.append(text) }
            bindings.append(message.updatedAt)
            bindings.append(providerStatus)
            for text in [eventId, WebhookEventType.messageStatus.rawValue, payload] { bindings.append(text) }
            bindings.append(now)
            PostgresWebhookEventStatements.appendTargets(targets, to: &bindings)
            bindings.append(PostgresServiceDatabase.wakeChannel)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// Keeps a delivery report in one round trip unless a message has the provider id by now:
    /// `carrier_keep_pending_status`. True when kept; false when nothing was written.
    struct KeepPendingIfUnknown: PostgresPreparedStatement {
        static let name = "PostgresInboundStatements.KeepPendingIfUnknown"
        static let sql = "SELECT carrier_keep_pending_status($1, $2, $3, $4, $5, $6, $7, $8)"
        static let bindingDataTypes: [PostgresDataType] = KeepPending.bindingDataTypes
        typealias Row = Bool

        var pending: PendingStatusRecord

        func makeBindings() -> PostgresBindings { KeepPending(pending: pending).makeBindings() }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Bool.self) }
    }

    /// The outbound message a delivery report names by the carrier's id, locked, with the account's webhook
    /// endpoints (``SentMessageLookup``).
    struct SentMessageByProviderId: SentMessageLookup {
        static let name = "PostgresInboundStatements.SentMessageByProviderId"
        static let sql = sentMessageSQL(matching: "provider_message_id = $2")
        var account: String
        var key: String
    }

    /// The outbound message a delivery report names by our id (its reference), as ``SentMessageByProviderId``.
    struct SentMessageById: SentMessageLookup {
        static let name = "PostgresInboundStatements.SentMessageById"
        static let sql = sentMessageSQL(matching: "id = $2")
        var account: String
        var key: String
    }

    /// Every column of the message (`$1` account, `$2` the key `condition` compares), locked, and the account's
    /// webhook endpoints as `webhook_endpoints`.
    static func sentMessageSQL(matching condition: String) -> String {
        """
        SELECT *, \(PostgresWebhookEvents.endpointsColumn(accountColumn: "message.account_id")) AS webhook_endpoints
        FROM message WHERE account_id = $1 AND \(condition) AND direction = 'outbound'
        LIMIT 1 FOR UPDATE
        """
    }
}

/// A lookup of one outbound message by account and one key, read by column name.
protocol SentMessageLookup: PostgresPreparedStatement where Row == PostgresRow {
    var account: String { get }
    var key: String { get }
}

extension SentMessageLookup {
    static var bindingDataTypes: [PostgresDataType] { [.text, .text] }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(account)
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
