/// A parsed request or response body (JSON, form, query or XML) in one shape that paths can walk.
///
/// Form and query bodies become an object of strings; a repeated key becomes an array of strings.
/// XML elements become objects: attributes under `@name`, text under `#text`, repeated children an array.
public indirect enum PayloadValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text as it appeared, so that large ids keep every digit.
    case number(String)
    case string(String)
    case array([PayloadValue])
    case object(PayloadObject)

    /// The value as text: strings as-is, numbers as written, booleans as `true`/`false`; nil otherwise.
    public var text: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
