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
    ///   - paced: whether to wait for the carrier's `ratePerSecond` token bucket (off when the caller paces, as the
    ///     service's dispatcher does per channel).
    public func send(
        _ message: OutboundMessage, carrier: String, settings: [String: String], retries: Bool = true,
        paced: Bool = true
    ) async -> SendResult {
        guard let adapter = adapters[carrier] else { return .unknownCarrier(carrier) }
        let prepared: PreparedSend
        switch PreparedSend.make(message, adapter: adapter, settings: settings) {
        case .ready(let ready): prepared = ready
        case .refused(let refused): return refused
        }
        let policy = RetryPolicy(maxRetries: retries ? adapter.limits.maxRetries ?? 3 : 0, maxDelay: maxRetryDelay)
        var attempt = 0
        while true {
            if paced, let bucket = buckets[carrier] { try? await bucket.acquire(key: carrier) }
            let result = prepared.result(
                of: await transport.send(prepared.request, timeouts: prepared.timeouts), adapter: adapter)
            attempt += 1
            guard result.outcome == .retryable,
                let delay = policy.delay(
                    forAttempt: attempt, retryAfter: result.retryAfterSeconds, random: Double.random(in: 0..<1))
            else { return result }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
        }
    }
}
