import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite("parseTimestamp")
struct TimestampTests {
    @Test(
        arguments: [
            // Kannel ts (courier_tests), WhatsApp epoch string
            ("1493735509", "epoch", nil, "2017-05-02T14:31:49Z"),
            (" 1493735509 ", "epoch", "Europe/Paris", "2017-05-02T14:31:49Z"),
            ("1493735509.25", "epoch", nil, "2017-05-02T14:31:49.250Z"),
            ("1493735509.0001", "epoch", nil, "2017-05-02T14:31:49Z"),
            ("-1.5", "epoch", nil, "1969-12-31T23:59:58.500Z"),
            ("0", "epoch", nil, "1970-01-01T00:00:00Z"),
            // Clickatell epoch ms (courier_tests): 1516217711000 -> 2018-01-17T19:35:11Z
            ("1516217711000", "epoch_ms", nil, "2018-01-17T19:35:11Z"),
            ("1516217711123", "epoch_ms", nil, "2018-01-17T19:35:11.123Z"),
            ("1.516217711E12", "epoch_ms", nil, "2018-01-17T19:35:11Z"),
            // ISO 8601 variants
            ("2024-01-15T20:16:07.588+00:00", "iso8601", nil, "2024-01-15T20:16:07.588Z"),
            ("2024-01-15T20:16:07Z", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15T20:16:07.000Z", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15T20:16:07.123456789Z", "iso8601", nil, "2024-01-15T20:16:07.123Z"),
            ("2019-07-10T13:45:57.000+0000", "iso8601", nil, "2019-07-10T13:45:57Z"),
            ("2024-01-15T22:16:07+02:00", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15T15:16:07-0500", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15T21:16:07+01", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15 20:16:07", "iso8601", nil, "2024-01-15T20:16:07Z"),
            ("2024-01-15 23:16:07", "iso8601", "Africa/Nairobi", "2024-01-15T20:16:07Z"),
            ("2024-01-15 23:16:07", "iso8601", "+03:00", "2024-01-15T20:16:07Z"),
            ("2024-01-01T00:30:00", "iso8601", "-01:00", "2024-01-01T01:30:00Z"),
            ("2024-01-15", "iso8601", nil, "2024-01-15T00:00:00Z"),
            ("2024-01-15T20:16", "iso8601", nil, "2024-01-15T20:16:00Z"),
            // DST: New York is UTC-4 in July, UTC-5 in January.
            ("2024-07-01 12:00:00", "iso8601", "America/New_York", "2024-07-01T16:00:00Z"),
            ("2024-01-01 12:00:00", "iso8601", "America/New_York", "2024-01-01T17:00:00Z"),
            // RFC 2822
            ("Fri, 31 Oct 2014 03:39:29 +0000", "rfc2822", nil, "2014-10-31T03:39:29Z"),
            ("31 Oct 2014 05:39:29 +0200", "rfc2822", nil, "2014-10-31T03:39:29Z"),
            ("Fri, 31 Oct 2014 03:39:29 GMT", "rfc2822", nil, "2014-10-31T03:39:29Z"),
            ("Thu, 30 Oct 2014 22:39 EST", "rfc2822", nil, "2014-10-31T03:39:00Z"),
            ("Fri, 1 Nov 14 03:39:29 +0000", "rfc2822", nil, "2014-11-01T03:39:29Z"),
            // Patterns: Vonage scts / Kannel, MessageBird, Africa's Talking
            ("1101181546", "yyMMddHHmm", nil, "2011-01-18T15:46:00Z"),
            ("20240229235959", "yyyyMMddHHmmss", nil, "2024-02-29T23:59:59Z"),
            ("2017-05-02 14:31:49", "yyyy-MM-dd HH:mm:ss", nil, "2017-05-02T14:31:49Z"),
            ("2017-05-02 17:31:49", "yyyy-MM-dd HH:mm:ss", "Africa/Nairobi", "2017-05-02T14:31:49Z"),
            ("02/05/2017 14:31:49.500", "dd/MM/yyyy HH:mm:ss.SSS", nil, "2017-05-02T14:31:49.500Z"),
            ("2024-01-01 00:10", "yyyy-MM-dd HH:mm", "+01:00", "2023-12-31T23:10:00Z"),
        ] as [(String, String, String?, String)])
    func converts(text: String, format: String, zone: String?, expected: String) throws {
        #expect(try Self.parse(text, format, zone) == expected)
    }

    @Test(arguments: [
        ("", "epoch"), ("abc", "epoch"), ("12x", "epoch"), ("99999999999999999999", "epoch"),
        ("2024-13-01T00:00:00Z", "iso8601"), ("2023-02-29T00:00:00Z", "iso8601"), ("2024-01-15T24:00:00Z", "iso8601"),
        ("2024-01-15T20:16:07+25:00", "iso8601"), ("2024-01-15T20:16:07 junk", "iso8601"), ("2024-1-5", "iso8601"),
        ("Fri, 31 Foo 2014 03:39:29 +0000", "rfc2822"), ("Fri 31 Oct 2014", "rfc2822"),
        ("11011815", "yyMMddHHmm"), ("110118154600", "yyMMddHHmm"), ("2017/05/02 14:31:49", "yyyy-MM-dd HH:mm:ss"),
    ])
    func rejectsBadTimestamps(text: String, format: String) {
        let error = #expect(throws: PayloadError.self) { try Self.parse(text, format, nil) }
        #expect(error?.code == "bad-timestamp")
    }

    /// Formats and zones are compiled by CarrierCore (the same parse the compiler runs), then read here.
    static func parse(_ text: String, _ format: String, _ zone: String?) throws -> String {
        try parseTimestamp(
            text, format: TimestampFormat.parse(format), zone: zone.map(TimestampZone.parse) ?? .utc)
    }

    @Test(arguments: ["YYYY-MM-dd", "yyyy-MM", "hh:mm", "HHmm", "", "unix"])
    func rejectsBadFormats(format: String) {
        let error = #expect(throws: VocabularyError.self) { try TimestampFormat.parse(format) }
        #expect(error?.code == "bad-timestamp-format")
    }

    @Test(arguments: ["yyMMddHHmm", "yyyy-MM-dd HH:mm:ss.SSS", "epoch_ms", "dd/MM/yy"])
    func patternsKeepTheirText(format: String) throws {
        #expect(try TimestampFormat.parse(format).text == format)
    }

    @Test(arguments: ["Mars/Olympus", "+5", "+05:0", "+25:00", ""])
    func rejectsBadZones(zone: String) {
        let error = #expect(throws: VocabularyError.self) { try TimestampZone.parse(zone) }
        #expect(error?.code == "bad-time-zone")
    }

    @Test func civilTimeRoundTripsAcrossCenturies() {
        for seconds in stride(from: Int64(-62_135_596_800), through: 253_402_300_799, by: 86_400 * 997 + 3_601) {
            let civil = CivilTime(secondsSinceEpoch: seconds)
            #expect(civil.secondsSinceEpoch == seconds)
        }
        #expect(CivilTime(secondsSinceEpoch: 951_782_400).iso8601 == "2000-02-29T00:00:00Z")
    }
}
