import Foundation
import GRDB

/// ``WebhookStore`` on the service's SQLite file: writes through the group-commit writer, reads through the pool.
struct SQLiteWebhookStore: WebhookStore {
    let database: DatabasePool
    let writer: GroupCommitWriter

    func insertEndpoint(_ endpoint: WebhookEndpointRecord) async throws {
        try await writer.write { db in try endpoint.insert(db) }
    }

    func endpoints(account: String) async throws -> [WebhookEndpointRecord] {
        try await database.read { db in
            try WebhookEndpointRecord.filter(Column("account_id") == account).order(Column("created_at"))
                .fetchAll(db)
        }
    }

    func endpoint(id: String, account: String) async throws -> WebhookEndpointRecord? {
        try await database.read { db in try Self.endpoint(db, id: id, account: account) }
    }

    private static func endpoint(_ db: Database, id: String, account: String) throws -> WebhookEndpointRecord? {
        try WebhookEndpointRecord.filter(Column("id") == id && Column("account_id") == account).fetchOne(db)
    }

    func updateEndpoint(
        id: String, account: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) throws -> Void
    ) async throws -> WebhookEndpointRecord? {
        try await writer.write { db -> WebhookEndpointRecord? in
            guard var endpoint = try Self.endpoint(db, id: id, account: account) else { return nil }
            try change(&endpoint)
            try endpoint.update(db)
            return endpoint
        }
    }

    func deleteEndpoint(id: String, account: String) async throws -> Bool {
        try await writer.write { db -> Bool in
            try db.cachedStatement(sql: "DELETE FROM webhook_endpoint WHERE id = ? AND account_id = ?").execute(
                arguments: [id, account])
            return db.changesCount == 1
        }
    }

    func callbackSecret(account: String, now: Double, make: @escaping @Sendable () throws -> String) async throws
        -> CallbackSecretRecord
    {
        if let existing = try await database.read({ db in try CallbackSecretRecord.fetchOne(db, key: account) }) {
            return existing
        }
        return try await writer.write { db -> CallbackSecretRecord in
            if let existing = try CallbackSecretRecord.fetchOne(db, key: account) { return existing }
            let record = CallbackSecretRecord(
                accountId: account, secret: try make(), previousSecret: nil, previousSecretUntil: nil, createdAt: now,
                updatedAt: now)
            try record.insert(db)
            return record
        }
    }

    func rotateCallbackSecret(account: String, sealed: String, previousUntil: Double, now: Double) async throws
        -> CallbackSecretRecord
    {
        try await writer.write { db -> CallbackSecretRecord in
            var record =
                try CallbackSecretRecord.fetchOne(db, key: account)
                ?? CallbackSecretRecord(
                    accountId: account, secret: sealed, previousSecret: nil, previousSecretUntil: nil, createdAt: now,
                    updatedAt: now)
            if record.secret != sealed {
                record.previousSecret = record.secret
                record.previousSecretUntil = previousUntil
                record.secret = sealed
            }
            record.updatedAt = now
            try record.save(db)
            return record
        }
    }

    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int) async throws -> [ClaimedDelivery] {
        try await writer.write { db -> [ClaimedDelivery] in
            let deliveries = try WebhookDeliveryRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook_delivery
                    WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                    ORDER BY due_at LIMIT ?
                    """, arguments: [now, now, limit])
            var endpoints: [String: WebhookEndpointRecord?] = [:]
            var callbackSecrets: [String: CallbackSecretRecord?] = [:]
            var claimed: [ClaimedDelivery] = []
            for var delivery in deliveries {
                var sealed: [String] = []
                var scope = "callback"
                var failingSince: Double?
                if let endpointId = delivery.endpointId {
                    if endpoints[endpointId] == nil {
                        endpoints[endpointId] = try WebhookEndpointRecord.fetchOne(db, key: endpointId)
                    }
                    guard let endpoint = endpoints[endpointId] ?? nil, endpoint.enabled else {
                        try Self.failDelivery(db, delivery.id, error: "endpoint-disabled", now: now)
                        continue
                    }
                    sealed = Self.secrets(endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntil, now)
                    scope = "webhook:" + endpointId
                    failingSince = endpoint.failingSince
                } else {
                    if callbackSecrets[delivery.accountId] == nil {
                        callbackSecrets[delivery.accountId] = try CallbackSecretRecord.fetchOne(
                            db, key: delivery.accountId)
                    }
                    guard let secret = callbackSecrets[delivery.accountId] ?? nil else {
                        try Self.failDelivery(db, delivery.id, error: "no-callback-secret", now: now)
                        continue
                    }
                    sealed = Self.secrets(secret.secret, secret.previousSecret, secret.previousSecretUntil, now)
                }
                try db.cachedStatement(sql: "UPDATE webhook_delivery SET lease_owner = ?, lease_until = ? WHERE id = ?")
                    .execute(arguments: [owner, leaseUntil, delivery.id])
                delivery.leaseOwner = owner
                delivery.leaseUntil = leaseUntil
                claimed.append(
                    ClaimedDelivery(
                        delivery: delivery, sealedSecrets: sealed, secretScope: scope, failingSince: failingSince))
            }
            return claimed
        }
    }

    private static func secrets(_ current: String, _ previous: String?, _ until: Double?, _ now: Double) -> [String] {
        guard let previous, let until, until > now else { return [current] }
        return [current, previous]
    }

    private static func failDelivery(_ db: Database, _ id: String, error: String, now: Double) throws {
        try db.cachedStatement(
            sql: """
                UPDATE webhook_delivery SET status = 'failed', last_error = ?, due_at = NULL, lease_owner = NULL,
                    lease_until = NULL, updated_at = ?
                WHERE id = ?
                """
        ).execute(arguments: [error, now, id])
    }

    func finish(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome, endpoint: EndpointHealth, now: Double)
        async throws
    {
        try await writer.write { db in
            let id = claimed.delivery.id
            switch outcome {
            case .delivered(let status, let latency):
                try db.cachedStatement(
                    sql: """
                        UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, due_at = NULL,
                            lease_owner = NULL, lease_until = NULL, last_http_status = ?, last_error = NULL,
                            last_latency_ms = ?, updated_at = ?, delivered_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [status, latency, now, now, id])
            case .retry(let dueAt, let status, let error, let latency):
                try db.cachedStatement(
                    sql: """
                        UPDATE webhook_delivery SET attempts = attempts + 1, due_at = ?, lease_owner = NULL,
                            lease_until = NULL, last_http_status = ?, last_error = ?, last_latency_ms = ?,
                            updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [dueAt, status, error, latency, now, id])
            case .failed(let status, let error, let latency):
                try db.cachedStatement(
                    sql: """
                        UPDATE webhook_delivery SET status = 'failed', attempts = attempts + 1, due_at = NULL,
                            lease_owner = NULL, lease_until = NULL, last_http_status = ?, last_error = ?,
                            last_latency_ms = ?, updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [status, error, latency, now, id])
            }
            guard let endpointId = claimed.delivery.endpointId else { return }
            switch endpoint {
            case .healthy:
                try db.cachedStatement(
                    sql: "UPDATE webhook_endpoint SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL"
                ).execute(arguments: [endpointId])
            case .failing:
                try db.cachedStatement(
                    sql: "UPDATE webhook_endpoint SET failing_since = ? WHERE id = ? AND failing_since IS NULL"
                ).execute(arguments: [now, endpointId])
            case .disable(let reason):
                try db.cachedStatement(
                    sql: """
                        UPDATE webhook_endpoint SET enabled = 0, disabled_reason = ?,
                            failing_since = COALESCE(failing_since, ?), updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [reason, now, now, endpointId])
                try db.cachedStatement(
                    sql: """
                        UPDATE webhook_delivery SET status = 'failed', last_error = 'endpoint-disabled', due_at = NULL,
                            updated_at = ?
                        WHERE endpoint_id = ? AND status = 'pending' AND id != ?
                        """
                ).execute(arguments: [now, endpointId, id])
            }
        }
    }

    func releaseLeases(owner: String?) async throws {
        try await writer.write { db in
            if let owner {
                try db.cachedStatement(
                    sql: "UPDATE webhook_delivery SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?"
                ).execute(arguments: [owner])
            } else {
                try db.execute(
                    sql: """
                        UPDATE webhook_delivery SET lease_owner = NULL, lease_until = NULL
                        WHERE status = 'pending' AND lease_owner IS NOT NULL
                        """)
            }
        }
    }

    func nextDueAt(now: Double) async throws -> Double? {
        try await database.read { db in
            // In due order through the partial index, stopping at the first claimable row: only deliveries in flight
            // (at most webhookConcurrency) are skipped. A min() over an expression read every pending row, which under
            // a backlog cost more than the deliveries themselves.
            try Double.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT due_at FROM webhook_delivery INDEXED BY webhook_delivery_due
                        WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY due_at LIMIT 1
                        """), arguments: [now])
        }
    }

    func deliveries(endpointId: String, account: String, limit: Int) async throws -> [WebhookDeliveryRecord]? {
        try await database.read { db -> [WebhookDeliveryRecord]? in
            guard try Self.endpoint(db, id: endpointId, account: account) != nil else { return nil }
            return try WebhookDeliveryRecord.filter(Column("endpoint_id") == endpointId)
                .order(Column("created_at").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    func replay(deliveryId: String, endpointId: String, account: String, now: Double) async throws
        -> WebhookDeliveryRecord?
    {
        try await writer.write { db -> WebhookDeliveryRecord? in
            guard
                var delivery = try WebhookDeliveryRecord.filter(
                    Column("id") == deliveryId && Column("endpoint_id") == endpointId && Column("account_id") == account
                ).fetchOne(db)
            else { return nil }
            delivery.status = "pending"
            delivery.dueAt = now
            delivery.leaseOwner = nil
            delivery.leaseUntil = nil
            delivery.updatedAt = now
            try delivery.update(db)
            return delivery
        }
    }
}
