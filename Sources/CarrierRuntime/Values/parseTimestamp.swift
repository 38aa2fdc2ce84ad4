import CarrierCore

/// Reads a carrier timestamp and returns it as ISO 8601 UTC: `yyyy-MM-ddTHH:mm:ssZ`, with `.SSS` before the `Z`
/// only when the milliseconds are not zero (finer fractions are truncated to milliseconds).
///
/// - Parameters:
///   - text: the value as sent (surrounding whitespace is ignored).
///   - format: compiled from `epoch`, `epoch_ms`, `iso8601`, `rfc2822` or a pattern such as `yyMMddHHmm`.
///   - zone: for timestamps that carry no offset. Epoch values ignore it.
/// - Throws: `PayloadError` `bad-timestamp`.
func parseTimestamp(_ text: String, format: TimestampFormat, zone: TimestampZone) throws(PayloadError) -> String {
    let instant = try readInstant(text, format: format, zone: zone)
    return CivilTime(secondsSinceEpoch: instant.seconds, millisecond: instant.millisecond).iso8601
}

/// An instant read from a timestamp, with the offset the text showed (or the zone gave), for writing it back in
/// the same wall-clock time.
struct Instant: Sendable, Hashable {
    var seconds: Int64
    var millisecond: Int
    /// Seconds east of UTC of the wall-clock time the text was written in.
    var offset: Int = 0

    /// ISO 8601 in `zone`: `2024-05-01T15:00:00+03:00`.
    func written(in zone: TimestampZone) -> String {
        let east = zone.offset(atInstant: seconds)
        var text = String(
            CivilTime(secondsSinceEpoch: seconds + Int64(east), millisecond: millisecond).iso8601.dropLast())
        let sign = east < 0 ? "-" : "+"
        let hours = abs(east) / 3600
        let minutes = abs(east) % 3600 / 60
        text += sign + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
        return text
    }

    /// The wall-clock time at `offset` in a pattern such as `yyMMddHHmm`; named formats give ISO 8601 or epoch text.
    func wallClock(_ format: TimestampFormat) -> String {
        guard case .pattern(let tokens) = format else {
            return format == .epoch ? String(seconds) : CivilTime(secondsSinceEpoch: seconds).iso8601
        }
        let civil = CivilTime(secondsSinceEpoch: seconds + Int64(offset), millisecond: millisecond)
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var out = ""
        for token in tokens {
            switch token {
            case .year4: out += pad(civil.year, 4)
            case .year2: out += pad(civil.year % 100, 2)
            case .month: out += pad(civil.month, 2)
            case .day: out += pad(civil.day, 2)
            case .hour: out += pad(civil.hour, 2)
            case .minute: out += pad(civil.minute, 2)
            case .second: out += pad(civil.second, 2)
            case .millisecond: out += pad(civil.millisecond, 3)
            case .literal(let b): out.unicodeScalars.append(Unicode.Scalar(b))
            }
        }
        return out
    }
}

/// Reads a timestamp into an instant; see ``parseTimestamp(_:format:zone:)``.
func readInstant(_ text: String, format: TimestampFormat, zone: TimestampZone) throws(PayloadError) -> Instant {
    var bytes = Array(text.utf8)[...]
    while let b = bytes.first, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { bytes.removeFirst() }
    while let b = bytes.last, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { bytes.removeLast() }
    guard !bytes.isEmpty else { throw .badTimestamp(text, "empty value") }
    var scanner = TimestampScanner(bytes: bytes, text: text)
    let instant: (seconds: Int64, millisecond: Int)
    switch format {
    case .epoch:
        instant = try scanner.readEpoch(scale: 1)
    case .epochMilliseconds:
        instant = try scanner.readEpoch(scale: 1000)
    case .iso8601:
        instant = try scanner.readISO8601(zone: zone)
    case .rfc2822:
        instant = try scanner.readRFC2822(zone: zone)
    case .pattern(let tokens):
        instant = try scanner.readPattern(tokens, zone: zone)
    }
    // 0001-01-01 ... 9999-12-31: what four year digits can show.
    guard instant.seconds >= -62_135_596_800, instant.seconds <= 253_402_300_799 else {
        throw .badTimestamp(text, "outside the years 1 to 9999")
    }
    return Instant(seconds: instant.seconds, millisecond: instant.millisecond, offset: scanner.offsetSeen)
}

/// A cursor over a timestamp's bytes.
private struct TimestampScanner {
    let bytes: ArraySlice<UInt8>
    let text: String
    var k: Int
    /// The offset the last wall-clock time was read at (from the text, or the zone).
    var offsetSeen = 0

