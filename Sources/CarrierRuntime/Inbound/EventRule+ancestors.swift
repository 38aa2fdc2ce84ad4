import CarrierCore

extension EventRule {
    /// Whether any path of the rule starts with `^`, so that `each` items need their chain of ancestors.
    /// Building that chain for every item was the largest cost of batched webhooks; most rules never read it.
    var usesAncestors: Bool {
        if when?.usesAncestors == true { return true }
        for extractor in fields.values {
            if extractor.paths.contains(where: \.isParentRelative) { return true }
            if extractor.count?.isParentRelative == true || extractor.encodingFrom?.path.isParentRelative == true {
                return true
            }
        }
        return false
    }
}

extension Condition {
    fileprivate var usesAncestors: Bool {
        switch self {
        case .equals(let p, _), .oneOf(let p, _), .matches(let p, _), .exists(let p, _): p.isParentRelative
        case .all(let list), .any(let list): list.contains { $0.usesAncestors }
        case .not(let c): c.usesAncestors
        case .bodyPrefix, .bodyMatches: false
        }
    }
}

extension PathExpression {
    fileprivate var isParentRelative: Bool {
        if case .parent = anchor { return true }
        return false
    }
}
