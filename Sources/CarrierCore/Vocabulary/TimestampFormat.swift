/// How a timestamp is written (`format` of an inbound timestamp field, the `date` template filter), compiled once
/// from its name or pattern. The adapter table stores the text it was parsed from.
public enum TimestampFormat: Sendable, Hashable {
    /// Seconds since the epoch, optionally with a fraction (`1493735509`, `"1493735509.25"`).
    case epoch
    /// Milliseconds since the epoch (`1516217711000`).
    case epochMilliseconds
    /// `2024-01-15T20:16:07.588+00:00`, `...Z`, `...+0000`, or zone-less `2024-01-15 20:16:07`.
    case iso8601
    /// `Fri, 31 Oct 2014 03:39:29 +0000`.
    case rfc2822
    /// Fixed-width fields and literal separators, such as `yyMMddHHmm` or `yyyy-MM-dd HH:mm:ss.SSS`.
    case pattern([PatternToken])

    public enum PatternToken: Sendable, Hashable {
        case year4, year2, month, day, hour, minute, second, millisecond
        case literal(UInt8)

        public var width: Int {
            switch self {
            case .year4: return 4
            case .year2, .month, .day, .hour, .minute, .second: return 2
            case .millisecond: return 3
            case .literal: return 1
            }
        }
    }

    /// The pattern letters, longest first where one is a prefix of another.
    static let patternFields: [(String, PatternToken)] = [
        ("yyyy", .year4), ("yy", .year2), ("MM", .month), ("dd", .day), ("HH", .hour), ("mm", .minute),
        ("ss", .second), ("SSS", .millisecond),
    ]

    static let namedFormats: [(String, TimestampFormat)] = [
        ("epoch", .epoch), ("epoch_ms", .epochMilliseconds), ("iso8601", .iso8601), ("rfc2822", .rfc2822),
    ]

    /// Compiles a format name (`epoch`, `epoch_ms`, `iso8601`, `rfc2822`) or a pattern of
    /// `yyyy yy MM dd HH mm ss SSS` that has a year, a month and a day. Any other letter in a pattern is refused, so
    /// that `YYYY` or `hh` typos fail when the definition compiles.
    ///
    /// - Throws: `VocabularyError` `bad-timestamp-format`.
    public static func parse(_ format: String) throws(VocabularyError) -> TimestampFormat {
        if let named = namedFormats.first(where: { $0.0 == format }) { return named.1 }
        let bytes = Array(format.utf8)
        var tokens: [PatternToken] = []
        var k = 0
        func starts(_ s: String) -> Bool {
            let p = Array(s.utf8)
            return k + p.count <= bytes.count && Array(bytes[k..<(k + p.count)]) == p
        }
        outer: while k < bytes.count {
            for (text, token) in patternFields where starts(text) {
                tokens.append(token)
                k += text.utf8.count
                continue outer
            }
            let b = bytes[k]
            let isLetter =
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            if isLetter || b >= 0x80 {
                throw VocabularyError(
                    code: "bad-timestamp-format",
                    message: "unknown timestamp format '\(format)': use epoch, epoch_ms, iso8601, rfc2822 or a pattern "
                        + "of yyyy yy MM dd HH mm ss SSS", offset: k)
            }
            tokens.append(.literal(b))
            k += 1
        }
        let hasYear = tokens.contains(.year4) || tokens.contains(.year2)
        guard hasYear, tokens.contains(.month), tokens.contains(.day) else {
            throw VocabularyError(
                code: "bad-timestamp-format",
                message: "timestamp pattern '\(format)' needs a year (yyyy or yy), MM and dd")
        }
        return .pattern(tokens)
    }

    /// The name or pattern this format was parsed from.
    public var text: String {
        switch self {
        case .pattern(let tokens):
            var s = ""
            for token in tokens {
                if case .literal(let b) = token {
                    s.unicodeScalars.append(Unicode.Scalar(b))
                } else if let field = Self.patternFields.first(where: { $0.1 == token }) {
                    s += field.0
                }
            }
            return s
        default:
            return Self.namedFormats.first { $0.1 == self }?.0 ?? ""
        }
    }
}

extension TimestampFormat: ParsedFromText {}
