/// A send variant's `when`: an expression's truthiness, a comparison, or `all:` / `any:` lists of those (nested).
///
/// JSON shape mirrors the YAML: a plain expression stays a string (`"message.media"`, `"!message.from"`), so
/// tables without lists read as before; `{"value": "segments.encoding", "equals": "ucs2"}`,
/// `{"value": "message.channel", "in": ["whatsapp", "rcs"]}`, `{"all": [...]}`, `{"any": [...]}`.
public indirect enum VariantCondition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Holds when the expression's value is not null, `""`, `[]` or `false` (`!expr` inverts it).
    case holds(TemplateExpression)
    /// Holds when the expression's value, as text, is one of the strings (`equals` is a list of one).
    case equals(TemplateExpression, [String])
    /// Holds when every condition holds.
    case all([VariantCondition])
    /// Holds when at least one condition holds.
    case any([VariantCondition])

    enum CodingKeys: String, CodingKey {
        case value, equals, `in`, all, any
    }

    public var description: String {
        switch self {
        case .holds(let e): e.description
        case .equals(let e, let values) where values.count == 1: "\(e) == \"\(values[0])\""
        case .equals(let e, let values): "\(e) in [\(values.map { "\"\($0)\"" }.joined(separator: ", "))]"
        case .all(let list): "all(" + list.map(\.description).joined(separator: ", ") + ")"
        case .any(let list): "any(" + list.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// Every expression the condition reads, in order.
    public var expressions: [TemplateExpression] {
        switch self {
        case .holds(let e), .equals(let e, _): [e]
        case .all(let list), .any(let list): list.flatMap(\.expressions)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            do {
                self = .holds(try ConditionExpression(storedText: text).expression)
            } catch {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: error.message))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let list = try c.decodeIfPresent([VariantCondition].self, forKey: .all) {
            self = .all(list)
        } else if let list = try c.decodeIfPresent([VariantCondition].self, forKey: .any) {
            self = .any(list)
        } else {
            let e = try c.decode(ConditionExpression.self, forKey: .value).expression
            if let v = try c.decodeIfPresent(String.self, forKey: .equals) {
                self = .equals(e, [v])
            } else {
                self = .equals(e, try c.decode([String].self, forKey: .in))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .holds(let e):
            try ConditionExpression(e).encode(to: encoder)
        case .equals(let e, let values):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ConditionExpression(e), forKey: .value)
            if values.count == 1 {
                try c.encode(values[0], forKey: .equals)
            } else {
                try c.encode(values, forKey: .in)
            }
        case .all(let list):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(list, forKey: .all)
        case .any(let list):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(list, forKey: .any)
        }
    }
}
