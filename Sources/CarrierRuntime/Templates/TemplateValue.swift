import CarrierCore

/// The value of a template expression: what variables hold and filters produce.
public indirect enum TemplateValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case list([TemplateValue])

    /// True for null, `""` and `[]`: what `key?` omission, `default` and `prefix` treat as "no value".
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let s): s.isEmpty
        case .list(let l): l.isEmpty
        case .integer, .bool: false
        }
    }

    /// Whether a `when:` condition holds: not null, not `""`, not `[]` and not `false`.
    public var isTruthy: Bool {
        if case .bool(let b) = self { return b }
        return !isEmpty
    }

    /// The value as plain text: null is empty, a list is joined with `,`.
    public var text: String {
        switch self {
        case .string(let s): s
        case .integer(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        case .list(let l): l.map(\.text).joined(separator: ",")
        }
    }
}
