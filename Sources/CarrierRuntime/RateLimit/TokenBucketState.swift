/// One token bucket, without any locking: ``TokenBucket`` keeps one per key inside its actor, and
/// ``BatchSender`` keeps one on its own thread.
struct TokenBucketState: Sendable {
    let ratePerSecond: Double
    let capacity: Double
    /// May go below zero: tokens already promised to callers that are waiting.
    private var tokens: Double
    private var updatedAt: Double

    /// A full bucket at `now`. A non-positive rate is treated as 1; the capacity defaults to `max(1, rate)`.
    init(ratePerSecond: Double, capacity: Double? = nil, now: Double) {
        let rate = ratePerSecond > 0 ? ratePerSecond : 1
        self.ratePerSecond = rate
        self.capacity = max(1, capacity ?? rate)
        tokens = self.capacity
        updatedAt = now
    }

    /// Takes one token at `now` (seconds on a monotonic scale) and returns how many seconds the caller must
    /// wait before using it (0 when a token was available).
    mutating func reserve(now: Double) -> Double {
        let elapsed = max(0, now - updatedAt)
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updatedAt = max(updatedAt, now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / ratePerSecond
    }
}
