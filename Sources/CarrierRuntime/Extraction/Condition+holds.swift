import CarrierCore

extension Condition {
    /// Whether the condition holds for the item in `context`. A path that selects nothing fails every test
    /// except `exists: false`.
    func holds(in context: PayloadContext) -> Bool {
        switch self {
        case .equals(let path, let value):
            return path.select(in: context).contains { $0.text == value }
        case .oneOf(let path, let values):
            return path.select(in: context).contains { v in v.text.map(values.contains) ?? false }
        case .matches(let path, let pattern):
            return path.select(in: context).contains { v in v.text.map { RegexCache.matches(pattern, $0) } ?? false }
        case .exists(let path, let expected):
            let found = path.select(in: context).contains { $0 != .null }
            return found == expected
        case .all(let conditions):
            return conditions.allSatisfy { $0.holds(in: context) }
        case .any(let conditions):
            return conditions.contains { $0.holds(in: context) }
        case .not(let condition):
            return !condition.holds(in: context)
        }
    }
}
