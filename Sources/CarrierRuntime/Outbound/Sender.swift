public import CarrierCore
import Foundation

/// Sends canonical messages through their carrier: validate, render, rate-limit, send over the transport,
/// classify, and retry retryable failures with backoff.
///
/// Shares one transport (one libcurl multi loop, so connections are reused) and one token bucket per carrier.
public final class Sender: Sendable {
    public let table: AdapterTable
    private let transport: any HTTPTransport
    private let buckets: [String: TokenBucket]
    /// The table's adapters by id (the table itself keeps a list).
    private let adapters: [String: Adapter]
    /// Upper bound on any single retry wait, so a bad Retry-After cannot park a caller for long.
    private let maxRetryDelay: Double

    public init(table: AdapterTable, transport: any HTTPTransport, maxRetryDelay: Double = 30) {
        self.table = table
        self.transport = transport
        self.maxRetryDelay = maxRetryDelay
        var buckets: [String: TokenBucket] = [:]
        for adapter in table.adapters {
            if let rate = adapter.limits.ratePerSecond { buckets[adapter.id] = TokenBucket(ratePerSecond: rate) }
        }
        self.buckets = buckets
        self.adapters = Dictionary(table.adapters.map { ($0.id, $0) }) { first, _ in first }
    }

    /// Sends one message; never throws: every failure is a classified ``SendResult``.
    ///
    /// - Parameters:
    ///   - settings: the channel's resolved setting values.
    ///   - retries: whether to retry retryable failures (per the adapter's `limits.maxRetries`).
    public func send(_ message: OutboundMessage, carrier: String, settings: [String: String], retries: Bool = true)
        async -> SendResult
    {
        guard let adapter = adapters[carrier] else {
            return SendResult(
                carrier: carrier, outcome: .permanent, errorCode: "unknown-carrier",
                errorMessage: "no carrier '\(carrier)' in the adapter table")
        }
        // Counted once; validation and rendering both ask for the same (smart-encoded) body.
        let info = countSegments(message.body ?? "", smartEncoding: adapter.options.smartEncoding)
        let segments = info.segments
        let counted: (String) -> (count: Int, encoding: String) = { _ in (info.segments, info.encoding) }
        if let problem = validateMessage(message, adapter: adapter, segmentCounter: counted).first {
            return SendResult(
                carrier: carrier, outcome: .permanent, errorCode: problem.code, errorMessage: problem.message)
        }
        let request: HTTPRequest
        do {
            request = try renderRequest(for: message, adapter: adapter, settings: settings, segmentCounter: counted)
        } catch {
            return SendResult(
                carrier: carrier, outcome: .permanent, errorCode: error.code, errorMessage: error.message,
                origin: error.origin, segments: segments)
        }
        let policy = RetryPolicy(maxRetries: retries ? adapter.limits.maxRetries : 0, maxDelay: maxRetryDelay)
        let timeouts = Timeouts(connectMs: adapter.limits.connectTimeoutMs, totalMs: adapter.limits.timeoutMs)
        var attempt = 0
        while true {
            if let bucket = buckets[carrier] { try? await bucket.acquire(key: carrier) }
            var result: SendResult
            switch await transport.send(request, timeouts: timeouts) {
            case .success(let response):
                result = classifyResponse(response, adapter: adapter)
            case .failure(let error):
                result = SendResult(
                    carrier: carrier, outcome: .retryable, errorCode: error.code, errorMessage: error.message,
                    curlCode: error.curlCode, origin: adapter.send.origin)
            }
            result.segments = segments
            attempt += 1
            guard result.outcome == .retryable,
                let delay = policy.delay(
                    forAttempt: attempt, retryAfter: result.retryAfterSeconds, random: Double.random(in: 0..<1))
            else { return result }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
        }
    }
}
