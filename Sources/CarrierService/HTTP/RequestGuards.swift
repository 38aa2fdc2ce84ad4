import Synchronization

/// Counts failed API keys per client address; a client with too many in a minute gets 429 for a minute.
///
/// Only failures are counted (a client with a good key costs one dictionary look-up while none of its recent
/// requests failed). The table is emptied when it reaches `capacity` addresses, which bounds its memory.
final class AuthFailureLimiter: Sendable {
    private struct Entry {
        var failures: Int
        var windowStart: Double
        var blockedUntil: Double
    }

    static let windowSeconds: Double = 60
    private let entries = Mutex<[String: Entry]>([:])
    private let limit: Int
    private let capacity: Int

    init(limit: Int, capacity: Int = 100_000) {
        self.limit = max(1, limit)
        self.capacity = capacity
    }

    /// Seconds until `client` may try again, or nil when it is not blocked.
    func retryAfter(client: String, now: Double) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[client], entry.blockedUntil > now else { return nil }
            return max(1, Int((entry.blockedUntil - now).rounded(.up)))
        }
    }

    /// Counts one failure; returns the seconds to wait when this failure blocks the client.
    func recordFailure(client: String, now: Double) -> Int? {
        entries.withLock { entries in
            if entries.count >= capacity && entries[client] == nil { entries.removeAll(keepingCapacity: true) }
            var entry = entries[client] ?? Entry(failures: 0, windowStart: now, blockedUntil: 0)
            if now - entry.windowStart >= Self.windowSeconds {
                entry.failures = 0
                entry.windowStart = now
            }
            entry.failures += 1
            var wait: Int?
            if entry.failures >= limit {
                entry.blockedUntil = now + Self.windowSeconds
                wait = Int(Self.windowSeconds)
            }
            entries[client] = entry
            return wait
        }
    }
}

/// A token bucket per account: `rate` requests a second, bursts of up to `rate` (at least 1).
final class AccountRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let rate: Double
    private let burst: Double

    init(requestsPerSecond: Double) {
        rate = requestsPerSecond
        burst = max(1, requestsPerSecond)
    }

    /// Takes one token; false when the account is over its rate.
    func allow(account: String, now: Double) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[account] ?? Bucket(tokens: burst, updatedAt: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[account] = bucket
            return allowed
        }
    }
}

/// Open connections per client address, so that one client cannot hold every connection the server can keep.
final class ClientConnectionCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a new connection; false (and not counted) when the client already has `limit` open.
    func open(_ client: String) -> Bool {
        counts.withLock { counts in
            let current = counts[client] ?? 0
            guard current < limit else { return false }
            counts[client] = current + 1
            return true
        }
    }

    func close(_ client: String) {
        counts.withLock { counts in
            let current = (counts[client] ?? 1) - 1
            counts[client] = current > 0 ? current : nil
        }
    }
}
