extension DefinitionDecoder {
    func decodeResponse(_ node: YAMLNode) -> ResponseRule {
        var rule = ResponseRule()
        let known = [
            "format", "success", "messageId", "status", "errorCode", "errorMessage", "retry", "retryAfterHeader",
        ]
        guard let f = fields(node, "response", known: known) else { return rule }
        rule.origin = origin(node)
        if let n = f["format"], let s = choice(n, "response.format", ResponseRule.Format.allCases.map(\.rawValue)),
            let v = ResponseRule.Format(rawValue: s)
        {
            rule.format = v
        }
        if let n = f["success"], let sf = fields(n, "response.success", known: ["status", "when"]) {
            if let s = sf["status"], let codes = statusPatterns(s, "response.success.status") {
                rule.successStatus = codes
            }
            rule.successWhen = sf["when"].flatMap { condition($0, "response.success.when") }
            if let n = sf["when"], rule.format == .text, rule.successWhen?.readsPaths == true {
                error(
                    "bad-path",
                    "response.success.when reads a path, but a text response has no fields; use bodyPrefix or "
                        + "bodyMatches", at: n)
            }
        }
        rule.messageId = f["messageId"].flatMap {
            extractor($0, "response.messageId", allowed: Self.plainExtractorKeys)
        }
        rule.status = f["status"].flatMap { extractor($0, "response.status", allowed: Self.plainExtractorKeys) }
        rule.errorCode = f["errorCode"].flatMap {
            extractor($0, "response.errorCode", allowed: Self.plainExtractorKeys)
        }
        rule.errorMessage = f["errorMessage"].flatMap {
            extractor($0, "response.errorMessage", allowed: Self.plainExtractorKeys)
        }
        if let n = f["retry"], let rf = fields(n, "response.retry", known: ["status", "codes"]) {
            if let s = rf["status"], let codes = statusPatterns(s, "response.retry.status") { rule.retryStatus = codes }
            if let c = rf["codes"], let codes = stringList(c, "response.retry.codes") { rule.retryCodes = codes }
        }
        if let n = f["retryAfterHeader"], let s = string(n, "response.retryAfterHeader") { rule.retryAfterHeader = s }
        return rule
    }

    /// A list of HTTP status codes (`201`) and classes (`2xx`).
    private func statusPatterns(_ node: YAMLNode, _ what: String) -> [String]? {
        guard let items = list(node, what) else { return nil }
        var result: [String] = []
        for item in items {
            guard let s = string(item, "each item of \(what)") else { continue }
            let isCode = Int(s).map { (100...599).contains($0) } ?? false
            let isClass = s.count == 3 && s.hasSuffix("xx") && ("1"..."5").contains(s.prefix(1))
            if isCode || isClass {
                result.append(s)
            } else {
                error(
                    "invalid-value", "\(what) items are HTTP status codes (201) or classes (2xx); found '\(s)'",
                    at: item)
            }
        }
        return result
    }

    static let plainExtractorKeys = ["path", "paths", "value", "regex", "default", "stripPrefix"]
    static let fieldExtractorKeys =
        plainExtractorKeys + ["format", "zone", "encoding", "numbered", "count", "compose"]

