import PostgresNIO

/// The statements that queue a webhook event for its endpoints on PostgreSQL, prepared as
/// ``PostgresSendStatements`` are: they run inside every send's result and every incoming message's transaction
/// once an account subscribes to webhooks.
enum PostgresWebhookEventStatements {
    /// Takes the message's next event number (events of one message are numbered in order).
    struct NextSequence: PostgresPreparedStatement {
        static let sql = "UPDATE message SET event_sequence = event_sequence + 1 WHERE id = $1 RETURNING event_sequence"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = Int

        var messageId: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(messageId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
    }

    /// One delivery per target of an event (an endpoint, or the message's own callback URL: endpoint id ''), and
    /// the wake-up of the instances' deliverers (sent on commit).
    struct InsertDeliveries: PostgresPreparedStatement {
        static let sql = """
            WITH queued AS (
                INSERT INTO webhook_delivery (id, account_id, endpoint_id, url, event_id, event_type, message_id,
                    sequence, payload, status, attempts, due_at, created_at, updated_at)
                SELECT t.id, $1, NULLIF(t.endpoint_id, ''), t.url, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7
                FROM unnest($8::text[], $9::text[], $10::text[]) AS t (id, endpoint_id, url)
                RETURNING 1
            )
            SELECT pg_notify($11, 'webhook') FROM (SELECT count(*) FROM queued) AS done
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .text, .text, .text, .int8, .text, .float8, .textArray, .textArray, .textArray, .text,
        ]
        typealias Row = ()

        var account: String
        var eventId: String
        var eventType: String
        var messageId: String
        var sequence: Int
        var payload: String
        var now: Double
        /// Each delivery's id, endpoint id (nil: the message's callback URL) and URL.
        var targets: [(id: String, endpointId: String?, url: String)]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            for text in [account, eventId, eventType, messageId] { bindings.append(text) }
            bindings.append(sequence)
            bindings.append(payload)
            bindings.append(now)
            bindings.append(targets.map(\.id))
            bindings.append(targets.map { $0.endpointId ?? "" })
            bindings.append(targets.map(\.url))
            bindings.append(PostgresServiceDatabase.wakeChannel)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }
}
