import CarrierCore

/// The value of a template expression: what variables hold and filters produce.
public indirect enum TemplateValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case list([TemplateValue])
    /// Bytes that are not UTF-8 text (the `utf16be` filter): raw in text bodies, percent-escaped in form and query
    /// values and by `url`.
    case bytes([UInt8])

    /// True for null, `""` and `[]`: what `key?` omission, `default` and `prefix` treat as "no value".
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let s): s.isEmpty
        case .list(let l): l.isEmpty
        case .bytes(let b): b.isEmpty
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
        case .bytes(let b):
            // UTF-16BE code units (an odd last byte is dropped), so that `.bytes` still read as their text.
            String(
                decoding: stride(from: 0, to: b.count - 1, by: 2).map { UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]) },
                as: UTF16.self)
        }
    }

    /// The bytes a value puts on the wire: its own for `.bytes`, otherwise the UTF-8 of ``text``.
    public var wireBytes: [UInt8] {
        if case .bytes(let b) = self { return b }
        return Array(text.utf8)
    }
}
