import Logging
import PostgresNIO

/// ``WebhookStore`` on PostgreSQL, shared by every instance's deliverer.
///
/// Deliveries are claimed with `FOR UPDATE SKIP LOCKED` and leased (owner, until): two instances claiming at once
/// take disjoint rows, and a claimed row stays out of every claim until its lease runs out. The callback secret is
/// created once (`ON CONFLICT DO NOTHING`, then read), endpoint and secret changes lock their row first.
struct PostgresWebhookStore: WebhookStore {
    let database: PostgresServiceDatabase
    private var logger: Logger { database.logger }

    // MARK: Endpoints

    func insertEndpoint(_ endpoint: WebhookEndpointRecord) async throws {
        try await database.transaction { connection in
            try await connection.query(
                try PostgresRowEncoder.insert(endpoint, into: "webhook_endpoint"), logger: logger)
        }
    }

    func endpoints(account: String) async throws -> [WebhookEndpointRecord] {
        try await database.read { connection in
            try await PostgresRowDecoder.decode(
                WebhookEndpointRecord.self,
                try await connection.query(
                    "SELECT * FROM webhook_endpoint WHERE account_id = \(account) ORDER BY created_at, id",
                    logger: logger))
        }
    }

    func endpoint(id: String, account: String) async throws -> WebhookEndpointRecord? {
        try await database.read { connection in
            try await Self.endpoint(connection, id: id, account: account, lock: false, logger: logger)
        }
    }

    private static func endpoint(
        _ connection: PostgresConnection, id: String, account: String, lock: Bool, logger: Logger
    ) async throws -> WebhookEndpointRecord? {
        try await PostgresRowDecoder.first(
            WebhookEndpointRecord.self,
            try await connection.query(
                """
                SELECT * FROM webhook_endpoint WHERE id = \(id) AND account_id = \(account)
                \(unescaped: lock ? "FOR UPDATE" : "")
                """, logger: logger))
    }

