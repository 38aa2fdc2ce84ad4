/// One token bucket's arithmetic, without any locking: ``TokenBucket`` keeps one per key inside its actor,
/// and ``BatchSender`` keeps one on its own thread.
struct TokenBucketState: Sendable {
    /// May go below zero: tokens already promised to callers that are waiting.
    var tokens: Double
    var updatedAt: Double

    /// A full bucket at `now`.
    init(capacity: Double, now: Double) {
        tokens = capacity
        updatedAt = now
    }

    /// Takes one token at `now` (seconds on a monotonic scale) and returns how many seconds the caller must
    /// wait before using it (0 when a token was available).
    mutating func reserve(now: Double, ratePerSecond: Double, capacity: Double) -> Double {
        let elapsed = max(0, now - updatedAt)
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updatedAt = max(updatedAt, now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / ratePerSecond
    }
}
