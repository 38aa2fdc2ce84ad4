import PostgresNIO

/// The statements of customer webhooks on PostgreSQL that run per event, prepared as ``PostgresSendStatements`` are:
/// queuing an event for its endpoints (inside every send's result and every incoming message's transaction once an
/// account subscribes), and recording a delivery the endpoint took.
enum PostgresWebhookEventStatements {
    /// One delivery of an event: its id, its endpoint (nil: the message's callback URL) and its URL.
    typealias Target = (id: String, endpointId: String?, url: String)

    /// A new delivery id for each of an event's destinations.
    static func targets(_ destinations: [(endpointId: String?, url: String)]) -> [Target] {
        destinations.map { (TimeOrderedID.make(prefix: "whd"), $0.endpointId, $0.url) }
    }

    /// Binds the deliveries as three text arrays (ids, endpoint ids with '' for none, URLs), the parameters
    /// `unnest` reads in every statement and function that writes them.
    static func appendTargets(_ targets: [Target], to bindings: inout PostgresBindings) {
        bindings.append(targets.map(\.id))
        bindings.append(targets.map { $0.endpointId ?? "" })
        bindings.append(targets.map(\.url))
    }

    /// Takes the message's next event number (events of one message are numbered in order). With
    /// ``InsertDeliveries``, repeated by `carrier_apply_status_event` and `carrier_store_received_event` (migrations
    /// `v6-status-event-function`, `v7-received-event-function`): a change to either needs a migration that
    /// replaces them.
    struct NextSequence: PostgresPreparedStatement {
        static let name = "PostgresWebhookEventStatements.NextSequence"
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
        static let name = "PostgresWebhookEventStatements.InsertDeliveries"
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
        var targets: [Target]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            for text in [account, eventId, eventType, messageId] { bindings.append(text) }
            bindings.append(sequence)
            bindings.append(payload)
            bindings.append(now)
            PostgresWebhookEventStatements.appendTargets(targets, to: &bindings)
            bindings.append(PostgresServiceDatabase.wakeChannel)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// A delivery the endpoint took (2xx), and its endpoint (none for a callback URL) no longer failing.
    struct Delivered: PostgresPreparedStatement {
        static let name = "PostgresWebhookEventStatements.Delivered"
        static let sql = """
            WITH done AS (
                UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, due_at = NULL,
                    lease_owner = NULL, lease_until = NULL, last_http_status = $2, last_error = NULL,
                    last_latency_ms = $3, updated_at = $4, delivered_at = $4
                WHERE id = $1
            )
            UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $5 AND failing_since IS NOT NULL
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .float8, .float8, .text]
        typealias Row = ()

        var id: String
        var httpStatus: Int
        var latencyMs: Double
        var now: Double
        var endpointId: String?

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(id)
            bindings.append(httpStatus)
            bindings.append(latencyMs)
            bindings.append(now)
            bindings.append(endpointId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }
}
