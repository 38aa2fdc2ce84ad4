public import CarrierCore

extension VariantCondition {
    /// Whether the condition holds for a message: lists stop at the first condition that decides them.
    ///
    /// A compared value matches when its text is one of the strings; null never matches.
    public func holds(in context: TemplateContext) throws(RenderError) -> Bool {
        switch self {
        case .holds(let e):
            return try e.holds(in: context)
        case .equals(let e, let values):
            let value = try evaluate(e, in: context)
            if case .null = value { return false }
            return values.contains(value.text)
        case .all(let list):
            for condition in list where !(try condition.holds(in: context)) { return false }
            return true
        case .any(let list):
            for condition in list where try condition.holds(in: context) { return true }
            return false
        }
    }
}
