import CarrierCore

/// Per-key token buckets (one key per carrier and channel): at most `ratePerSecond` messages a second on
/// average, with bursts of up to `capacity`.
///
/// `acquire` reserves a token at once (so callers are served in arrival order) and then sleeps until that
/// token exists. The bucket's state lives in an actor, so it is safe to share across tasks.
public actor TokenBucket {
    public nonisolated let ratePerSecond: Double
    public nonisolated let capacity: Double
    private var states: [String: TokenBucketState] = [:]
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    /// - Parameters:
    ///   - ratePerSecond: tokens added per second; must be positive (a non-positive rate is treated as 1).
    ///   - capacity: the largest burst; defaults to `max(1, ratePerSecond)`.
    public init(ratePerSecond: Double, capacity: Double? = nil) {
        let full = TokenBucketState(ratePerSecond: ratePerSecond, capacity: capacity, now: 0)
        self.ratePerSecond = full.ratePerSecond
        self.capacity = full.capacity
        self.start = ContinuousClock().now
    }

    /// Takes one token for `key` at time `now` (seconds on any monotonic scale) and returns how many
    /// seconds the caller must wait before using it (0 when a token was available).
    public func reserve(key: String, now: Double) -> Double {
        var state = states[key] ?? TokenBucketState(ratePerSecond: ratePerSecond, capacity: capacity, now: now)
        let wait = state.reserve(now: now)
        states[key] = state
        return wait
    }

    /// Waits until a token for `key` is available. Throws `CancellationError` when the task is cancelled
    /// while waiting (the reserved token is not given back).
    public func acquire(key: String) async throws {
        let wait = reserve(key: key, now: secondsSinceStart())
        if wait > 0 {
            try await Task.sleep(for: .nanoseconds(Int64((wait * 1_000_000_000).rounded(.up))))
        }
    }

    private func secondsSinceStart() -> Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
