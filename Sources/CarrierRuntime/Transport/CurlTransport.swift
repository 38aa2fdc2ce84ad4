import CarrierCore

/// An ``HTTPTransport`` on libcurl's multi interface, driven by one dedicated thread.
///
/// Requests from any number of concurrent tasks are queued to the thread, which runs up to
/// `maxInFlight` transfers at once (64 by default) and queues the rest in arrival order. Connections
/// are kept alive and reused (at most `maxConnections` idle ones are cached). Every request uses
/// HTTP/1.1, verifies TLS certificates and host names, never follows redirects, never sends
/// `Expect: 100-continue`, and only speaks `http` and `https`. Waiting tasks are suspended, not
/// blocked: the cooperative thread pool is never used for I/O.
///
/// Cancelling a task aborts its request with a ``TransportError`` of kind `.other`.
///
/// ```swift
/// let transport = CurlTransport()
/// let result = await transport.send(request, timeouts: Timeouts(connectMs: 5000, totalMs: 30000))
/// transport.shutdown()
/// ```
///
/// - Note: Call ``shutdown()`` when done (releasing the last reference does it too). Requests still
///   queued or in flight then fail with a `transport-other` error.
public final class CurlTransport: HTTPTransport {
    /// The default cap on transfers in flight.
    public static let defaultMaxInFlight = 64

    private let loop: CurlMultiLoop

    /// Creates a transport and starts its thread.
    ///
    /// - Parameters:
    ///   - maxInFlight: The most transfers running at once; further requests wait in a queue.
    ///   - maxConnections: The most connections libcurl keeps open for reuse (`CURLMOPT_MAXCONNECTS`).
    ///   - policy: Where requests may go (hosts, and internal addresses); refusals fail with kind `.refused`.
    public init(
        maxInFlight: Int = CurlTransport.defaultMaxInFlight, maxConnections: Int = 64,
        policy: OutboundPolicy = .unrestricted
    ) {
        loop = CurlMultiLoop(maxInFlight: maxInFlight, maxConnections: maxConnections, policy: policy)
    }

    deinit { loop.shutdown() }

    public func send(_ request: HTTPRequest, timeouts: Timeouts) async -> Result<HTTPResponse, TransportError> {
        let id = loop.makeID()
        let handoff = CurlHandoff()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let queued = handoff.enqueue {
                    loop.enqueue(CurlJob(id: id, request: request, timeouts: timeouts, continuation: continuation))
                }
                if !queued { continuation.resume(returning: .failure(.cancelled)) }
            }
        } onCancel: {
            if handoff.cancel() { loop.cancel(id) }
        }
    }

    /// Stops the transport's thread and waits for it; later `send` calls fail at once. Idempotent.
    public func shutdown() { loop.shutdown() }
}
