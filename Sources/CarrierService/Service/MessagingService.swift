import GRDB
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

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
        try await run(signals: [], onServerRunning: onServerRunning)
    }

    /// Like ``run(onServerRunning:)``, but also shuts down gracefully on SIGTERM and SIGINT.
    public func runWithSignals(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await run(signals: [.sigterm, .sigint], onServerRunning: onServerRunning)
    }

    private func run(signals: [UnixSignal], onServerRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let application = try await makeApplication(onServerRunning: onServerRunning)
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: signals, logger: logger))
        // The group runs in an unstructured task so that cancelling the caller becomes a graceful shutdown rather
        // than a cancellation of every open connection.
        let runner = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await runner.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    func makeApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws -> Application<ServiceResponder> {
        let database = try ServiceDatabase.open(path: configuration.databasePath)
        let engine = MessagingEngine(
            database: database, writer: GroupCommitWriter(pool: database), gateway: gateway,
            configuration: configuration, resolver: SecretResolver(),
            logger: logger)
        try await engine.bootstrap()
        let baseURL =
            configuration.publicBaseURL ?? "http://\(configuration.host):\(configuration.port)"
        let responder = ServiceResponder(
            engine: engine, publicBaseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            logger: logger)
        let logger = logger
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("carrier service listening", metadata: ["port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
    }
}

/// Runs the messaging service until SIGTERM or SIGINT, then shuts down gracefully.
/// - Throws: Database, configuration and server start-up errors.
public func runService(configuration: ServiceConfiguration, gateway: any CarrierGateway, logger: Logger) async throws {
    try await MessagingService(configuration: configuration, gateway: gateway, logger: logger).runWithSignals()
}
