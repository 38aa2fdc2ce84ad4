import CarrierCore

extension Condition {
    /// Whether the condition holds for the item in `context`. A path that selects nothing fails every test
    /// except `exists: false`; body tests fail when the context carries no raw body.
    func holds(in context: PayloadContext) -> Bool {
        switch self {
        case .equals(let path, let value):
            return path.anySelected(in: context) { $0.text == value }
        case .oneOf(let path, let values):
            return path.anySelected(in: context) { v in v.text.map(values.contains) ?? false }
        case .matches(let path, let pattern):
            return path.anySelected(in: context) { v in v.text.map { RegexCache.matches(pattern, $0) } ?? false }
        case .exists(let path, let expected):
            return path.anySelected(in: context) { $0 != .null } == expected
        case .bodyPrefix(let prefix):
            return context.rawBody?.hasPrefix(prefix) ?? false
        case .bodyMatches(let pattern):
            return context.rawBody.map { RegexCache.matches(pattern, $0) } ?? false
        case .all(let conditions):
            return conditions.allSatisfy { $0.holds(in: context) }
        case .any(let conditions):
            return conditions.contains { $0.holds(in: context) }
        case .not(let condition):
            return !condition.holds(in: context)
        }
    }
}

extension PathExpression {
    /// Whether any selected value satisfies `test`; without a wildcard, no array of results is built.
    fileprivate func anySelected(in context: PayloadContext, _ test: (PayloadValue) -> Bool) -> Bool {
        if hasWildcard { return select(in: context).contains(where: test) }
        return first(in: context).map(test) ?? false
    }
}