    init(bytes: ArraySlice<UInt8>, text: String) {
        self.bytes = bytes
        self.text = text
        self.k = bytes.startIndex
    }

    var atEnd: Bool { k >= bytes.endIndex }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    func fail(_ reason: String) -> PayloadError { .badTimestamp(text, reason) }

    /// Exactly `width` digits.
    mutating func fixed(_ width: Int, _ what: String) throws(PayloadError) -> Int {
        guard k + width <= bytes.endIndex else { throw fail("expected \(width) digits for \(what)") }
        var n = 0
        for j in k..<(k + width) {
            guard isDigit(bytes[j]) else { throw fail("expected \(width) digits for \(what)") }
            n = n * 10 + Int(bytes[j] - UInt8(ascii: "0"))
        }
        k += width
        return n
    }

    /// One or more digits (at most `maxWidth`).
    mutating func digits(max maxWidth: Int, _ what: String) throws(PayloadError) -> Int {
        let start = k
        var n = 0
        while k < bytes.endIndex, isDigit(bytes[k]), k - start < maxWidth {
            n = n * 10 + Int(bytes[k] - UInt8(ascii: "0"))
            k += 1
        }
        guard k > start else { throw fail("expected digits for \(what)") }
        return n
    }

    mutating func expect(_ c: Character) throws(PayloadError) {
        guard k < bytes.endIndex, bytes[k] == c.asciiValue else { throw fail("expected '\(c)'") }
        k += 1
    }

    mutating func skipSpaces() {
        while k < bytes.endIndex, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
    }

    /// Reads `.fff...` when present; returns milliseconds (extra digits truncated).
    mutating func fraction() throws(PayloadError) -> Int {
        guard k < bytes.endIndex, bytes[k] == UInt8(ascii: ".") || bytes[k] == UInt8(ascii: ",") else { return 0 }
        k += 1
        var ms = 0
        var count = 0
        while k < bytes.endIndex, isDigit(bytes[k]) {
            if count < 3 { ms = ms * 10 + Int(bytes[k] - UInt8(ascii: "0")) }
            count += 1
            k += 1
        }
        guard count > 0 else { throw fail("expected digits after the decimal point") }
        if count < 3 {
            for _ in count..<3 { ms *= 10 }
        }
        return ms
    }

    /// Applies the zone to a wall-clock time and returns the UTC instant.
    mutating func instant(_ civil: CivilTime, offset: Int?, zone: TimestampZone) throws(PayloadError) -> (Int64, Int) {
        try civil.validate(text)
        let local = civil.secondsSinceEpoch
        let east = offset ?? zone.offset(atLocalSeconds: local)
        offsetSeen = east
        return (local - Int64(east), civil.millisecond)
    }

    mutating func readEpoch(scale: Int64) throws(PayloadError) -> (Int64, Int) {
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        let start = k
        var whole: Int64 = 0
        while k < bytes.endIndex, isDigit(bytes[k]) {
            guard k - start < 15 else { throw fail("number too large") }
            whole = whole * 10 + Int64(bytes[k] - UInt8(ascii: "0"))
            k += 1
        }
        guard k > start else { return try readEpochExponent(scale: scale) }
        // Fraction of the unit, kept as thousandths of a second.
        var thousandths: Int64 = 0
        if k < bytes.endIndex, bytes[k] == UInt8(ascii: ".") {
            k += 1
            var fractionDigits: [Int64] = []
            while k < bytes.endIndex, isDigit(bytes[k]) {
                if fractionDigits.count < 6 { fractionDigits.append(Int64(bytes[k] - UInt8(ascii: "0"))) }
                k += 1
            }
            while fractionDigits.count < 6 { fractionDigits.append(0) }
            let micros = fractionDigits.reduce(0) { $0 * 10 + $1 }  // millionths of the unit
            thousandths = micros * (1000 / scale) / 1_000_000
        }
        guard atEnd else { return try readEpochExponent(scale: scale) }
        var totalMs = whole * (1000 / scale) + thousandths
        if negative { totalMs = -totalMs }
        let seconds = totalMs >= 0 ? totalMs / 1000 : -((-totalMs + 999) / 1000)
        return (seconds, Int(totalMs - seconds * 1000))
    }

    /// Fallback for numbers such as `1.516217711E12` (a JSON number in exponent form).
    func readEpochExponent(scale: Int64) throws(PayloadError) -> (Int64, Int) {
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite,
            abs(value) < 1e15 * Double(scale)
        else {
            throw fail(scale == 1 ? "expected seconds since the epoch" : "expected milliseconds since the epoch")
        }
        let totalMs = Int64((value * 1000 / Double(scale)).rounded(.down))
        let seconds = totalMs >= 0 ? totalMs / 1000 : -((-totalMs + 999) / 1000)
        return (seconds, Int(totalMs - seconds * 1000))
    }

