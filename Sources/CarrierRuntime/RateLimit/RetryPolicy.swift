import CarrierCore
public import Foundation

/// When to retry a retryable send failure: at most `maxRetries` times, with exponential backoff and full
/// jitter, or after the carrier's `Retry-After` when it gave one.
public struct RetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    /// The backoff ceiling of the first retry, in seconds; doubles each attempt.
    public var baseDelay: Double
    /// The largest backoff ceiling, and the largest Retry-After honoured, in seconds.
    public var maxDelay: Double

    public init(maxRetries: Int = 3, baseDelay: Double = 1, maxDelay: Double = 60) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The delay in seconds before retry number `attempt` (1 for the first retry), or nil when no retry
    /// is left.
    ///
    /// With a Retry-After it is that delay (at least 0, at most `maxDelay`); otherwise full jitter:
    /// `random * min(maxDelay, baseDelay * 2^(attempt-1))`.
    /// - Parameter random: a number in `0..<1` (pass `Double.random(in: 0..<1)`; tests pass fixed values).
    public func delay(forAttempt attempt: Int, retryAfter: Double?, random: Double) -> Double? {
        guard attempt >= 1, attempt <= maxRetries else { return nil }
        if let retryAfter, retryAfter.isFinite {
            return min(max(0, retryAfter), maxDelay)
        }
        let exponent = Double(min(attempt - 1, 62))
        let ceiling = min(maxDelay, baseDelay * pow(2, exponent))
        return min(max(0, random), 1) * ceiling
    }

    /// Reads a `Retry-After` value: delay seconds (`120`) or an HTTP date, relative to `now`.
    public static func parseRetryAfter(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
