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
    /// Wakes this instance's dispatcher and deliverer when another instance queued due work, and names the channels
    /// another instance changed (PostgreSQL NOTIFY).
    private var listening: @Sendable (_ events: Events) async -> Void

    /// What other instances tell this one.
    struct Events: Sendable {
        /// Work became due.
        var wake: @Sendable () -> Void
        /// A channel was created, changed or deleted; nil when some changes may have been missed (a listener that
        /// reconnected), so every cached channel is stale.
        var channelChanged: @Sendable (ChannelKey?) -> Void
    }

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
                listening: { events in
                    await withDiscardingTaskGroup { group in
                        group.addTask {
                            await database.listen(PostgresServiceDatabase.wakeChannel) { _ in events.wake() }
                        }
                        group.addTask {
                            await database.listen(PostgresServiceDatabase.channelChangeChannel) { payload in
                                // The empty payload is the listener (re)connecting: changes may have been missed.
                                events.channelChanged(
                                    PostgresServiceDatabase.changedChannel(payload).map {
                                        ChannelKey(account: $0.account, channelId: $0.id)
                                    })
                            }
                        }
                    }
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

    /// Passes on what other instances say (work became due, a channel changed) until the task is cancelled.
    func listen(_ events: Events) async { await listening(events) }

    /// Commits what is queued and closes the database.
    func close() async { await closing() }
}
