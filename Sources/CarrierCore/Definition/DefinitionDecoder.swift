internal import Foundation

/// Walks a definition's YAML tree into an ``Adapter``, collecting every problem with its position.
///
/// Decoding and validation happen in one walk because only the walk knows where each value came from.
/// It never stops at the first problem: a missing or bad value is reported and decoding goes on with a
/// placeholder, so one run shows everything. The caller discards the adapter when any error was found.
final class DefinitionDecoder {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Declared setting names, known before any template is checked.
    var settingNames: Set<String> = []
    var settingKinds: [String: SettingSpec.Kind] = [:]
    /// True while decoding the `$item` of a `$each: message.media`, where `item.url`, `item.filename`, ... exist.
    var inMediaEach = false
    /// True while decoding form and query body values and `format: text` templates: the places that carry the raw
    /// bytes of the `utf16be` filter.
    var rawBytesAllowed = false

    init(file: String) {
        self.file = file
    }

    // MARK: - Reporting

    func error(_ code: String, _ message: String, at node: YAMLNode, notes: [Diagnostic.Note] = []) {
        diagnostics.append(.error(code, message, at: node.range, notes: notes))
    }

    func error(_ code: String, _ message: String, at range: SourceRange) {
        diagnostics.append(.error(code, message, at: range))
    }

    func warning(_ code: String, _ message: String, at node: YAMLNode) {
        diagnostics.append(.warning(code, message, at: node.range))
    }

    // MARK: - Mappings

    /// The fields of a mapping, checked against the keys `context` allows.
    ///
    /// Reports `wrong-type` when `node` is not a mapping, `unknown-key` (with a suggestion) for keys not in
    /// `known`, and `missing-key` for each of `required` that is absent. Returns nil only when `node` is not a mapping.
    func fields(_ node: YAMLNode, _ context: String, known: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let pairs) = node.kind else {
            error("wrong-type", "\(context) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        var values: [String: YAMLNode.Pair] = [:]
        var order: [String] = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error("wrong-type", "keys in \(context) must be strings", at: pair.key)
                continue
            }
            if known.contains(key) {
                values[key] = pair
                order.append(key)
            } else {
                var message = "unknown key '\(key)' in \(context)"
                if let guess = key.closest(in: known) { message += " (did you mean '\(guess)'?)" }
                error("unknown-key", message, at: pair.key)
            }
        }
        for key in required where values[key] == nil {
            error("missing-key", "missing required key '\(key)' in \(context)", at: startOf(node))
        }
        return Fields(node: node, pairs: values, order: order)
    }

    /// A zero-width range at the start of `node`.
    func startOf(_ node: YAMLNode) -> SourceRange {
        SourceRange(file: file, start: node.range.start, end: node.range.start)
    }

    /// Key/value pairs of a mapping whose keys are free-form (settings, headers, status maps).
    func pairs(_ node: YAMLNode, _ context: String) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let pairs) = node.kind else {
            error("wrong-type", "\(context) must be a mapping, found \(node.kindDescription)", at: node)
            return []
        }
        return pairs.compactMap { pair in
            guard let key = pair.key.scalar else {
                error("wrong-type", "keys in \(context) must be strings", at: pair.key)
                return nil
            }
            return (key, pair.key, pair.value)
        }
    }

    // MARK: - Scalars

    func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let s, _) = node.kind, !node.isNull else {
            error("wrong-type", "\(what) must be a string, found \(node.kindDescription)", at: node)
            return nil
        }
        return s
    }

    func int(_ node: YAMLNode, _ what: String, min: Int = Int.min) -> Int? {
        guard case .scalar(let s, let style) = node.kind, style == .plain, let n = Int(s) else {
            error("wrong-type", "\(what) must be an integer, found \(describe(node))", at: node)
            return nil
        }
        if n < min {
            error("invalid-value", "\(what) must be at least \(min), found \(n)", at: node)
            return nil
        }
        return n
    }

    func double(_ node: YAMLNode, _ what: String) -> Double? {
        guard case .scalar(let s, let style) = node.kind, style == .plain, let n = Double(s), n > 0 else {
            error("wrong-type", "\(what) must be a positive number, found \(describe(node))", at: node)
            return nil
        }
        return n
    }

    func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if case .scalar(let s, .plain) = node.kind {
            switch s {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        error("wrong-type", "\(what) must be true or false, found \(describe(node))", at: node)
        return nil
    }

    /// A scalar that must be one of `allowed`.
    func choice(_ node: YAMLNode, _ what: String, _ allowed: [String]) -> String? {
        guard let s = string(node, what) else { return nil }
        guard allowed.contains(s) else {
            var message = "\(what) must be one of \(allowed.joined(separator: ", ")); found '\(s)'"
            if let guess = s.closest(in: allowed) { message += " (did you mean '\(guess)'?)" }
            error("invalid-value", message, at: node)
            return nil
        }
        return s
    }

    /// A scalar that must name a term of `vocabulary`.
    func term<T: VocabularyTerm>(_ node: YAMLNode, _ what: String, _ vocabulary: T.Type) -> T? {
        choice(node, what, T.names).flatMap(T.init(rawValue:))
    }

    func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        guard case .sequence(let items) = node.kind else {
            error("wrong-type", "\(what) must be a list, found \(node.kindDescription)", at: node)
            return nil
        }
        return items
    }

    func stringList(_ node: YAMLNode, _ what: String) -> [String]? {
        guard let items = list(node, what) else { return nil }
        return items.compactMap { string($0, "each item of \(what)") }
    }

    /// Text of a scalar for messages: `'abc'`, or "a mapping".
    func describe(_ node: YAMLNode) -> String {
        if let s = node.scalar, !node.isNull { return "'\(s)'" }
        return node.kindDescription
    }

    // MARK: - Paths and regexes

    func path(_ node: YAMLNode, _ what: String) -> PathExpression? {
        guard let text = string(node, what) else { return nil }
        do {
            return try PathExpression.parse(text)
        } catch {
            self.error(
                "bad-path", "bad path '\(text)' in \(what): \(error.message)",
                at: rangeInside(node, offset: error.offset))
            return nil
        }
    }

    func regex(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        do {
            _ = try NSRegularExpression(pattern: text)
        } catch {
            self.error("bad-regex", "bad regular expression '\(text)' in \(what)", at: node)
            return nil
        }
        return text
    }

    /// A position `offset` scalars into a scalar's text, as close as the scalar's style allows.
    func rangeInside(_ node: YAMLNode, offset: Int) -> SourceRange {
        guard case .scalar(_, let style) = node.kind, node.range.start.line == node.range.end.line else {
            return startOf(node)
        }
        let quote = (style == .singleQuoted || style == .doubleQuoted) ? 1 : 0
        let p = TextPosition(line: node.range.start.line, column: node.range.start.column + quote + offset)
        return SourceRange(file: file, start: p, end: TextPosition(line: p.line, column: p.column + 1))
    }
}

/// The recognised keys of one mapping.
struct Fields {
    let node: YAMLNode
    let pairs: [String: YAMLNode.Pair]
    /// Keys in source order.
    let order: [String]

    subscript(_ key: String) -> YAMLNode? { pairs[key]?.value }

    func keyNode(_ key: String) -> YAMLNode? { pairs[key]?.key }

    func has(_ key: String) -> Bool { pairs[key] != nil }
}
