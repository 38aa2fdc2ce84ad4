extension ServiceStores {
    /// The shared backend: every store on one PostgreSQL database, used by any number of instances.
    static func postgres(_ database: PostgresServiceDatabase) -> ServiceStores {
        ServiceStores(
            outbox: PostgresOutboxStore(database: database),
            identity: PostgresIdentityStore(database: database),
            webhooks: PostgresWebhookStore(database: database),
            operations: PostgresOperationsStore(database: database),
            admin: PostgresAdminStore(database: database),
            queries: PostgresMessageQueryStore(database: database),
            retention: PostgresRetentionStore(database: database),
            inbound: PostgresInboundStore(database: database),
            pacing: PostgresPaceStore(database: database))
    }
}
