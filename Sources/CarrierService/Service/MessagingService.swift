import Foundation
public import Logging
import NIOPosix
import Synchronization

/// The messaging service behind `carrier serve`: HTTP API, carrier webhooks, SQLite or PostgreSQL storage.
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
    /// Access-log records carry their fields as metadata (for ``LineLogHandler`` in its JSON format) instead of one text line.
    public var structuredLog = false

    public init(
        configuration: ServiceConfiguration, gateway: any CarrierGateway, logger: Logger, structuredLog: Bool = false
    ) {
        self.configuration = configuration
        self.gateway = gateway
        self.logger = logger
        self.structuredLog = structuredLog
    }

    /// Opens the database, upserts configured keys and channels, and serves until the task is cancelled.
    /// - Parameter onServerRunning: Called with the bound port once the server accepts connections.
    /// - Throws: Database, configuration (``ServiceError``) and server start-up errors.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await serve(onServerRunning: onServerRunning, hangups: nil)
    }

    func run(onServerRunning: @escaping @Sendable (Int) async -> Void, hangups: HangupRelay?) async throws {
        try await serve(onServerRunning: onServerRunning, hangups: hangups)
    }

    /// Like ``run(onServerRunning:)``, but also shuts down gracefully on SIGTERM and SIGINT, and reloads the
    /// carriers on SIGHUP (when the gateway is a ``ReloadableGateway``).
    public func runWithSignals(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let hangups = HangupRelay()
        let server = Task { try await run(onServerRunning: onServerRunning, hangups: hangups) }
        let signals = ShutdownSignals(signals: [SIGTERM, SIGINT]) { server.cancel() }
        defer { signals.cancel() }
        let reloads = ShutdownSignals(signals: [SIGHUP]) { hangups.fire() }
        defer { reloads.cancel() }
        try await withTaskCancellationHandler {
            try await server.value
        } onCancel: {
            server.cancel()
        }
    }

    /// Opens the database, upserts configured keys and channels, and serves until the task is cancelled.
    private func serve(onServerRunning: @escaping @Sendable (Int) async -> Void, hangups: HangupRelay?) async throws {
        let metrics = ServiceMetrics()
        metrics.tableLoaded(carriers: gateway.carrierIds.count)
        let backend = try await StorageBackend.open(configuration: configuration, metrics: metrics, logger: logger)
        let engine = MessagingEngine(
            stores: backend.stores, gateway: gateway, configuration: configuration, resolver: SecretResolver(),
            logger: logger, metrics: metrics)
        hangups?.handler = { [weak engine] in _ = try? engine?.reloadTable(trigger: "signal") }
        do {
            try await engine.bootstrap()
            // One process owns an SQLite file: leases left by a previous run (killed mid-attempt) are free again.
            // On PostgreSQL, another instance may hold them: they are taken over when they run out.
            if backend.exclusive {
                try await engine.store.releaseLeases(owner: nil)
                try await engine.webhookStore.releaseLeases(owner: nil)
            }
        } catch {
            await backend.close()
            throw error
        }
        let dispatcherLoop = engine.dispatcher
        let deliverer = engine.webhooks
        let listener = Task {
            await backend.listen(
                StorageBackend.Events(
                    wake: {
                        dispatcherLoop.wake()
                        deliverer.wake()
                    },
                    channelChanged: { key in
                        if let key {
                            engine.channelCache.invalidate(
                                MessagingEngine.channelKey(account: key.account, id: key.channelId))
                        } else {
                            engine.channelCache.removeAll()
                        }
                    }))
        }
        let retention = Task { await engine.removeExpiredPeriodically(every: .seconds(600)) }
        if configuration.dispatcher { engine.dispatcher.willRun() }
        let dispatcher = configuration.dispatcher ? Task { await engine.dispatcher.run() } : nil
        let webhooks = configuration.dispatcher ? Task { await engine.webhooks.run() } : nil
        let baseURL =
            configuration.publicBaseURL ?? "http://\(configuration.host):\(configuration.port)"
        let responder = ServiceResponder(
            engine: engine, publicBaseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            logger: logger, structuredLog: structuredLog,
            exposure: configuration.metricsAddress == nil ? .everything : .apiOnly)
        var server = HTTPServer(responder: responder, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        server.idleTimeout = .milliseconds(Int64(max(0.05, configuration.idleTimeoutSeconds) * 1000))
        server.requestTimeout = .milliseconds(Int64(max(0.05, configuration.requestTimeoutSeconds) * 1000))
        server.maxConnectionsPerClient = configuration.maxConnectionsPerClient
        var failure: (any Error)?
        var metricsServer: Task<Void, any Error>?
        do {
            // A listener that cannot bind stops the start-up through the same shutdown as a stop, so the dispatcher
            // and the other tasks started above end too.
            metricsServer = try await startMetricsListener(engine: engine, baseURL: baseURL)
            try await server.run(host: configuration.host, port: configuration.port) { port in
                logger.info("carrier service listening", metadata: ["port": "\(port)"])
                await onServerRunning(port)
            }
        } catch {
            failure = error
        }
        metricsServer?.cancel()
        _ = await metricsServer?.result
        // Requests are answered (or their connections closed): stop claiming, let attempts in flight finish (their
        // results stored) or release their leases, commit what is queued, then stop writing the file.
        dispatcher?.cancel()
        await dispatcher?.value
        webhooks?.cancel()
        await webhooks?.value
        retention.cancel()
        await retention.value
        listener.cancel()
        await listener.value
        await backend.close()
        if let failure { throw failure }
    }
}

extension MessagingService {
    /// Starts the `metricsAddress` listener, when configured; returns once it accepts connections.
    fileprivate func startMetricsListener(engine: MessagingEngine, baseURL: String) async throws -> Task<
        Void, any Error
    >? {
        guard let address = configuration.metricsAddress,
            let (host, port) = ServiceConfiguration.hostAndPort(address)
        else { return nil }
        let responder = ServiceResponder(
            engine: engine, publicBaseURL: baseURL, logger: logger, structuredLog: structuredLog,
            exposure: .metricsOnly)
        let server = HTTPServer(responder: responder, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let logger = logger
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run(host: host, port: port) { port in
                logger.info("metrics listening", metadata: ["address": "\(host):\(port)"])
                continuation.yield(port)
            }
        }
        for await _ in bound { return task }
        try await task.value
        return nil
    }
}

/// Runs the messaging service until SIGTERM or SIGINT, then shuts down gracefully.
/// - Throws: Database, configuration and server start-up errors.
public func runService(configuration: ServiceConfiguration, gateway: any CarrierGateway, logger: Logger) async throws {
    try await MessagingService(configuration: configuration, gateway: gateway, logger: logger).runWithSignals()
}

/// Hands SIGHUP to the running service's reload (set once the engine exists; signals before that are ignored).
final class HangupRelay: Sendable {
    private let current = Mutex<(@Sendable () -> Void)?>(nil)

    var handler: (@Sendable () -> Void)? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    func fire() { handler?() }
}
