/// The template filters (`{{ message.to | digits }}`) and the argument each takes.
///
/// The runtime applies them with one exhaustive switch over these cases, so a filter the compiler accepts is always
/// implemented.
public enum TemplateFilter: String, VocabularyTerm {
    case url, json, xml, base64, upper, lower, trim, digits
    /// The argument (text or a variable such as `settings.sender`) when the value is null or empty.
    case `default`
    case prefix, join, first, count, truncate
    /// UTF-16BE bytes as upper-case hex.
    case hexUCS2 = "hex_ucs2"
    /// UTF-16BE bytes themselves (Kannel's `coding=2`): raw in text bodies, percent-escaped in form and query values;
    /// only `url` may follow it, which percent-escapes the bytes anywhere.
    case utf16be
    case map
    /// ISO 8601 time to epoch seconds.
    case epoch
    /// An ISO 8601 time written in a zone (`in_zone:"Africa/Nairobi"`), still ISO 8601 with the zone's offset.
    case inZone = "in_zone"
    /// An ISO 8601 time in a pattern such as `yyMMddHHmm`, at the wall-clock time the ISO text shows.
    case date
    /// Integer division rounding down (seconds to minutes: `div:60`), and multiplication.
    case div, mul

    /// What a filter takes after its `:`.
    public enum ArgumentKind: Sendable, Hashable {
        case none
        case string
        case integer
        /// A quoted string or a variable.
        case stringOrVariable
    }

    public var argument: ArgumentKind {
        switch self {
        case .url, .json, .xml, .base64, .upper, .lower, .trim, .digits, .first, .count, .hexUCS2, .utf16be, .epoch:
            .none
        case .default: .stringOrVariable
        case .prefix, .join, .map, .inZone, .date: .string
        case .truncate, .div, .mul: .integer
        }
    }

    /// Whether `argument` fits this filter.
    public func accepts(_ argument: TemplateExpression.Argument?) -> Bool {
        switch (self.argument, argument) {
        case (.none, nil), (.string, .string?), (.integer, .integer?): true
        case (.stringOrVariable, .string?), (.stringOrVariable, .variable?): true
        default: false
        }
    }

    /// "no argument", "a quoted string argument", ...
    public var expectedArgument: String {
        switch argument {
        case .none: "no argument"
        case .string: "a quoted string argument"
        case .integer: "an integer argument"
        case .stringOrVariable: "a quoted string or a variable argument"
        }
    }

    /// A problem with a well-typed argument (a `map` that is not pairs, a bad pattern or zone, division by zero).
    public func argumentProblem(_ argument: TemplateExpression.Argument?) -> String? {
        switch (self, argument) {
        case (.map, .string(let s)?):
            return Self.mapPairs(s) == nil ? "filter 'map' takes pairs like \"gsm7=text,ucs2=unicode\"" : nil
        case (.date, .string(let s)?):
            do {
                guard case .pattern = try TimestampFormat.parse(s) else {
                    return "filter 'date' takes a pattern such as \"yyMMddHHmm\""
                }
                return nil
            } catch {
                return "filter 'date': \(error.message)"
            }
        case (.inZone, .string(let s)?):
            do {
                _ = try TimestampZone.parse(s)
                return nil
            } catch {
                return "filter 'in_zone': \(error.message)"
            }
        case (.div, .integer(let n)?):
            return n == 0 ? "filter 'div' cannot divide by 0" : nil
        default:
            return nil
        }
    }

    /// The pairs of a `map:"from=to,..."` argument, or nil when it is not a list of `key=value` entries.
    /// The key `*` matches any value not listed.
    public static func mapPairs(_ argument: String) -> [String: String]? {
        var pairs: [String: String] = [:]
        for entry in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else { return nil }
            pairs[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        return pairs.isEmpty ? nil : pairs
    }
}
