/// A request body template: structured fields (form, query, JSON) or a text template (JSON, XML, text).
public enum BodyTemplate: Sendable, Hashable, Codable {
    case fields(BodyNode)
    case text(Template)

    enum CodingKeys: String, CodingKey { case fields, template }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let t = try c.decodeIfPresent(Template.self, forKey: .template) {
            self = .text(t)
        } else {
            self = .fields(try c.decode(BodyNode.self, forKey: .fields))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fields(let node): try c.encode(node, forKey: .fields)
        case .text(let t): try c.encode(t, forKey: .template)
        }
    }
}

/// A node of a structured body. Objects keep the definition's key order (it is the wire order).
public indirect enum BodyNode: Sendable, Hashable, Codable {
    /// A key of an object; `optional` keys (written `key?`) are left out when their value is empty.
    public struct Field: Sendable, Hashable, Codable {
        public var key: String
        public var optional: Bool
        public var value: BodyNode

        public init(key: String, optional: Bool, value: BodyNode) {
            self.key = key
            self.optional = optional
            self.value = value
        }
    }

    case object([Field])
    case array([BodyNode])
    /// A string template; a sole `{{ expr }}` keeps the expression's type.
    case template(Template)
    /// A JSON literal from a plain YAML scalar: its JSON text (`42`, `true`, `null`).
    case literal(String)
    /// `$each`: one rendered `item` node per element of the list expression.
    case each(source: TemplateExpression, item: BodyNode)

    enum CodingKeys: String, CodingKey { case object, array, template, literal, each, item }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let v = try c.decodeIfPresent([Field].self, forKey: .object) {
            self = .object(v)
        } else if let v = try c.decodeIfPresent([BodyNode].self, forKey: .array) {
            self = .array(v)
        } else if let v = try c.decodeIfPresent(Template.self, forKey: .template) {
            self = .template(v)
        } else if let v = try c.decodeIfPresent(String.self, forKey: .literal) {
            self = .literal(v)
        } else {
            let source = try c.decode(ConditionExpression.self, forKey: .each).expression
            self = .each(source: source, item: try c.decode(BodyNode.self, forKey: .item))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .object(let v): try c.encode(v, forKey: .object)
        case .array(let v): try c.encode(v, forKey: .array)
        case .template(let v): try c.encode(v, forKey: .template)
        case .literal(let v): try c.encode(v, forKey: .literal)
        case .each(let source, let item):
            try c.encode(ConditionExpression(source), forKey: .each)
            try c.encode(item, forKey: .item)
        }
    }
}
