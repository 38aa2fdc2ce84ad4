import CarrierCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// A shared PostgreSQL database: a connection pool (postgres-nio's `PostgresClient`), run in a task of its own,
/// migrated to the current schema when opened.
///
/// Several `carrier serve` instances open the same database; migrations take an advisory lock so that two instances
/// starting together do not both run them.
final class PostgresServiceDatabase: Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Told how long each COMMIT took (the `carrier_db_commit_*` metrics; one transaction per commit here).
    private let onCommit: @Sendable (Duration) -> Void

    /// The NOTIFY channel that says an outbox job or a webhook delivery became due now.
    static let wakeChannel = "carrier_due"
    /// Notified, on commit, with `["account","channel id"]` when a channel is created, changed or deleted: every
    /// instance drops it from its channel cache.
    static let channelChangeChannel = "carrier_channel"

    private init(
        location: PostgresLocation, maximumConnections: Int, logger: Logger,
        onCommit: @escaping @Sendable (Duration) -> Void
    ) {
        self.onCommit = onCommit
        self.location = location
        self.logger = logger
        // The pool retries connecting on its own and says so at info level for every try; warnings are enough.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(
            configuration: location.clientConfiguration(maximumConnections: maximumConnections),
            backgroundLogger: background)
        self.client = client
        self.runner = Task { await client.run() }
    }

    /// Connects to the database at `url` and migrates it.
    /// - Throws: ``ServiceError`` `invalid-database-url`, or `storage-error` naming the server (never the
    ///   password) when it cannot be reached or migrated.
    static func open(
        url: String, maximumConnections: Int = 16, migrate: Bool = true, logger: Logger,
        onCommit: @escaping @Sendable (Duration) -> Void = { _ in }
    ) async throws -> PostgresServiceDatabase {
        let location = try PostgresLocation(url: url)
        let database = PostgresServiceDatabase(
            location: location, maximumConnections: maximumConnections, logger: logger, onCommit: onCommit)
        do {
            // The pool waits for a connection as long as it takes; a server that is not there must fail start-up.
            try await withDeadline(seconds: connectSeconds) { try await database.ping() }
            if migrate { try await PostgresSchema.migrate(database) }
        } catch {
            database.close()
            throw ServiceError.storage("PostgreSQL at \(location.redacted): \(Self.describe(error))")
        }
        return database
    }

    /// How long start-up waits for the server to answer.
    static let connectSeconds = 10.0

    /// Runs `work`, throwing ``ServiceError`` `storage-error` when it takes longer than `seconds`.
    static func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw ServiceError.storage("no connection within \(Int(seconds)) s")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw ServiceError.storage("no answer") }
            return first
        }
    }

    /// Stops the pool (connections close once their queries finished).
    func close() {
        runner.cancel()
    }

    func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// Runs `body` in one transaction (READ COMMITTED), committing when it returns and rolling back when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                let started = ContinuousClock.now
                try await connection.query("COMMIT", logger: logger)
                onCommit(ContinuousClock.now - started)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Runs `body` on a pooled connection outside a transaction: reads, and single statements that write and commit
    /// on their own (the one-statement accept of `/send`, a delivered webhook), saving BEGIN and COMMIT round trips.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection) }
    }

    /// Sends a notification to every instance listening on `channel` (delivered when the caller's transaction
    /// commits, when there is one).
    static func notify(_ connection: PostgresConnection, _ channel: String, payload: String = "", logger: Logger)
        async throws
    {
        try await connection.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
    }

    /// Tells every instance (``channelChangeChannel``) that this transaction changes the account's channel `id`.
    static func notifyChannelChanged(_ connection: PostgresConnection, account: String, id: String, logger: Logger)
        async throws
    {
        try await notify(connection, channelChangeChannel, payload: "[" + jsonStringLiteral(account) + "," + jsonStringLiteral(id) + "]", logger: logger)
    }

    /// The account and channel id of a ``channelChangeChannel`` payload; nil for anything else.
    static func changedChannel(_ payload: String) -> (account: String, id: String)? {
        guard let pair = try? JSONDecoder().decode([String].self, from: Data(payload.utf8)), pair.count == 2 else {
            return nil
        }
        return (pair[0], pair[1])
    }

    /// Calls `onNotification` with the payload of every notification on `channel` until the task is cancelled,
    /// reconnecting after a lost connection.
    func listen(_ channel: String, onNotification: @escaping @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        // A listener that was down may have missed notifications: a wake-up costs one look.
                        onNotification("")
                        for try await notification in notifications { onNotification(notification.payload) }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "PostgreSQL listener lost; reconnecting", metadata: ["channel": "\(channel)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Whether `error` is the server refusing a row that breaks a UNIQUE or PRIMARY KEY constraint.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// An error in a few words: the server's message and SQL state when it answered, else the client's reason.
    static func describe(_ error: any Error) -> String {
        if let error = error as? ServiceError { return error.message }
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
            }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
