internal import Foundation

/// The zone a zone-less timestamp is read or written in (`zone` of a timestamp field, the `date` filter): a fixed
/// offset (`+hh:mm`, `Z`, `UTC`) or an IANA zone with its DST rules. The adapter table stores the text as written.
public struct TimestampZone: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case fixed(secondsEast: Int)
        /// An identifier Foundation knows.
        case named(String)
    }

    /// The text as written in the definition.
    public let text: String
    let kind: Kind

    public static let utc = TimestampZone(text: "UTC", kind: .fixed(secondsEast: 0))

    init(text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }

    /// Reads `UTC`, `Z`, `GMT`, `+hh:mm`, `-hhmm`, `+hh` or an IANA name such as `Africa/Nairobi`.
    ///
    /// - Throws: `VocabularyError` `bad-time-zone`.
    public static func parse(_ text: String) throws(VocabularyError) -> TimestampZone {
        if text == "Z" || text == "UTC" || text == "GMT" {
            return TimestampZone(text: text, kind: .fixed(secondsEast: 0))
        }
        let bytes = Array(text.utf8)
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            guard let seconds = parseUTCOffset(bytes[...]) else {
                throw VocabularyError(code: "bad-time-zone", message: "bad UTC offset '\(text)'; expected +hh:mm")
            }
            return TimestampZone(text: text, kind: .fixed(secondsEast: seconds))
        }
        guard !text.isEmpty, TimeZone(identifier: text) != nil else {
            throw VocabularyError(
                code: "bad-time-zone", message: "unknown time zone '\(text)'; use an IANA name or +hh:mm")
        }
        return TimestampZone(text: text, kind: .named(text))
    }

    /// Seconds east of UTC in effect at a wall-clock time given as seconds since the epoch read as UTC.
    public func offset(atLocalSeconds local: Int64) -> Int {
        // Two steps find the offset for the local wall time, including across DST changes.
        offset(atInstant: local - Int64(offset(atInstant: local)))
    }

    /// Seconds east of UTC in effect at an instant (seconds since the epoch), for writing times in this zone.
    public func offset(atInstant seconds: Int64) -> Int {
        switch kind {
        case .fixed(let east):
            return east
        case .named(let identifier):
            // Foundation caches zones by identifier, so this is cheap after the first lookup.
            guard let zone = TimeZone(identifier: identifier) else { return 0 }
            return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }
}

extension TimestampZone: ParsedFromText {}

/// Reads `+hh:mm`, `+hhmm` or `+hh` (also with `-`) into seconds east of UTC; nil when malformed.
public func parseUTCOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
    var digits: [Int] = []
    var sawColon = false
    for (k, b) in bytes.dropFirst().enumerated() {
        if b == UInt8(ascii: ":") && k == 2 && !sawColon {
            sawColon = true
            continue
        }
        guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
        digits.append(Int(b - UInt8(ascii: "0")))
    }
    guard digits.count == 2 || digits.count == 4, !(sawColon && digits.count != 4) else { return nil }
    let hours = digits[0] * 10 + digits[1]
    let minutes = digits.count == 4 ? digits[2] * 10 + digits[3] : 0
    guard hours <= 18, minutes <= 59 else { return nil }
    let seconds = hours * 3600 + minutes * 60
    return sign == UInt8(ascii: "-") ? -seconds : seconds
}
