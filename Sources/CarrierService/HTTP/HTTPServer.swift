import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The service's HTTP/1.1 server, straight on SwiftNIO: its parser, then one ``HTTPConnectionHandler`` per
/// connection.
///
/// A general web framework costs a task, async sequences and several allocations per request; on the webhook route
/// that was more than the webhook's own work. Cancelling ``run(host:port:onRunning:)`` shuts down gracefully: the
/// listening socket closes, idle connections close, requests in flight get their replies, then it returns.
struct HTTPServer: Sendable {
    let responder: ServiceResponder
    let group: any EventLoopGroup
    let logger: Logger
    /// A connection that sends nothing for this long is closed unless a request on it is in flight.
    var idleTimeout: Duration = .seconds(60)
    /// How long a graceful shutdown waits for requests in flight before closing their connections.
    var drainTimeout: Duration = .seconds(10)
    /// A request's head and body must arrive within this time of its first byte.
    var requestTimeout: Duration = .seconds(30)
    /// Connections open at once from one client address.
    var maxConnectionsPerClient = 1024

    /// Binds, calls `onRunning` with the bound port, and serves until the calling task is cancelled.
    /// - Throws: When the address cannot be bound (port in use, bad host).
    func run(host: String, port: Int, onRunning: @Sendable (Int) async -> Void) async throws {
        let connections = OpenConnections()
        let responder = responder
        let idleTimeout = TimeAmount(idleTimeout)
        let requestTimeout = TimeAmount(requestTimeout)
        let perClient = ClientConnectionCounter(limit: maxConnectionsPerClient)
        let logger = logger
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                let client = channel.remoteAddress?.ipAddress ?? ""
                guard perClient.open(client) else {
                    logger.warning("connection refused: too many from one client address")
                    return channel.eventLoop.makeFailedFuture(TooManyConnections())
                }
                channel.closeFuture.whenComplete { _ in perClient.close(client) }
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    let start = RequestStart()
                    try handlers.addHandler(RequestDeadlineHandler(start: start, timeout: requestTimeout))
                    try handlers.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try handlers.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try handlers.addHandler(
                        HTTPConnectionHandler(responder: responder, requestStart: start, client: client))
                }
            }
            .bind(host: host, port: port)
            .get()
        await onRunning(listener.localAddress?.port ?? port)
        await withTaskCancellationHandler {
            try? await listener.closeFuture.get()
        } onCancel: {
            listener.close(promise: nil)
        }
        await connections.drain(timeout: drainTimeout, logger: logger)
    }
}

/// Why a connection was closed as soon as it was accepted.
struct TooManyConnections: Error {}

/// The accepted connections still open, so a shutdown can ask each to finish and then wait for them.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: id) } }
    }

    /// Asks every connection to close once its current request is answered, and waits until all have, or until
    /// `timeout`, when the rest are closed.
    func drain(timeout: Duration, logger: Logger) async {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        let deadline = ContinuousClock.now + timeout
        for channel in open {
            let remaining = max(.zero, deadline - ContinuousClock.now)
            let timer = channel.eventLoop.scheduleTask(in: TimeAmount(remaining)) {
                logger.warning("closing a connection whose request did not finish during shutdown")
                channel.close(promise: nil)
            }
            try? await channel.closeFuture.get()
            timer.cancel()
        }
    }
}
