import GRDB
import Logging

extension ServiceStores {
    /// The embedded backend: every store on one SQLite file, writing through `writer`, reading through `database`.
    static func sqlite(database: DatabasePool, writer: GroupCommitWriter) -> ServiceStores {
        ServiceStores(
            outbox: SQLiteOutboxStore(database: database, writer: writer),
            identity: SQLiteIdentityStore(database: database, writer: writer),
            webhooks: SQLiteWebhookStore(database: database, writer: writer),
            operations: SQLiteOperationsStore(database: database),
            admin: SQLiteAdminStore(database: database, writer: writer),
            queries: SQLiteMessageQueryStore(database: database, writer: writer),
            retention: SQLiteRetentionStore(writer: writer),
            inbound: SQLiteInboundStore(writer: writer),
            pacing: ChannelPacer())
    }
}

extension MessagingEngine {
    /// Creates the engine over the service's SQLite file.
    convenience init(
        database: DatabasePool, writer: GroupCommitWriter, gateway: any CarrierGateway,
        configuration: ServiceConfiguration, resolver: SecretResolver, logger: Logger,
        metrics: ServiceMetrics = ServiceMetrics()
    ) {
        self.init(
            stores: .sqlite(database: database, writer: writer), gateway: gateway, configuration: configuration,
            resolver: resolver, logger: logger, metrics: metrics)
    }
}
