import CarrierCore

extension PathExpression {
    /// Every value the path selects, in document order. Missing keys, out-of-range indexes and steps into the
    /// wrong kind of value select nothing. `[*]` fans out over an array; any other non-null value under `[*]`
    /// (or `[0]`) counts as a one-element array, so a form key sent once and a repeated key read the same way.
    func select(in context: PayloadContext) -> [PayloadValue] {
        var results: [PayloadValue] = []
        guard let start = startPoint(in: context) else { return [] }
        walk(start.value, from: 0, context: context) { value in results.append(value) }
        return results
    }

    /// The first value the path selects, or nil.
    func first(in context: PayloadContext) -> PayloadValue? {
        guard let start = startPoint(in: context) else { return nil }
        if !hasWildcard {
            return walkSingle(start.value, context: context)
        }
        var found: PayloadValue?
        walk(start.value, from: 0, context: context) { value in
            if found == nil { found = value }
        }
        return found
    }

    /// Expands an `each` path into one context per selected item. Each child context's ancestors are the objects
    /// that held the arrays stepped through (innermost first), followed by the ancestors of the path's start.
    func eachItems(in context: PayloadContext) -> [PayloadContext] {
        guard let start = startPoint(in: context) else { return [] }
        var results: [PayloadContext] = []
        var holders: [PayloadValue] = []
        expand(start.value, from: 0, lastHolder: start.value, holders: &holders, context: context) { item, chain in
            results.append(
                PayloadContext(
                    root: context.root, item: item, ancestors: chain.reversed() + start.ancestors,
                    caseInsensitiveKeys: context.caseInsensitiveKeys))
        }
        return results
    }

    private func startPoint(in context: PayloadContext) -> (value: PayloadValue, ancestors: [PayloadValue])? {
        switch anchor {
        case .current:
            return (context.item, context.ancestors)
        case .root:
            return (context.root, [])
        case .parent(let levels):
            guard levels >= 1, levels <= context.ancestors.count else { return nil }
            return (context.ancestors[levels - 1], Array(context.ancestors[levels...]))
        }
    }

    private func walkSingle(_ start: PayloadValue, context: PayloadContext) -> PayloadValue? {
        var value = start
        for component in components {
            switch component {
            case .key(let key):
                guard let next = lookUp(key, in: value, caseInsensitive: context.caseInsensitiveKeys) else {
                    return nil
                }
                value = next
            case .index(let n):
                guard let next = element(n, of: value) else { return nil }
                value = next
            case .wildcard:
                return nil  // not reached: callers use `walk` for wildcard paths
            }
        }
        return value
    }

    private func walk(
        _ value: PayloadValue, from index: Int, context: PayloadContext, _ emit: (PayloadValue) -> Void
    ) {
        var value = value
        var k = index
        while k < components.count {
            switch components[k] {
            case .key(let key):
                guard let next = lookUp(key, in: value, caseInsensitive: context.caseInsensitiveKeys) else { return }
                value = next
            case .index(let n):
                guard let next = element(n, of: value) else { return }
                value = next
            case .wildcard:
                for element in elements(of: value) {
                    walk(element, from: k + 1, context: context, emit)
                }
                return
            }
            k += 1
        }
        emit(value)
    }

    /// Like `walk`, but records the holder of every array stepped through.
    private func expand(
        _ value: PayloadValue, from index: Int, lastHolder: PayloadValue, holders: inout [PayloadValue],
        context: PayloadContext, _ emit: (PayloadValue, [PayloadValue]) -> Void
    ) {
        let base = holders.count
        defer { holders.removeLast(holders.count - base) }
        var value = value
        var holder = lastHolder
        var k = index
        while k < components.count {
            switch components[k] {
            case .key(let key):
                guard let next = lookUp(key, in: value, caseInsensitive: context.caseInsensitiveKeys) else { return }
                holder = value
                value = next
            case .index(let n):
                guard let next = element(n, of: value) else { return }
                holders.append(holder)
                holder = next
                value = next
            case .wildcard:
                holders.append(holder)
                for element in elements(of: value) {
                    expand(element, from: k + 1, lastHolder: element, holders: &holders, context: context, emit)
                }
                return
            }
            k += 1
        }
        emit(value, holders)
    }

    private func lookUp(_ key: String, in value: PayloadValue, caseInsensitive: Bool) -> PayloadValue? {
        guard case .object(let object) = value else { return nil }
        if let exact = object[key] { return exact }
        guard caseInsensitive else { return nil }
        let wanted = key.lowercased()
        // Several keys may differ only in case; take the smallest so the choice does not depend on key order.
        var best: (key: String, value: PayloadValue)?
        for (candidate, candidateValue) in object where candidate.lowercased() == wanted {
            if let current = best, current.key <= candidate { continue }
            best = (candidate, candidateValue)
        }
        return best?.value
    }

    private func element(_ n: Int, of value: PayloadValue) -> PayloadValue? {
        switch value {
        case .array(let items): return n < items.count ? items[n] : nil
        case .null: return nil
        default: return n == 0 ? value : nil
        }
    }

    private func elements(of value: PayloadValue) -> [PayloadValue] {
        switch value {
        case .array(let items): return items
        case .null: return []
        default: return [value]
        }
    }
}

extension PathExpression {
    /// The key of a path that is one key of the top-level object (`text`, `$.text`), else nil.
    var topLevelKey: String? {
        guard components.count == 1, case .key(let key) = components[0] else { return nil }
        switch anchor {
        case .current, .root: return key
        default: return nil
        }
    }
}
