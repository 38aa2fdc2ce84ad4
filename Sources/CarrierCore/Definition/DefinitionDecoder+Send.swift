internal import Foundation

extension DefinitionDecoder {
    func decodeSend(_ node: YAMLNode) -> SendRule? {
        guard
            let f = fields(
                node, "send",
                known: ["method", "url", "headers", "format", "body", "template", "variants", "deduplicatesByReference"],
                required: ["url"])
        else { return nil }
        var method = "POST"
        if let n = f["method"], let m = choice(n, "send.method", ["GET", "POST", "PUT", "PATCH"]) { method = m }
        var format = SendRule.Format.form
        if let n = f["format"], let s = choice(n, "send.format", SendRule.Format.allCases.map(\.rawValue)),
            let v = SendRule.Format(rawValue: s)
        {
            format = v
        } else if f["format"] == nil {
            format = f.has("body") ? .form : f.has("template") ? .text : .none
        }
        var url: Template? = nil
        if let n = f["url"], let t = template(n, "send.url", place: .send) {
            checkURLTemplate(t, n)
            url = t
        }
        var headers: [SendRule.Header] = []
        if let n = f["headers"] {
            for (name, keyNode, value) in pairs(n, "send.headers") {
                if name.isEmpty || name.contains(where: { $0 == " " || $0 == ":" }) {
                    error("invalid-value", "header name '\(name)' is not a valid HTTP header name", at: keyNode)
                    continue
                }
                if let t = template(value, "header '\(name)'", place: .send) {
                    headers.append(SendRule.Header(name: name, value: t))
                }
            }
        }
        let body = decodeBody(f, format: format, context: "send", owner: node)
        var variants: [SendRule.Variant] = []
        if let n = f["variants"], let items = list(n, "send.variants") {
            for item in items {
                guard
                    let vf = fields(
                        item, "a send variant", known: ["when", "url", "body", "template"], required: ["when"])
                else { continue }
                let when = vf["when"].flatMap { variantCondition($0, "variant when") }
                var variantURL: Template?
                if let n = vf["url"], let t = template(n, "variant url", place: .send) {
                    checkURLTemplate(t, n)
                    variantURL = t
                }
                // A variant without a body keeps the one of `send` (it may change only the URL).
                let hasBody = vf.has("body") || vf.has("template")
                let variantBody = hasBody ? decodeBody(vf, format: format, context: "variant", owner: item) : nil
                if !hasBody && !vf.has("url") {
                    error("missing-key", "a send variant needs 'url', 'body' or 'template'", at: startOf(item))
                }
                if let when, !hasBody || variantBody != nil {
                    variants.append(
                        SendRule.Variant(
                            when: when, url: variantURL, body: variantBody, origin: origin(item)))
                }
            }
        }
        guard let url else { return nil }
        var rule = SendRule(
            method: method, url: url, headers: headers, format: format, body: body, variants: variants,
            origin: origin(node))
        if let n = f["deduplicatesByReference"], let v = bool(n, "send.deduplicatesByReference"), v {
            rule.deduplicatesByReference = true
        }
        return rule
    }

