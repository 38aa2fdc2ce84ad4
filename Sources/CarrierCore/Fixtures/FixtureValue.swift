/// A YAML value from a fixture, kept with YAML's typing of plain scalars (numbers, booleans, null).
public indirect enum FixtureValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A plain scalar YAML reads as a number, as written.
    case number(String)
    case string(String)
    case list([FixtureValue])
    case map([String: FixtureValue])

    /// Strings as-is, numbers as written, booleans as `true`/`false`; nil for null, lists and maps.
    public var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// The value as JSON text (for decoding into Codable types and for messages).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return FixtureValue.quote(s)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let m):
            return "{" + m.keys.sorted().map { FixtureValue.quote($0) + ":" + m[$0]!.json }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String { jsonStringLiteral(s) }

    /// Converts a YAML node; plain scalars that YAML reads as numbers, booleans or null keep that type.
    init(_ node: YAMLNode) {
        switch node.kind {
        case .mapping(let pairs):
            var m: [String: FixtureValue] = [:]
            for p in pairs { if let k = p.key.scalar { m[k] = FixtureValue(p.value) } }
            self = .map(m)
        case .sequence(let items):
            self = .list(items.map(FixtureValue.init))
        case .scalar(let s, let style):
            guard style == .plain, node.tag == nil else {
                self = .string(s)
                return
            }
            if node.isNull {
                self = .null
            } else if s == "true" || s == "True" {
                self = .bool(true)
            } else if s == "false" || s == "False" {
                self = .bool(false)
            } else if Int(s) != nil || (Double(s) != nil && s.contains(".")) {
                self = .number(s)
            } else {
                self = .string(s)
            }
        }
    }
}