    mutating func readISO8601(zone: TimestampZone) throws(PayloadError) -> (Int64, Int) {
        var civil = CivilTime(year: 0, month: 1, day: 1)
        civil.year = try fixed(4, "the year")
        try expect("-")
        civil.month = try fixed(2, "the month")
        try expect("-")
        civil.day = try fixed(2, "the day")
        var offset: Int?
        if !atEnd {
            let separator = bytes[k]
            guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
                throw fail("expected 'T' or a space after the date")
            }
            k += 1
            civil.hour = try fixed(2, "the hour")
            try expect(":")
            civil.minute = try fixed(2, "the minutes")
            if !atEnd, bytes[k] == UInt8(ascii: ":") {
                k += 1
                civil.second = try fixed(2, "the seconds")
                civil.millisecond = try fraction()
            }
            skipSpaces()
            offset = try readOffset()
        }
        guard atEnd else { throw fail("unexpected text after the time") }
        return try instant(civil, offset: offset, zone: zone)
    }

    /// `Z`, `UTC`, `GMT`, `+hh:mm`, `+hhmm`, `+hh` at the end of the text; nil when there is none.
    mutating func readOffset() throws(PayloadError) -> Int? {
        guard !atEnd else { return nil }
        let rest = bytes[k...]
        k = bytes.endIndex
        switch String(decoding: rest, as: UTF8.self).uppercased() {
        case "Z", "UT", "UTC", "GMT": return 0
        case "EST": return -5 * 3600
        case "EDT": return -4 * 3600
        case "CST": return -6 * 3600
        case "CDT": return -5 * 3600
        case "MST": return -7 * 3600
        case "MDT": return -6 * 3600
        case "PST": return -8 * 3600
        case "PDT": return -7 * 3600
        default:
            guard let seconds = parseUTCOffset(rest) else { throw fail("bad UTC offset") }
            return seconds
        }
    }

    mutating func readRFC2822(zone: TimestampZone) throws(PayloadError) -> (Int64, Int) {
        // Optional day name: "Fri,"
        if !isDigit(bytes[k]) {
            while k < bytes.endIndex, bytes[k] != UInt8(ascii: ",") { k += 1 }
            try expect(",")
            skipSpaces()
        }
        var civil = CivilTime(year: 0, month: 1, day: 1)
        civil.day = try digits(max: 2, "the day")
        skipSpaces()
        guard k + 3 <= bytes.endIndex else { throw fail("expected a month name") }
        let monthName = String(decoding: bytes[k..<(k + 3)], as: UTF8.self).lowercased()
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let monthIndex = months.firstIndex(of: monthName) else { throw fail("unknown month name") }
        civil.month = monthIndex + 1
        k += 3
        skipSpaces()
        let yearStart = k
        let year = try digits(max: 4, "the year")
        switch k - yearStart {
        case 4: civil.year = year
        case 2: civil.year = year < 50 ? 2000 + year : 1900 + year  // RFC 2822 section 4.3
        default: throw fail("expected a 4-digit year")
        }
        skipSpaces()
        civil.hour = try fixed(2, "the hour")
        try expect(":")
        civil.minute = try fixed(2, "the minutes")
        if !atEnd, bytes[k] == UInt8(ascii: ":") {
            k += 1
            civil.second = try fixed(2, "the seconds")
        }
        skipSpaces()
        let offset = try readOffset()
        return try instant(civil, offset: offset, zone: zone)
    }

    mutating func readPattern(_ tokens: [TimestampFormat.PatternToken], zone: TimestampZone) throws(PayloadError) -> (
        Int64, Int
    ) {
        var civil = CivilTime(year: 0, month: 1, day: 1)
        for token in tokens {
            switch token {
            case .year4: civil.year = try fixed(4, "yyyy")
            case .year2: civil.year = 2000 + (try fixed(2, "yy"))  // two-digit years are 2000-2099
            case .month: civil.month = try fixed(2, "MM")
            case .day: civil.day = try fixed(2, "dd")
            case .hour: civil.hour = try fixed(2, "HH")
            case .minute: civil.minute = try fixed(2, "mm")
            case .second: civil.second = try fixed(2, "ss")
            case .millisecond: civil.millisecond = try fixed(3, "SSS")
            case .literal(let b):
                guard k < bytes.endIndex, bytes[k] == b else {
                    throw fail("expected '\(String(UnicodeScalar(b)))' as in the pattern")
                }
                k += 1
            }
        }
        guard atEnd else { throw fail("longer than the pattern") }
        return try instant(civil, offset: nil, zone: zone)
    }
}