    /// A variant's `when`: an expression, `{value, equals|in}`, or a non-empty `all:` / `any:` list of conditions.
    ///
    /// A mapping holds one form only: `all` or `any` next to each other or next to `value` is an error (the plain
    /// condition belongs inside the list), so what a mapping means never depends on an unwritten precedence.
    func variantCondition(_ node: YAMLNode, _ what: String) -> VariantCondition? {
        guard case .mapping = node.kind else {
            return expression(node, what, place: .send).map(VariantCondition.holds)
        }
        guard let f = fields(node, what, known: ["all", "any", "value", "equals", "in"]) else { return nil }
        let forms = f.order.filter { $0 == "all" || $0 == "any" || $0 == "value" }
        if forms.count > 1 {
            let second = forms[1]
            error(
                "invalid-value",
                "\(what) mixes '\(forms[0])' and '\(second)' in one mapping; put each condition in its own item of an "
                    + "'all' or 'any' list", at: f.keyNode(second) ?? node)
            return nil
        }
        for list in ["all", "any"] {
            guard let n = f[list] else { continue }
            for stray in ["equals", "in"] where f.has(stray) {
                error(
                    "invalid-value", "\(what).\(list) cannot take '\(stray)'; '\(stray)' goes with 'value'",
                    at: f.keyNode(stray) ?? node)
                return nil
            }
            guard let items = self.list(n, "\(what).\(list)") else { return nil }
            if items.isEmpty {
                error("invalid-value", "\(what).\(list) needs at least one condition", at: n)
                return nil
            }
            let conditions = items.compactMap { variantCondition($0, "\(what).\(list) item") }
            guard conditions.count == items.count else { return nil }
            return list == "all" ? .all(conditions) : .any(conditions)
        }
        guard let vn = f["value"] else {
            error("missing-key", "\(what) needs 'all', 'any', or 'value' with 'equals' or 'in'", at: startOf(node))
            return nil
        }
        if f.has("equals") && f.has("in") {
            error("invalid-value", "\(what) takes 'equals' or 'in', not both", at: f.keyNode("in") ?? node)
            return nil
        }
        var value = expression(vn, "\(what).value", place: .send)
        if value?.negated == true {
            error("invalid-value", "\(what).value cannot be negated with '!'; compare with 'equals' or 'in'", at: vn)
            value = nil
        }
        if let n = f["equals"] {
            guard let v = string(n, "\(what).equals"), let value else { return nil }
            return .equals(value, [v])
        }
        if let n = f["in"] {
            guard let values = stringList(n, "\(what).in"), let value else { return nil }
            if values.isEmpty {
                error("invalid-value", "\(what).in needs at least one value", at: n)
                return nil
            }
            return .equals(value, values)
        }
        error("missing-key", "\(what).value needs 'equals' or 'in'", at: startOf(node))
        return nil
    }

    /// Reports `bad-url` when the URL template cannot give an http(s) URL.
    func checkURLTemplate(_ t: Template, _ node: YAMLNode) {
        var sample = ""
        for part in t.parts {
            switch part {
            case .text(let s): sample += s
            case .expression(let e):
                if e.variable.first == "settings", e.variable.count == 2, settingKinds[e.variable[1]] == .url {
                    sample += "https://example.com"
                } else {
                    sample += "x"
                }
            }
        }
        if !isHTTPURL(sample) {
            error(
                "bad-url",
                "send.url must give an http(s) URL (start with https:// or a url setting); found '\(t.source)'",
                at: node)
        }
    }

    /// The `body` or `template` of `send` or of a variant.
    func decodeBody(_ f: Fields, format: SendRule.Format, context: String, owner: YAMLNode) -> BodyTemplate? {
        if let b = f["body"], let t = f["template"] {
            _ = b
            error("invalid-value", "\(context) has both 'body' and 'template'; use one", at: f.keyNode("template") ?? t)
            return nil
        }
        if let b = f["body"] {
            switch format {
            case .form, .query, .json:
                guard case .mapping = b.kind else {
                    error(
                        "wrong-type", "\(context).body must be a mapping of fields, found \(b.kindDescription)", at: b)
                    return nil
                }
                rawBytesAllowed = format != .json
                defer { rawBytesAllowed = false }
                return bodyNode(b, json: format == .json, inEach: false).map(BodyTemplate.fields)
            case .xml, .text, .none:
                error(
                    "invalid-value", "format '\(format.rawValue)' takes a text 'template', not a structured 'body'",
                    at: f.keyNode("body") ?? b)
                return nil
            }
        }
        if let n = f["template"] {
            switch format {
            case .json, .xml, .text:
                rawBytesAllowed = format == .text
                defer { rawBytesAllowed = false }
                guard let t = template(n, "\(context).template", place: .send) else { return nil }
                if format == .json { checkJSONTemplate(t, n) }
                return .text(t)
            case .form, .query, .none:
                error(
                    "invalid-value", "format '\(format.rawValue)' takes a structured 'body', not a text 'template'",
                    at: f.keyNode("template") ?? n)
                return nil
            }
        }
        if format != .none, format != .query {
            error(
                "missing-key", "\(context) with format '\(format.rawValue)' needs a 'body' or a 'template'",
                at: startOf(owner))
        }
        return nil
    }

