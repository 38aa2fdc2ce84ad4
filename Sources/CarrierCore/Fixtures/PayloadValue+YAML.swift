/// How fixtures read YAML values, and how expected values print as JSON.
extension PayloadValue {
    /// The value as JSON text (for decoding into Codable types and for messages); object keys sorted.
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return jsonStringLiteral(s)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let m):
            return "{" + m.keys.sorted().map { jsonStringLiteral($0) + ":" + m[$0]!.json }.joined(separator: ",") + "}"
        }
    }

    /// Converts a YAML node; plain scalars that YAML reads as numbers, booleans or null keep that type.
    init(_ node: YAMLNode) {
        switch node.kind {
        case .mapping(let pairs):
            var m = PayloadObject(minimumCapacity: pairs.count)
            for p in pairs { if let k = p.key.scalar { m[k] = PayloadValue(p.value) } }
            self = .object(m)
        case .sequence(let items):
            self = .array(items.map(PayloadValue.init))
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
