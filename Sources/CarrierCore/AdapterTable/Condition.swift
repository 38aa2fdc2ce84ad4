/// A test on a parsed body (or on the raw body text), used by `response.success.when` and inbound `when`.
///
/// JSON shape mirrors the YAML: `{"path": "x", "equals": "0"}`, `{"all": [...]}`, `{"not": {...}}`.
public indirect enum Condition: Sendable, Hashable, Codable {
    case equals(PathExpression, String)
    case oneOf(PathExpression, [String])
    /// The regex source; the compiler checked that it compiles.
    case matches(PathExpression, String)
    case exists(PathExpression, Bool)
    /// The raw body (as text) starts with this: gateways that answer `Success "abc"` or `0: Accepted`.
    case bodyPrefix(String)
    /// The raw body matches this regex (checked by the compiler).
    case bodyMatches(String)
    case all([Condition])
    case any([Condition])
    case not(Condition)

    enum CodingKeys: String, CodingKey {
        case path, equals, `in`, matches, exists, bodyPrefix, bodyMatches, all, any, not
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let v = try c.decodeIfPresent([Condition].self, forKey: .all) { self = .all(v); return }
        if let v = try c.decodeIfPresent([Condition].self, forKey: .any) { self = .any(v); return }
        if let v = try c.decodeIfPresent(Condition.self, forKey: .not) { self = .not(v); return }
        if let v = try c.decodeIfPresent(String.self, forKey: .bodyPrefix) { self = .bodyPrefix(v); return }
        if let v = try c.decodeIfPresent(String.self, forKey: .bodyMatches) { self = .bodyMatches(v); return }
        let path = try c.decode(PathExpression.self, forKey: .path)
        if let v = try c.decodeIfPresent(String.self, forKey: .equals) {
            self = .equals(path, v)
        } else if let v = try c.decodeIfPresent([String].self, forKey: .in) {
            self = .oneOf(path, v)
        } else if let v = try c.decodeIfPresent(String.self, forKey: .matches) {
            self = .matches(path, v)
        } else {
            self = .exists(path, try c.decode(Bool.self, forKey: .exists))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .equals(let p, let v):
            try c.encode(p, forKey: .path)
            try c.encode(v, forKey: .equals)
        case .oneOf(let p, let v):
            try c.encode(p, forKey: .path)
            try c.encode(v, forKey: .in)
        case .matches(let p, let v):
            try c.encode(p, forKey: .path)
            try c.encode(v, forKey: .matches)
        case .exists(let p, let v):
            try c.encode(p, forKey: .path)
            try c.encode(v, forKey: .exists)
        case .bodyPrefix(let v): try c.encode(v, forKey: .bodyPrefix)
        case .bodyMatches(let v): try c.encode(v, forKey: .bodyMatches)
        case .all(let v): try c.encode(v, forKey: .all)
        case .any(let v): try c.encode(v, forKey: .any)
        case .not(let v): try c.encode(v, forKey: .not)
        }
    }
}

extension Condition {
    /// Whether any part of the condition tests the raw body text.
    public var readsBody: Bool { anyTest { $0.isBodyTest } }

    /// Whether any part of the condition reads a path of the parsed body.
    public var readsPaths: Bool { anyTest { !$0.isBodyTest } }

    private var isBodyTest: Bool {
        if case .bodyPrefix = self { return true }
        if case .bodyMatches = self { return true }
        return false
    }

    /// Whether any test (a condition that is not all/any/not) inside satisfies `predicate`.
    private func anyTest(_ predicate: (Condition) -> Bool) -> Bool {
        switch self {
        case .all(let list), .any(let list): list.contains { $0.anyTest(predicate) }
        case .not(let condition): condition.anyTest(predicate)
        default: predicate(self)
        }
    }
}
