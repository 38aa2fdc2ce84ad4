import Synchronization

/// Paces sends per channel in memory: at most `rate` a second on average, in bursts of at most `max(1, rate)`.
/// The pacing of one process that owns its database (SQLite).
///
/// Unlike the runtime's `TokenBucket`, nothing is reserved ahead: a send that finds no token is not made and its
/// job waits in the outbox until ``take(_:rate:now:)`` says a token exists, so excess is queued, never refused, and
/// the queue (not memory) holds the backlog.
final class ChannelPacer: PaceStore {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    private let buckets = Mutex<[ChannelKey: Bucket]>([:])

    /// Takes a token for `channel` when one is there (returns 0), else returns the seconds until one will be.
    func take(_ channel: ChannelKey, rate: Double, now: Double) -> Double {
        let capacity = max(1, rate)
        return buckets.withLock { buckets in
            var bucket = buckets[channel] ?? Bucket(tokens: capacity, updatedAt: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            defer { buckets[channel] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return 0
            }
            return (1 - bucket.tokens) / rate
        }
    }
}