    /// A value extractor: a path string, or a mapping of the keys in `allowed`.
    func extractor(_ node: YAMLNode, _ what: String, allowed: [String]) -> ValueExtractor? {
        if case .scalar = node.kind {
            return path(node, what).map { ValueExtractor(paths: [$0]) }
        }
        guard let f = fields(node, what, known: allowed) else { return nil }
        var e = ValueExtractor()
        if let n = f["path"], let p = path(n, "\(what).path") { e.paths = [p] }
        if let n = f["paths"], let items = list(n, "\(what).paths") {
            e.paths += items.compactMap { path($0, "\(what).paths") }
        }
        e.value = f["value"].flatMap { string($0, "\(what).value") }
        if let n = f["compose"], let text = string(n, "\(what).compose") {
            do {
                e.compose = try ComposedValue(parsing: text)
            } catch {
                self.error(
                    "bad-path", "bad value '\(text)' in \(what).compose: \(error.message)",
                    at: rangeInside(n, offset: error.offset))
            }
        }
        e.regex = f["regex"].flatMap { regex($0, "\(what).regex") }
        e.default = f["default"].flatMap { string($0, "\(what).default") }
        e.stripPrefix = f["stripPrefix"].flatMap { string($0, "\(what).stripPrefix") }
        if let n = f["format"], let s = string(n, "\(what).format") {
            do {
                e.format = try TimestampFormat.parse(s)
            } catch {
                self.error(
                    error.code, "\(what).format: \(error.message)", at: rangeInside(n, offset: error.offset ?? 0))
            }
        }
        if let n = f["zone"], let s = string(n, "\(what).zone") {
            do {
                e.zone = try TimestampZone.parse(s)
            } catch {
                self.error(error.code, "\(what).zone: \(error.message)", at: n)
            }
            if !f.has("format") {
                error("invalid-value", "\(what).zone applies to timestamps: it needs 'format'", at: n)
            }
        }
        if let n = f["encoding"] {
            if case .mapping = n.kind {
                if let ef = fields(n, "\(what).encoding", known: ["path", "map"], required: ["path", "map"]),
                    let pn = ef["path"], let p = path(pn, "\(what).encoding.path"), let mn = ef["map"]
                {
                    var map: [String: TextEncoding] = [:]
                    for (k, _, v) in pairs(mn, "\(what).encoding.map") {
                        if let enc = term(v, "an encoding", TextEncoding.self) { map[k] = enc }
                    }
                    e.encodingFrom = ValueExtractor.EncodingSelector(path: p, map: map)
                }
            } else {
                e.encoding = term(n, "\(what).encoding", TextEncoding.self)
            }
        }
        e.numbered = f["numbered"].flatMap { string($0, "\(what).numbered") }
        if let n = f["numbered"], let s = e.numbered, !s.contains("{n}") {
            error("invalid-value", "\(what).numbered must contain {n}, e.g. MediaUrl{n}", at: n)
        }
        e.count = f["count"].flatMap { path($0, "\(what).count") }
        if !["path", "paths", "value", "regex", "numbered", "compose"].contains(where: f.has) {
            error(
                "missing-key", "\(what) needs 'path', 'paths', 'value', 'compose', 'regex' or 'numbered'",
                at: startOf(node))
        }
        return e
    }

    /// `{ path, equals | in | matches | exists }`, `{ bodyPrefix }`, `{ bodyMatches }`, `{ all: [...] }`,
    /// `{ any: [...] }`, `{ not: ... }`.
    func condition(_ node: YAMLNode, _ what: String) -> Condition? {
        let known = ["path", "equals", "in", "matches", "exists", "bodyPrefix", "bodyMatches", "all", "any", "not"]
        guard let f = fields(node, what, known: known) else { return nil }
        if let n = f["all"] ?? f["any"] {
            guard let items = list(n, what) else { return nil }
            let conditions = items.compactMap { condition($0, what) }
            guard conditions.count == items.count else { return nil }
            return f.has("all") ? .all(conditions) : .any(conditions)
        }
        if let n = f["not"] { return condition(n, what).map(Condition.not) }
        if let n = f["bodyPrefix"] { return string(n, "\(what).bodyPrefix").map(Condition.bodyPrefix) }
        if let n = f["bodyMatches"] { return regex(n, "\(what).bodyMatches").map(Condition.bodyMatches) }
        guard let pn = f["path"] else {
            error(
                "missing-key",
                "\(what) needs 'path' (with equals, in, matches or exists), bodyPrefix, bodyMatches, or all/any/not",
                at: startOf(node))
            return nil
        }
        guard let p = path(pn, "\(what).path") else { return nil }
        if p.components.isEmpty {
            error(
                "bad-path",
                "\(what).path '\(p.text)' names no value inside the body, so the condition never holds; use "
                    + "bodyPrefix or bodyMatches to test the raw body", at: pn)
            return nil
        }
        if let n = f["equals"] { return string(n, "\(what).equals").map { .equals(p, $0) } }
        if let n = f["in"] { return stringList(n, "\(what).in").map { .oneOf(p, $0) } }
        if let n = f["matches"] { return regex(n, "\(what).matches").map { .matches(p, $0) } }
        if let n = f["exists"] { return bool(n, "\(what).exists").map { .exists(p, $0) } }
        error("missing-key", "\(what) needs one of equals, in, matches or exists", at: startOf(node))
        return nil
    }
}
