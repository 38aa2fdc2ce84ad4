import Foundation
public import Logging
import NIOPosix

/// The messaging service behind `carrier serve`: HTTP API, carrier webhooks and SQLite storage.
///
/// ```swift
/// let service = MessagingService(configuration: configuration, gateway: gateway, logger: logger)
/// try await service.run { port in print("listening on \(port)") }
/// ```
/// Cancelling the task that runs `run` shuts the server down gracefully (in-flight requests finish);
/// ``runService(configuration:gateway:logger:)`` does the same on SIGTERM and SIGINT.
public struct MessagingService: Sendable {
    public var configuration: ServiceConfiguration
    public var gateway: any CarrierGateway
    public var logger: Logger

    public init(configuration: ServiceConfiguration, gateway: any CarrierGateway, logger: Logger) {
        self.configuration = configuration
        self.gateway = gateway
        self.logger = logger
    }

    /// Opens the database, upserts configured keys and channels, and serves until the task is cancelled.
    /// - Parameter onServerRunning: Called with the bound port once the server accepts connections.
    /// - Throws: Database, configuration (``ServiceError``) and server start-up errors.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await serve(onServerRunning: onServerRunning)
    }

    /// Like ``run(onServerRunning:)``, but also shuts down gracefully on SIGTERM and SIGINT.
    public func runWithSignals(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let server = Task { try await run(onServerRunning: onServerRunning) }
        let signals = ShutdownSignals(signals: [SIGTERM, SIGINT]) { server.cancel() }
        defer { signals.cancel() }
        try await withTaskCancellationHandler {
            try await server.value
        } onCancel: {
            server.cancel()
        }
    }

    /// Opens the database, upserts configured keys and channels, and serves until the task is cancelled.
    private func serve(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let database = try ServiceDatabase.open(path: configuration.databasePath)
        let writer = GroupCommitWriter(pool: database)
        let logger = logger
        let checkpointer = try WALCheckpointer(path: configuration.databasePath) { logger.warning("\($0)") }
        let engine = MessagingEngine(
            database: database, writer: writer, gateway: gateway,
            configuration: configuration, resolver: SecretResolver(),
            logger: logger)
        try await engine.bootstrap()
        // One process owns the SQLite file: leases left by a previous run (killed mid-attempt) are free again.
        try await engine.store.releaseLeases(owner: nil)
        let retention = Task { await engine.removeExpiredPeriodically(every: .seconds(600)) }
        let dispatcher = configuration.dispatcher ? Task { await engine.dispatcher.run() } : nil
        try await engine.webhookStore.releaseLeases(owner: nil)
        let webhooks = configuration.dispatcher ? Task { await engine.webhooks.run() } : nil
        let baseURL =
            configuration.publicBaseURL ?? "http://\(configuration.host):\(configuration.port)"
        let responder = ServiceResponder(
            engine: engine, publicBaseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            logger: logger)
        var server = HTTPServer(responder: responder, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        server.idleTimeout = .milliseconds(Int64(max(0.05, configuration.idleTimeoutSeconds) * 1000))
        server.requestTimeout = .milliseconds(Int64(max(0.05, configuration.requestTimeoutSeconds) * 1000))
        server.maxConnectionsPerClient = configuration.maxConnectionsPerClient
        var failure: (any Error)?
        do {
            try await server.run(host: configuration.host, port: configuration.port) { port in
                logger.info("carrier service listening", metadata: ["port": "\(port)"])
                await onServerRunning(port)
            }
        } catch {
            failure = error
        }
        // Requests are answered (or their connections closed): stop claiming, let attempts in flight finish (their
        // results stored) or release their leases, commit what is queued, then stop writing the file.
        dispatcher?.cancel()
        await dispatcher?.value
        webhooks?.cancel()
        await webhooks?.value
        retention.cancel()
        await retention.value
        await writer.finish()
        await checkpointer.finish()
        if let failure { throw failure }
    }
}

/// Runs the messaging service until SIGTERM or SIGINT, then shuts down gracefully.
/// - Throws: Database, configuration and server start-up errors.
public func runService(configuration: ServiceConfiguration, gateway: any CarrierGateway, logger: Logger) async throws {
    try await MessagingService(configuration: configuration, gateway: gateway, logger: logger).runWithSignals()
}
