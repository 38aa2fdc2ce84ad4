/// One storage backend: the stores the messaging rules talk to. A backend implements each protocol; the rules
/// never see SQL.
struct ServiceStores: Sendable {
    var outbox: any OutboxStore
    var identity: any IdentityStore
    var webhooks: any WebhookStore
    var operations: any OperationsStore
    var admin: any AdminStore
    var queries: any MessageQueryStore
    var retention: any RetentionStore
    var inbound: any InboundStore
    var pacing: any PaceStore
}
