import CarrierCore

/// A JSON value being built from a structured body; objects keep their key order (the wire order).
indirect enum JSONNode: Sendable {
    case null
    /// JSON text inserted as it is: numbers, booleans, and literals from the definition.
    case raw(String)
    case string(String)
    case array([JSONNode])
    case object([(key: String, value: JSONNode)])

    init(_ value: TemplateValue) {
        switch value {
        case .null: self = .null
        case .string(let s): self = .string(s)
        case .bytes: self = .string(value.text)  // the compiler lets raw bytes into form, query and text bodies only
        case .integer, .bool: self = .raw(value.jsonText)
        case .list(let l): self = .array(l.map(JSONNode.init))
        }
    }

    /// Null, `""` or `[]`: left out under a `key?`.
    var isEmpty: Bool {
        switch self {
        case .null: true
        case .raw(let r): r == "null" || r == "\"\"" || r == "[]"
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        case .object: false
        }
    }

    /// Compact JSON: no spaces, keys in order, `/` and non-ASCII as they are.
    var compactText: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .raw(let r): out += r
        case .string(let s): out += WireEscaping.jsonString(s)
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += "," }
                e.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, f) in fields.enumerated() {
                if i > 0 { out += "," }
                out += WireEscaping.jsonString(f.key)
                out += ":"
                f.value.write(to: &out)
            }
            out += "}"
        }
    }
}
