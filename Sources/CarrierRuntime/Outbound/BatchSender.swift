public import CarrierCore
import Foundation

/// Sends many messages from the calling thread: bulk jobs such as `carrier send --file` and the benchmark.
///
/// ``Sender`` serves concurrent tasks, so every message crosses threads twice (task to transport thread and
/// back) and costs a task, a lock and a wake-up. Here nothing crosses threads: the calling thread renders a
/// message when a transfer slot frees up, drives libcurl's multi interface itself and classifies each
/// response as it arrives, which roughly halves the CPU spent per message. The rules are the same as
/// ``Sender``'s: validation and rendering first, the carrier's token bucket, and retryable failures retried
/// with backoff or the carrier's Retry-After, up to `limits.maxRetries`.
///
/// ```swift
/// let batch = BatchSender(table: table, concurrency: 64)
/// batch.send(messages, carrier: "twilio", settings: settings) { index, result in print(index, result.outcome) }
/// ```
public final class BatchSender: Sendable {
    private let table: AdapterTable
    private let concurrency: Int
    private let maxRetryDelay: Double

    /// - Parameters:
    ///   - concurrency: the most requests in flight at once (and connections kept open).
    ///   - maxRetryDelay: upper bound on any single retry wait, in seconds.
    public init(table: AdapterTable, concurrency: Int = 64, maxRetryDelay: Double = 30) {
        self.table = table
        self.concurrency = max(1, concurrency)
        self.maxRetryDelay = maxRetryDelay
    }

    /// One message on its way: its position in the input, its request, and how many attempts it has had.
    private struct Attempt {
        let index: Int
        let prepared: PreparedSend
        var count: Int
    }

    /// Sends every message of `messages` and returns when all have a final result. Blocks the calling thread,
    /// so call it from a thread of its own rather than from a Swift concurrency task.
    ///
    /// - Parameters:
    ///   - settings: the channel's resolved setting values.
    ///   - retries: whether to retry retryable failures (per the adapter's `limits.maxRetries`).
    ///   - onResult: called on the calling thread once per message, in completion order, with the message's
    ///     position in `messages` and its final result.
    public func send(
        _ messages: some Sequence<OutboundMessage>, carrier: String, settings: [String: String],
        retries: Bool = true, onResult: (Int, SendResult) -> Void
    ) {
        guard let adapter = table.adapter(carrier) else {
            for (index, _) in messages.enumerated() { onResult(index, .unknownCarrier(carrier)) }
            return
        }
        guard let transfers = CurlTransfers<Attempt>(maxInFlight: concurrency, maxConnections: concurrency, policy: .unrestricted) else {
            let error = TransportError(curlCode: 2, kind: .other, message: "libcurl could not be initialized")
            for (index, message) in messages.enumerated() {
                switch PreparedSend.make(message, adapter: adapter, settings: settings) {
                case .ready(let prepared): onResult(index, prepared.result(of: .failure(error), adapter: adapter))
                case .refused(let result): onResult(index, result)
                }
            }
            return
        }
        let policy = RetryPolicy(maxRetries: retries ? adapter.limits.maxRetries ?? 3 : 0, maxDelay: maxRetryDelay)
        var bucket = adapter.limits.ratePerSecond.map { TokenBucketState(ratePerSecond: $0, now: 0) }
        let clock = ContinuousClock()
        let start = clock.now
        func now() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        var source = messages.makeIterator()
        var nextIndex = 0
        var exhausted = false
        /// Attempts waiting for their time: retries after a backoff, and sends held back by the rate limit.
        var waiting: [(due: Double, attempt: Attempt)] = []

        func begin(_ attempt: Attempt) {
            if let error = transfers.start(attempt.prepared.request, timeouts: attempt.prepared.timeouts, tag: attempt)
            {
                finish(attempt, .failure(error))
            }
        }
        func finish(_ attempt: Attempt, _ outcome: Result<HTTPResponse, TransportError>) {
            let result = attempt.prepared.result(of: outcome, adapter: adapter)
            var next = attempt
            next.count += 1
            if result.outcome == .retryable,
                let delay = policy.delay(
                    forAttempt: next.count, retryAfter: result.retryAfterSeconds, random: Double.random(in: 0..<1))
            {
                waiting.append((now() + delay, next))
            } else {
                onResult(attempt.index, result)
            }
        }
        /// Starts what can start now; returns when every slot is busy or nothing is ready.
        func fill() {
            while transfers.count < concurrency {
                if let due = waiting.indices.min(by: { waiting[$0].due < waiting[$1].due }), waiting[due].due <= now() {
                    begin(waiting.remove(at: due).attempt)
                    continue
                }
                // Rate-limited sends wait in `waiting`; do not read further ahead than the slots can hold.
                if exhausted || waiting.count >= concurrency { return }
                guard let message = source.next() else {
                    exhausted = true
                    return
                }
                let index = nextIndex
                nextIndex += 1
                switch PreparedSend.make(message, adapter: adapter, settings: settings) {
                case .refused(let result):
                    onResult(index, result)
                case .ready(let prepared):
                    let attempt = Attempt(index: index, prepared: prepared, count: 0)
                    let wait = bucket?.reserve(now: now()) ?? 0
                    if wait > 0 {
                        waiting.append((now() + wait, attempt))
                    } else {
                        begin(attempt)
                    }
                }
            }
        }

        while true {
            fill()
            if transfers.count == 0 && waiting.isEmpty && exhausted { break }
            transfers.perform()
            var finished = 0
            transfers.collectFinished { attempt, outcome in
                finished += 1
                finish(attempt, outcome)
            }
            if finished > 0 { continue }
            var timeout = 1000.0
            if let soonest = waiting.map(\.due).min() { timeout = min(timeout, max(0, (soonest - now()) * 1000)) }
            transfers.wait(timeoutMs: Int32(timeout.rounded(.up)))
        }
    }
}
