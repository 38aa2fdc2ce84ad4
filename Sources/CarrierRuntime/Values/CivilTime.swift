import CarrierCore

/// A calendar date and wall-clock time, converted to and from seconds since the Unix epoch without Foundation.
///
/// Uses the proleptic Gregorian calendar (days-from-civil arithmetic), which is exact for every date carriers send.
struct CivilTime: Sendable, Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0
    var millisecond = 0

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Checks field ranges; `what` names the input in the error.
    func validate(_ text: String) throws(PayloadError) {
        guard (1...12).contains(month) else { throw .badTimestamp(text, "month \(month) is out of range") }
        guard (1...CivilTime.daysInMonth(month, year: year)).contains(day) else {
            throw .badTimestamp(text, "day \(day) is out of range")
        }
        guard (0...23).contains(hour) else { throw .badTimestamp(text, "hour \(hour) is out of range") }
        guard (0...59).contains(minute) else { throw .badTimestamp(text, "minute \(minute) is out of range") }
        guard (0...59).contains(second) else { throw .badTimestamp(text, "second \(second) is out of range") }
    }

    /// Seconds since 1970-01-01T00:00:00 when this wall-clock time is read as UTC.
    var secondsSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    /// The UTC civil time of an instant given in seconds (and milliseconds) since the epoch.
    init(secondsSinceEpoch seconds: Int64, millisecond: Int = 0) {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = Int(yearOfEra + era * 400 + (m <= 2 ? 1 : 0))
        self.month = Int(m)
        self.day = Int(d)
        self.hour = Int(rest / 3600)
        self.minute = Int(rest % 3600 / 60)
        self.second = Int(rest % 60)
        self.millisecond = millisecond
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, or `yyyy-MM-ddTHH:mm:ss.SSSZ` when the milliseconds are not zero.
    var iso8601: String {
        var s = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        s += "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
        if millisecond != 0 { s += "." + pad(millisecond, 3) }
        return s + "Z"
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(abs(n))
        let padded = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        return n < 0 ? "-" + padded : padded
    }
}

extension PayloadError {
    static func badTimestamp(_ text: String, _ reason: String) -> PayloadError {
        PayloadError(code: "bad-timestamp", message: "cannot read timestamp '\(text.prefix(64))': \(reason)")
    }
}
