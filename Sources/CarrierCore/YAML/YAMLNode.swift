/// A YAML node with its position. Produced by ``YAMLReader``; aliases are already resolved.
public struct YAMLNode: Sendable, Hashable {
    public enum ScalarStyle: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Pair: Sendable, Hashable {
        public var key: YAMLNode
        public var value: YAMLNode
    }

    public enum Kind: Sendable, Hashable {
        case scalar(String, ScalarStyle)
        case mapping([Pair])
        case sequence([YAMLNode])
    }

    public var kind: Kind
    public var range: SourceRange
    /// An explicit tag such as `!!str`, if written.
    public var tag: String?

    /// The scalar text, or nil for a mapping or sequence.
    public var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// True for a plain scalar that YAML reads as null (`~`, `null`, empty).
    public var isNull: Bool {
        if case .scalar(let s, .plain) = kind, tag == nil {
            return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
        }
        return false
    }

    /// A word for messages: "a mapping", "a list", "a string".
    public var kindDescription: String {
        switch kind {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar:
            isNull ? "null" : "a scalar"
        }
    }
}
