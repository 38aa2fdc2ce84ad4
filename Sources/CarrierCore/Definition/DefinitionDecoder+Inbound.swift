extension DefinitionDecoder {
    func decodeInbound(_ node: YAMLNode) -> InboundRule? {
        guard
            let f = fields(
                node, "inbound",
                known: ["format", "caseInsensitiveKeys", "signature", "handshake", "reply", "events", "optOut"],
                required: ["format", "events"])
        else { return nil }
        var format = InboundRule.Format.form
        if let n = f["format"], let s = choice(n, "inbound.format", InboundRule.Format.allCases.map(\.rawValue)),
            let v = InboundRule.Format(rawValue: s)
        {
            format = v
        }
        var events: [EventRule] = []
        if let n = f["events"], let items = list(n, "inbound.events") {
            events = items.compactMap(decodeEventRule)
            if items.isEmpty { error("invalid-value", "inbound.events needs at least one rule", at: n) }
        }
        var rule = InboundRule(format: format, events: events, origin: origin(node))
        if let n = f["caseInsensitiveKeys"], let v = bool(n, "inbound.caseInsensitiveKeys") {
            rule.caseInsensitiveKeys = v
        }
        if let n = f["signature"] {
            // One rule, or a list of rules of which the request's headers pick one.
            if case .sequence(let items) = n.kind {
                if items.isEmpty { error("invalid-value", "inbound.signature needs at least one rule", at: n) }
                let rules = items.compactMap(decodeSignature)
                rule.signature = rules.first
                if rules.count > 1 { rule.otherSignatures = Array(rules.dropFirst()) }
                for (index, item) in rules.enumerated() where item.optional == true && rules.count > 1 {
                    // A request could otherwise pick an unconfigured optional rule with its headers and skip checks.
                    error("invalid-value", "'optional' is not allowed in a list of signature rules", at: items[index])
                }
                for (index, item) in rules.enumerated() where item.header == nil && index < rules.count - 1 {
                    error(
                        "invalid-value",
                        "in a list of signature rules every rule but the last needs a 'header' (it picks the rule)",
                        at: items[index])
                }
            } else {
                rule.signature = decodeSignature(n)
            }
        }
        rule.handshake = f["handshake"].flatMap(decodeHandshake)
        if let n = f["reply"] { rule.reply = decodeReply(n) }
        if let n = f["optOut"], let of = fields(n, "inbound.optOut", known: ["stop", "start"]) {
            if let s = of["stop"], let v = stringList(s, "inbound.optOut.stop") { rule.optOut.stop = v }
            if let s = of["start"], let v = stringList(s, "inbound.optOut.start") { rule.optOut.start = v }
        }
        return rule
    }

    private func decodeEventRule(_ node: YAMLNode) -> EventRule? {
        guard
            let f = fields(
                node, "an inbound event rule", known: ["type", "name", "each", "when", "fields"], required: ["type"]),
            let tn = f["type"], let t = choice(tn, "event type", EventRule.Kind.allCases.map(\.rawValue)),
            let kind = EventRule.Kind(rawValue: t)
        else { return nil }
        var rule = EventRule(type: kind, origin: origin(node))
        rule.name = f["name"].flatMap { string($0, "event name") }
        rule.each = f["each"].flatMap { path($0, "event each") }
        rule.when = f["when"].flatMap { condition($0, "event when") }
        let allowed = kind == .message ? EventRule.messageFields : kind == .status ? EventRule.statusFields : []
        if let n = f["fields"] {
            if kind == .ignore {
                error("invalid-value", "an 'ignore' rule takes no fields", at: n)
            }
            for (name, keyNode, value) in pairs(n, "event fields") {
                guard allowed.contains(name) else {
                    var message = "unknown field '\(name)' for a \(kind.rawValue) event"
                    if let guess = name.closest(in: allowed) { message += " (did you mean '\(guess)'?)" }
                    error("unknown-key", message, at: keyNode)
                    continue
                }
                if let e = extractor(value, "field '\(name)'", allowed: Self.fieldExtractorKeys) {
                    rule.fields[name] = e
                }
            }
        }
        switch kind {
        case .message:
            if !hasField(f, "from") { error("missing-key", "a message event needs field 'from'", at: startOf(node)) }
            let partFields = EventRule.messagePartFields.filter { hasField(f, $0) }
            if !partFields.isEmpty && partFields.count < EventRule.messagePartFields.count {
                let missing = EventRule.messagePartFields.filter { !partFields.contains($0) }
                error(
                    "missing-key",
                    "a message event that reads parts needs partReference, partTotal and partNumber (missing "
                        + missing.joined(separator: ", ") + ")", at: startOf(node))
            }
        case .status:
            if !hasField(f, "status") { error("missing-key", "a status event needs field 'status'", at: startOf(node)) }
            if !hasField(f, "providerMessageId"), !hasField(f, "reference") {
                error("missing-key", "a status event needs field 'providerMessageId' or 'reference'", at: startOf(node))
            }
        default:
            break
        }
        return rule
    }

    /// Whether the rule's `fields` mapping names `field` (even if its value had errors).
    private func hasField(_ f: Fields, _ field: String) -> Bool {
        guard let n = f["fields"], case .mapping(let pairs) = n.kind else { return false }
        return pairs.contains { $0.key.scalar == field }
    }

    private func decodeSignature(_ node: YAMLNode) -> SignatureRule? {
        let known = [
            "scheme", "header", "secret", "encoding", "prefix", "timestampHeader", "nonceHeader", "publicKey",
            "toleranceSeconds", "algorithm", "param", "optional",
        ]
        guard let f = fields(node, "inbound.signature", known: known, required: ["scheme"]),
            let sn = f["scheme"],
            let s = choice(sn, "inbound.signature.scheme", SignatureRule.Scheme.allCases.map(\.rawValue)),
            let scheme = SignatureRule.Scheme(rawValue: s)
        else { return nil }
        var rule = SignatureRule(scheme: scheme)
        rule.origin = origin(node)
        rule.header = f["header"].flatMap { string($0, "inbound.signature.header") }
        rule.secret = f["secret"].flatMap { template($0, "inbound.signature.secret", place: .inbound) }
        if let n = f["secret"], let t = rule.secret, t.isLiteral {
            warning(
                "inline-secret", "inbound.signature.secret is written inline; refer to a secret setting instead", at: n)
        }
        rule.publicKey = f["publicKey"].flatMap { template($0, "inbound.signature.publicKey", place: .inbound) }
        if let n = f["encoding"] { rule.encoding = term(n, "inbound.signature.encoding", SignatureEncoding.self) }
        rule.prefix = f["prefix"].flatMap { string($0, "inbound.signature.prefix") }
        rule.timestampHeader = f["timestampHeader"].flatMap { string($0, "inbound.signature.timestampHeader") }
        rule.nonceHeader = f["nonceHeader"].flatMap { string($0, "inbound.signature.nonceHeader") }
        rule.toleranceSeconds = f["toleranceSeconds"].flatMap { int($0, "inbound.signature.toleranceSeconds", min: 1) }
        if let n = f["algorithm"] {
            rule.algorithm = term(n, "inbound.signature.algorithm", VonageSignatureMethod.self)
        }
        rule.param = f["param"].flatMap { string($0, "inbound.signature.param") }
        if let n = f["optional"], let v = bool(n, "inbound.signature.optional"), v { rule.optional = true }
        let needs: [String]
        switch scheme {
        case .twilio, .signalwire, .hmacSHA1Body, .hmacSHA256Body, .hmacSHA512Body, .messagebirdJWT:
            needs = ["header", "secret"]
        case .ed25519: needs = ["header", "timestampHeader", "publicKey"]
        case .vonageSig, .basicAuth: needs = ["secret"]
        case .plivoV2, .plivoV3: needs = ["header", "nonceHeader", "secret"]
        case .bird: needs = ["header", "timestampHeader", "secret"]
        case .messagemedia: needs = ["header", "timestampHeader", "publicKey"]
        }
        for key in needs where !f.has(key) {
            error("missing-key", "signature scheme '\(scheme.rawValue)' needs key '\(key)'", at: startOf(node))
        }
        return rule
    }

    private func decodeHandshake(_ node: YAMLNode) -> HandshakeRule? {
        guard
            let f = fields(
                node, "inbound.handshake", known: ["when", "token", "expect", "reply"],
                required: ["when", "token", "expect", "reply"]),
            let when = f["when"].flatMap({ condition($0, "inbound.handshake.when") }),
            let token = f["token"].flatMap({ path($0, "inbound.handshake.token") }),
            let expect = f["expect"].flatMap({ template($0, "inbound.handshake.expect", place: .inbound) }),
            let reply = f["reply"].flatMap({ path($0, "inbound.handshake.reply") })
        else { return nil }
        return HandshakeRule(when: when, token: token, expect: expect, reply: reply, origin: origin(node))
    }

    private func decodeReply(_ node: YAMLNode) -> ReplyRule {
        var reply = ReplyRule()
        guard let f = fields(node, "inbound.reply", known: ["status", "contentType", "body"]) else { return reply }
        if let n = f["status"], let v = int(n, "inbound.reply.status") {
            if (100...599).contains(v) {
                reply.status = v
            } else {
                error("invalid-value", "inbound.reply.status must be an HTTP status", at: n)
            }
        }
        reply.contentType = f["contentType"].flatMap { string($0, "inbound.reply.contentType") }
        reply.body = f["body"].flatMap { template($0, "inbound.reply.body", place: .inbound) }
        return reply
    }

    func decodeStatuses(_ node: YAMLNode) -> StatusMap? {
        guard
            let f = fields(
                node, "statuses", known: ["map", "default", "caseInsensitive"], required: ["map", "default"])
        else { return nil }
        var map: [String: CanonicalStatus] = [:]
        if let n = f["map"] {
            for (key, _, value) in pairs(n, "statuses.map") {
                if let s = canonicalStatus(value) { map[key] = s }
            }
        }
        let fallback = f["default"].flatMap(canonicalStatus)
        var caseInsensitive = false
        if let n = f["caseInsensitive"], let v = bool(n, "statuses.caseInsensitive") { caseInsensitive = v }
        guard let fallback else { return nil }
        return StatusMap(map: map, default: fallback, caseInsensitive: caseInsensitive, origin: origin(node))
    }

    private func canonicalStatus(_ node: YAMLNode) -> CanonicalStatus? {
        guard let s = string(node, "a canonical status") else { return nil }
        guard let status = CanonicalStatus(rawValue: s) else {
            let names = CanonicalStatus.names
            var message = "unknown canonical status '\(s)'; use one of \(names.joined(separator: ", "))"
            if let guess = s.closest(in: names) { message += " (did you mean '\(guess)'?)" }
            error("unknown-status", message, at: node)
            return nil
        }
        return status
    }
}