    func updateEndpoint(
        id: String, account: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) throws -> Void
    ) async throws -> WebhookEndpointRecord? {
        try await database.transaction { connection -> WebhookEndpointRecord? in
            // Locked while `change` runs: a deliverer disabling the endpoint meanwhile is not overwritten by a stale
            // copy, nor the other way round.
            guard
                var endpoint = try await Self.endpoint(connection, id: id, account: account, lock: true, logger: logger)
            else { return nil }
            try change(&endpoint)
            try await connection.query(
                try PostgresRowEncoder.update(endpoint, in: "webhook_endpoint", keys: ["id"]), logger: logger)
            return endpoint
        }
    }

    func deleteEndpoint(id: String, account: String) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM webhook_endpoint WHERE id = \(id) AND account_id = \(account) RETURNING id",
                logger: logger)
            var deleted = false
            for try await _ in rows { deleted = true }
            return deleted
        }
    }

    // MARK: Callback secret

    func callbackSecret(account: String, now: Double, make: @escaping @Sendable () throws -> String) async throws
        -> CallbackSecretRecord
    {
        if let existing = try await database.read({ connection in
            try await Self.callbackSecret(connection, account: account, lock: false, logger: logger)
        }) {
            return existing
        }
        return try await database.transaction { connection -> CallbackSecretRecord in
            // Two instances making the first secret at once: one insert wins, both read the winner's row.
            let record = CallbackSecretRecord(
                accountId: account, secret: try make(), previousSecret: nil, previousSecretUntil: nil, createdAt: now,
                updatedAt: now)
            try await connection.query(
                try PostgresRowEncoder.insert(
                    record, into: "webhook_callback_secret", suffix: "ON CONFLICT DO NOTHING"),
                logger: logger)
            guard let stored = try await Self.callbackSecret(connection, account: account, lock: false, logger: logger)
            else { throw ServiceError.storage("callback secret vanished after its insert") }
            return stored
        }
    }

    private static func callbackSecret(_ connection: PostgresConnection, account: String, lock: Bool, logger: Logger)
        async throws -> CallbackSecretRecord?
    {
        try await PostgresRowDecoder.first(
            CallbackSecretRecord.self,
            try await connection.query(
                """
                SELECT * FROM webhook_callback_secret WHERE account_id = \(account)
                \(unescaped: lock ? "FOR UPDATE" : "")
                """, logger: logger))
    }

    func rotateCallbackSecret(account: String, sealed: String, previousUntil: Double, now: Double) async throws
        -> CallbackSecretRecord
    {
        try await database.transaction { connection -> CallbackSecretRecord in
            let fresh = CallbackSecretRecord(
                accountId: account, secret: sealed, previousSecret: nil, previousSecretUntil: nil, createdAt: now,
                updatedAt: now)
            if let inserted = try await PostgresRowDecoder.first(
                CallbackSecretRecord.self,
                try await connection.query(
                    try PostgresRowEncoder.insert(
                        fresh, into: "webhook_callback_secret", suffix: "ON CONFLICT DO NOTHING RETURNING *"),
                    logger: logger))
            {
                return inserted
            }
            guard
                var record = try await Self.callbackSecret(connection, account: account, lock: true, logger: logger)
            else { throw ServiceError.storage("callback secret vanished during its rotation") }
            if record.secret != sealed {
                record.previousSecret = record.secret
                record.previousSecretUntil = previousUntil
                record.secret = sealed
            }
            record.updatedAt = now
            try await connection.query(
                try PostgresRowEncoder.update(record, in: "webhook_callback_secret", keys: ["account_id"]),
                logger: logger)
            return record
        }
    }

    // MARK: Deliveries

    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int) async throws -> [ClaimedDelivery] {
        try await database.transaction { connection -> [ClaimedDelivery] in
            // Rows another instance is claiming right now are skipped, not waited for; once it commits, their
            // lease keeps them out of this query.
            let deliveries = try await PostgresRowDecoder.decode(
                WebhookDeliveryRecord.self,
                try await connection.query(
                    """
                    SELECT * FROM webhook_delivery
                    WHERE status = 'pending' AND due_at <= \(now) AND (lease_until IS NULL OR lease_until < \(now))
                    ORDER BY due_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                    """, logger: logger))
            guard !deliveries.isEmpty else { return [] }
            var endpoints: [String: WebhookEndpointRecord] = [:]
            let endpointIds = Array(Set(deliveries.compactMap(\.endpointId)))
            if !endpointIds.isEmpty {
                for endpoint in try await PostgresRowDecoder.decode(
                    WebhookEndpointRecord.self,
                    try await connection.query(
                        "SELECT * FROM webhook_endpoint WHERE id = ANY(\(endpointIds))", logger: logger))
                {
                    endpoints[endpoint.id] = endpoint
                }
            }
            var callbackSecrets: [String: CallbackSecretRecord] = [:]
            let callbackAccounts = Array(Set(deliveries.filter { $0.endpointId == nil }.map(\.accountId)))
            if !callbackAccounts.isEmpty {
                for secret in try await PostgresRowDecoder.decode(
                    CallbackSecretRecord.self,
                    try await connection.query(
                        "SELECT * FROM webhook_callback_secret WHERE account_id = ANY(\(callbackAccounts))",
                        logger: logger))
                {
                    callbackSecrets[secret.accountId] = secret
                }
            }
            var claimed: [ClaimedDelivery] = []
            var failed: [(id: String, error: String)] = []
            for var delivery in deliveries {
                var sealed: [String] = []
                var scope = "callback"
                var failingSince: Double?
                if let endpointId = delivery.endpointId {
                    guard let endpoint = endpoints[endpointId], endpoint.enabled else {
                        failed.append((delivery.id, "endpoint-disabled"))
                        continue
                    }
                    sealed = Self.secrets(endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntil, now)
                    scope = "webhook:" + endpointId
                    failingSince = endpoint.failingSince
                } else {
                    guard let secret = callbackSecrets[delivery.accountId] else {
                        failed.append((delivery.id, "no-callback-secret"))
                        continue
                    }
                    sealed = Self.secrets(secret.secret, secret.previousSecret, secret.previousSecretUntil, now)
                }
                delivery.leaseOwner = owner
                delivery.leaseUntil = leaseUntil
                claimed.append(
                    ClaimedDelivery(
                        delivery: delivery, sealedSecrets: sealed, secretScope: scope, failingSince: failingSince))
            }
            for (id, error) in failed {
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'failed', last_error = \(error), due_at = NULL,
                        lease_owner = NULL, lease_until = NULL, updated_at = \(now)
                    WHERE id = \(id)
                    """, logger: logger)
            }
            if !claimed.isEmpty {
                let ids = claimed.map(\.delivery.id)
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET lease_owner = \(owner), lease_until = \(leaseUntil)
                    WHERE id = ANY(\(ids))
                    """, logger: logger)
            }
            return claimed
        }
    }

    private static func secrets(_ current: String, _ previous: String?, _ until: Double?, _ now: Double) -> [String] {
        guard let previous, let until, until > now else { return [current] }
        return [current, previous]
    }

    func finish(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome, endpoint: EndpointHealth, now: Double)
        async throws
    {
        if case .delivered(let status, let latency) = outcome, case .healthy = endpoint {
            // Almost every delivery: one statement, atomic on its own, instead of a four-round-trip transaction.
            let delivered = PostgresWebhookEventStatements.Delivered(
                id: claimed.delivery.id, httpStatus: status, latencyMs: latency, now: now,
                endpointId: claimed.delivery.endpointId)
            try await database.read { connection in
                for try await _ in try await connection.execute(delivered, logger: logger) {}
            }
            return
        }
        try await database.transaction { connection in
            let id = claimed.delivery.id
            switch outcome {
            case .delivered(let status, let latency):
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, due_at = NULL,
                        lease_owner = NULL, lease_until = NULL, last_http_status = \(status), last_error = NULL,
                        last_latency_ms = \(latency), updated_at = \(now), delivered_at = \(now)
                    WHERE id = \(id)
                    """, logger: logger)
            case .retry(let dueAt, let status, let error, let latency):
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET attempts = attempts + 1, due_at = \(dueAt), lease_owner = NULL,
                        lease_until = NULL, last_http_status = \(status), last_error = \(error),
                        last_latency_ms = \(latency), updated_at = \(now)
                    WHERE id = \(id)
                    """, logger: logger)
            case .failed(let status, let error, let latency):
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'failed', attempts = attempts + 1, due_at = NULL,
                        lease_owner = NULL, lease_until = NULL, last_http_status = \(status), last_error = \(error),
                        last_latency_ms = \(latency), updated_at = \(now)
                    WHERE id = \(id)
                    """, logger: logger)
            }
            guard let endpointId = claimed.delivery.endpointId else { return }
            switch endpoint {
            case .healthy:
                try await connection.query(
                    "UPDATE webhook_endpoint SET failing_since = NULL WHERE id = \(endpointId) AND failing_since IS NOT NULL",
                    logger: logger)
            case .failing:
                try await connection.query(
                    "UPDATE webhook_endpoint SET failing_since = \(now) WHERE id = \(endpointId) AND failing_since IS NULL",
                    logger: logger)
            case .disable(let reason):
                try await connection.query(
                    """
                    UPDATE webhook_endpoint SET enabled = false, disabled_reason = \(reason),
                        failing_since = COALESCE(failing_since, \(now)), updated_at = \(now)
                    WHERE id = \(endpointId)
                    """, logger: logger)
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'failed', last_error = 'endpoint-disabled', due_at = NULL,
                        updated_at = \(now)
                    WHERE endpoint_id = \(endpointId) AND status = 'pending' AND id <> \(id)
                    """, logger: logger)
            }
        }
    }

    func releaseLeases(owner: String?) async throws {
        // Called as a deliverer stops, from its cancelled task: the pool refuses cancelled tasks a connection, and
        // leases left behind would hold their deliveries for a minute on every other instance.
        let database = database
        try await Task {
            try await Self.releaseLeases(database, owner: owner)
        }.value
    }

    private static func releaseLeases(_ database: PostgresServiceDatabase, owner: String?) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            if let owner {
                try await connection.query(
                    "UPDATE webhook_delivery SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner)",
                    logger: logger)
            } else {
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET lease_owner = NULL, lease_until = NULL
                    WHERE status = 'pending' AND lease_owner IS NOT NULL
                    """, logger: logger)
            }
            // Deliveries freed now are claimable at once, by any instance.
            try await PostgresServiceDatabase.notify(
                connection, PostgresServiceDatabase.wakeChannel, payload: "webhook", logger: logger)
        }
    }

    func nextDueAt(now: Double) async throws -> Double? {
        try await database.read { connection in
            // In due order through the partial index `webhook_delivery_due`, stopping at the first claimable row.
            let rows = try await connection.query(
                """
                SELECT due_at FROM webhook_delivery
                WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < \(now))
                ORDER BY due_at LIMIT 1
                """, logger: logger)
            for try await dueAt in rows.decode(Double?.self) { return dueAt }
            return nil
        }
    }

    func deliveries(endpointId: String, account: String, limit: Int) async throws -> [WebhookDeliveryRecord]? {
        try await database.read { connection -> [WebhookDeliveryRecord]? in
            guard
                try await Self.endpoint(connection, id: endpointId, account: account, lock: false, logger: logger)
                    != nil
            else { return nil }
            return try await PostgresRowDecoder.decode(
                WebhookDeliveryRecord.self,
                try await connection.query(
                    """
                    SELECT * FROM webhook_delivery WHERE endpoint_id = \(endpointId)
                    ORDER BY created_at DESC, id DESC LIMIT \(limit)
                    """, logger: logger))
        }
    }

    func replay(deliveryId: String, endpointId: String, account: String, now: Double) async throws
        -> WebhookDeliveryRecord?
    {
        try await database.transaction { connection -> WebhookDeliveryRecord? in
            let delivery = try await PostgresRowDecoder.first(
                WebhookDeliveryRecord.self,
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'pending', due_at = \(now), lease_owner = NULL,
                        lease_until = NULL, updated_at = \(now)
                    WHERE id = \(deliveryId) AND endpoint_id = \(endpointId) AND account_id = \(account)
                    RETURNING *
                    """, logger: logger))
            if delivery != nil {
                try await PostgresServiceDatabase.notify(
                    connection, PostgresServiceDatabase.wakeChannel, payload: "webhook", logger: logger)
            }
            return delivery
        }
    }
}
