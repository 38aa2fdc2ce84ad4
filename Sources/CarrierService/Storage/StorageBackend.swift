import GRDB
import Logging

/// The database the service runs on, opened: SQLite (one process owns the file) or PostgreSQL (shared by several
/// instances). ``MessagingService`` starts the engine on its ``stores`` and closes it last.
struct StorageBackend: Sendable {
    var stores: ServiceStores
    /// Whether this process is the only one using the database: then leases left by a previous run are all free at
    /// start-up (SQLite). On a shared database other instances' leases run out on their own.
    var exclusive: Bool
    /// What the backend needs to stop: commit what is queued, close connections.
    private var closing: @Sendable () async -> Void
    /// Wakes this instance's dispatcher and deliverer when another instance queued due work (PostgreSQL NOTIFY).
    private var listening: @Sendable (_ wake: @escaping @Sendable () -> Void) async -> Void

    /// Opens the database the configuration names: `databaseURL` (PostgreSQL) when set, else the SQLite file at
    /// `databasePath`; migrates it.
    static func open(configuration: ServiceConfiguration, metrics: ServiceMetrics, logger: Logger) async throws
        -> StorageBackend
    {
        if let url = configuration.databaseURL {
            let database = try await PostgresServiceDatabase.open(
                url: url, maximumConnections: configuration.databaseConnections, logger: logger,
                onCommit: { duration in metrics.commit(duration: duration, batchSize: 1) })
            return StorageBackend(
                stores: .postgres(database), exclusive: false, closing: { database.close() },
                listening: { wake in
                    await database.listen(PostgresServiceDatabase.wakeChannel) { _ in wake() }
                })
        }
        let path = configuration.databasePath
        let pool = try ServiceDatabase.open(path: path)
        let writer = GroupCommitWriter(pool: pool) { duration, size in
            metrics.commit(duration: duration, batchSize: size)
        }
        let checkpointer = try WALCheckpointer(path: path) { logger.warning("\($0)") }
        return StorageBackend(
            stores: .sqlite(database: pool, writer: writer), exclusive: true,
            closing: {
                await writer.finish()
                await checkpointer.finish()
            }, listening: { _ in })
    }

    /// Calls `wake` whenever another instance says work became due, until the task is cancelled.
    func listen(wake: @escaping @Sendable () -> Void) async { await listening(wake) }

    /// Commits what is queued and closes the database.
    func close() async { await closing() }
}
