import CarrierCore
import Foundation
import Synchronization

/// Compiled regular expressions by pattern; definitions reuse a few patterns millions of times.
enum RegexCache {
    private static let cache = Mutex<[String: NSRegularExpression]>([:])

    /// The compiled pattern, or nil when it does not compile (the compiler already rejected such patterns).
    static func regex(_ pattern: String) -> NSRegularExpression? {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { return nil }
        cache.withLock { $0[pattern] = compiled }
        return compiled
    }

    /// The first capture group (or the whole match when the pattern has no group) of `pattern` in `text`.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = regex(pattern) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, range: range) else { return nil }
        let groupRange = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
        guard groupRange.location != NSNotFound, let r = Range(groupRange, in: text) else { return nil }
        return String(text[r])
    }

    /// Whether `pattern` matches anywhere in `text`.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regex(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
