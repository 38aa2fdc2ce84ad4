import CarrierCore
import Foundation

/// The zone a zone-less timestamp is read in: a fixed offset (`+hh:mm`, `Z`) or an IANA zone with its DST rules.
enum TimestampZone: Sendable, Hashable {
    case fixed(secondsEast: Int)
    case named(TimeZone)

    static let utc = TimestampZone.fixed(secondsEast: 0)

    /// Reads `UTC`, `Z`, `+hh:mm`, `-hhmm`, `+hh` or an IANA name such as `Africa/Nairobi`; nil means UTC.
    ///
    /// - Throws: `PayloadError` `bad-time-zone`.
    static func parse(_ text: String?) throws(PayloadError) -> TimestampZone {
        guard let text, !text.isEmpty else { return .utc }
        if text == "Z" || text == "UTC" || text == "GMT" { return .utc }
        let bytes = Array(text.utf8)
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            guard let seconds = parseOffset(bytes[...]) else {
                throw PayloadError(code: "bad-time-zone", message: "bad UTC offset '\(text)'; expected +hh:mm")
            }
            return .fixed(secondsEast: seconds)
        }
        // Foundation caches zones by identifier, so this is cheap after the first lookup.
        guard let zone = TimeZone(identifier: text) else {
            throw PayloadError(code: "bad-time-zone", message: "unknown time zone '\(text)'")
        }
        return .named(zone)
    }

    /// Seconds east of UTC in effect at a wall-clock time given as seconds since the epoch read as UTC.
    func offset(atLocalSeconds local: Int64) -> Int {
        switch self {
        case .fixed(let seconds):
            return seconds
        case .named(let zone):
            // Two steps find the offset for the local wall time, including across DST changes.
            let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
            return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - Int64(guess))))
        }
    }
}

/// Reads `+hh:mm`, `+hhmm` or `+hh` (also with `-`) into seconds east of UTC; nil when malformed.
func parseOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
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