    private func bodyNode(_ node: YAMLNode, json: Bool, inEach: Bool) -> BodyNode? {
        switch node.kind {
        case .mapping(let pairs):
            if pairs.contains(where: { $0.key.scalar == "$each" }) {
                guard json else {
                    error("invalid-value", "$each builds a JSON list; it is only allowed in json bodies", at: node)
                    return nil
                }
                guard let f = fields(node, "a $each block", known: ["$each", "$item"], required: ["$each", "$item"]),
                    let sourceNode = f["$each"], let itemNode = f["$item"],
                    let source = expression(sourceNode, "$each", place: .send, inEach: inEach)
                else { return nil }
                let outer = inMediaEach
                inMediaEach = source.variable == ["message", "media"] && source.filters.isEmpty
                defer { inMediaEach = outer }
                guard let item = bodyNode(itemNode, json: json, inEach: true) else { return nil }
                return .each(source: source, item: item)
            }
            var result: [BodyNode.Field] = []
            var failed = false
            for pair in pairs {
                guard var key = pair.key.scalar else {
                    error("wrong-type", "body keys must be strings", at: pair.key)
                    failed = true
                    continue
                }
                var optional = false
                if key.hasSuffix("?") {
                    optional = true
                    key.removeLast()
                }
                if !json, case .scalar = pair.value.kind {
                } else if !json {
                    error(
                        "wrong-type",
                        "form and query fields must be strings or templates, found \(pair.value.kindDescription)",
                        at: pair.value)
                    failed = true
                    continue
                }
                guard let value = bodyNode(pair.value, json: json, inEach: inEach) else {
                    failed = true
                    continue
                }
                result.append(BodyNode.Field(key: key, optional: optional, value: value))
            }
            return failed ? nil : .object(result)
        case .sequence(let items):
            let nodes = items.compactMap { bodyNode($0, json: json, inEach: inEach) }
            return nodes.count == items.count ? .array(nodes) : nil
        case .scalar(let s, let style):
            if json, style == .plain, node.tag == nil, let literal = jsonLiteral(s, isNull: node.isNull) {
                return .literal(literal)
            }
            return template(node, "a body value", place: .send, inEach: inEach).map(BodyNode.template)
        }
    }

    /// The JSON text of a plain YAML scalar that YAML reads as a number, boolean or null.
    private func jsonLiteral(_ s: String, isNull: Bool) -> String? {
        if isNull { return "null" }
        switch s {
        case "true", "True", "TRUE": return "true"
        case "false", "False", "FALSE": return "false"
        default: break
        }
        if Int(s) != nil { return s }
        if s.range(of: "^-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?$", options: .regularExpression) != nil { return s }
        return nil
    }

    /// Renders a JSON text template with sample values and reports `bad-json-template` if the result is not JSON.
    private func checkJSONTemplate(_ t: Template, _ node: YAMLNode) {
        var sample = ""
        for part in t.parts {
            switch part {
            case .text(let s): sample += s
            case .expression(let e): sample += Self.sampleJSON(for: e)
            }
        }
        do {
            _ = try JSONSerialization.jsonObject(with: Data(sample.utf8), options: [.fragmentsAllowed])
        } catch {
            self.error(
                "bad-json-template",
                "send template does not give valid JSON once values are filled in (values are quoted for you: write {{ message.to }}, not \"{{ message.to }}\")",
                at: node)
        }
    }

    /// A JSON value shaped like what `e` renders to.
    static func sampleJSON(for e: TemplateExpression) -> String {
        let numericVariables: Set<String> = ["message.validity", "segments.count"]
        let listVariables: Set<String> = ["message.media", "message.tags", "message.template.variables"]
        var kind = numericVariables.contains(e.variable.joined(separator: ".")) ? "number" : "string"
        if listVariables.contains(e.variable.joined(separator: ".")) { kind = "list" }
        for f in e.filters {
            switch f.name {
            case "count", "epoch": kind = "number"
            case "join", "first", "url", "xml", "base64", "upper", "lower", "trim", "digits", "prefix", "truncate",
                "hex_ucs2":
                kind = "string"
            case "json": kind = "string"
            default: break
            }
        }
        switch kind {
        case "number": return "1"
        case "list": return "[\"x\"]"
        default: return "\"x\""
        }
    }
}
