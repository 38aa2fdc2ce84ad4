import Logging
import PostgresNIO

/// Customer webhooks on PostgreSQL. (Being written.)
struct PostgresWebhookStore: WebhookStore {
    let database: PostgresServiceDatabase

    func insertEndpoint(_ endpoint: WebhookEndpointRecord) async throws { throw ServiceError.storage("not built yet") }
    func endpoints(account: String) async throws -> [WebhookEndpointRecord] {
        throw ServiceError.storage("not built yet")
    }
    func endpoint(id: String, account: String) async throws -> WebhookEndpointRecord? {
        throw ServiceError.storage("not built yet")
    }
    func updateEndpoint(
        id: String, account: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) throws -> Void
    ) async throws -> WebhookEndpointRecord? { throw ServiceError.storage("not built yet") }
    func deleteEndpoint(id: String, account: String) async throws -> Bool { throw ServiceError.storage("not built yet") }
    func callbackSecret(account: String, now: Double, make: @escaping @Sendable () throws -> String) async throws
        -> CallbackSecretRecord
    { throw ServiceError.storage("not built yet") }
    func rotateCallbackSecret(account: String, sealed: String, previousUntil: Double, now: Double) async throws
        -> CallbackSecretRecord
    { throw ServiceError.storage("not built yet") }
    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int) async throws -> [ClaimedDelivery] {
        throw ServiceError.storage("not built yet")
    }
    func finish(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome, endpoint: EndpointHealth, now: Double)
        async throws
    { throw ServiceError.storage("not built yet") }
    func releaseLeases(owner: String?) async throws { throw ServiceError.storage("not built yet") }
    func nextDueAt(now: Double) async throws -> Double? { throw ServiceError.storage("not built yet") }
    func deliveries(endpointId: String, account: String, limit: Int) async throws -> [WebhookDeliveryRecord]? {
        throw ServiceError.storage("not built yet")
    }
    func replay(deliveryId: String, endpointId: String, account: String, now: Double) async throws
        -> WebhookDeliveryRecord?
    { throw ServiceError.storage("not built yet") }
}
