import Synchronization

/// Values kept in memory for a few seconds, keyed by string.
///
/// The hot paths (every webhook, every send) need the channel with its resolved secrets and the caller's API key;
/// reading them from SQLite each time cost more than the rest of the request. Entries expire after `lifetime`
/// (so rotated `file:` secrets are picked up) and are dropped when the API changes what they hold.
final class ExpiringCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var storedAt: Double
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Double
    /// Bounds memory when keys come from callers (API keys); the cache is simply emptied when full.
    private let capacity: Int

    init(lifetime: Double, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func value(for key: String, now: Double) -> Value? {
        entries.withLock { entries in
            guard let e = entries[key], now - e.storedAt < lifetime else { return nil }
            return e.value
        }
    }

    func store(_ value: Value, for key: String, now: Double) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, storedAt: now)
        }
    }

    func invalidate(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Drops every entry (the adapter table changed what they were derived from).
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
