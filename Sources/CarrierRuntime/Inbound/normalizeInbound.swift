public import CarrierCore
public import Foundation

/// Turns one webhook request into canonical events and the reply the carrier expects. Pure apart from `now`.
///
/// Steps: size and content-type checks, body parsing (form and query parameters, JSON or XML), signature
/// verification, then the definition's event rules in order. A rule with `each` contributes one event per
/// matching item and the search goes on; a rule without `each` that matches contributes its event (or, for
/// `ignore`, acknowledges the request) and ends the search. Nothing matched is `no-matching-rule`.
///
/// - Parameters:
///   - settings: the channel's resolved setting values (secrets already read).
///   - publicURL: the full URL the carrier called, as it signed it (scheme, host, path and query).
public func normalizeInbound(
    _ request: HTTPRequest, adapter: Adapter, settings: [String: String], publicURL: String, now: Date = Date()
) throws(InboundError) -> InboundResult {
    guard let rule = adapter.inbound else {
        throw InboundError(
            code: "no-inbound", message: "carrier '\(adapter.id)' defines no inbound webhooks", httpStatus: 404)
    }
    if let handshake = rule.handshake, let answer = try answerHandshake(handshake, request: request, settings: settings)
    {
        return answer
    }
    let (root, formPairs) = try parseInboundBody(request, rule: rule)
    // Only signatures and reply bodies read settings; most webhooks need no template context at all.
    func templateContext() -> TemplateContext {
        TemplateContext(message: nil, settings: settings.mapValues { .string($0) }, carrierId: adapter.id)
    }
    if let signature = chooseSignature(rule, request),
        !(signature.optional == true && !signatureConfigured(signature, settings))
    {
        try verifySignature(
            signature, request: request, formPairs: formPairs, publicURL: publicURL,
            context: templateContext(), now: now)
    }
    var context = PayloadContext(root: root, caseInsensitiveKeys: rule.caseInsensitiveKeys)
    if rule.readsWireBytes, formLike(request, rule) {
        context.wireBytes = wireBytes(of: request)
    }
    // The body as text is only read by a `regex` with no path; decoding it for every webhook cost ~5%.
    let readsRawBody = rule.events.contains {
        $0.fields.values.contains { $0.paths.isEmpty && $0.regex != nil } || $0.when?.readsBody == true
    }
    let rawBody = readsRawBody ? String(decoding: request.body, as: UTF8.self) : ""
    if readsRawBody { context.rawBody = rawBody }
    var events: [NormalizedEvent] = []
    var ignored = false
    rules: for eventRule in rule.events {
        let items: [PayloadContext]
        if let each = eventRule.each {
            items =
                eventRule.usesAncestors
                ? each.eachItems(in: context)
                : each.select(in: context).map {
                    PayloadContext(root: root, item: $0, ancestors: [], caseInsensitiveKeys: rule.caseInsensitiveKeys)
                }
        } else {
            items = [context]
        }
        for item in items where eventRule.when?.holds(in: item) ?? true {
            switch eventRule.type {
            case .ignore:
                ignored = true
            case .message:
                events.append(
                    .received(try messageEvent(eventRule, item, adapter: adapter, optOut: rule.optOut, raw: rawBody)))
            case .status:
                events.append(.status(try statusEvent(eventRule, item, adapter: adapter, raw: rawBody)))
            }
            if eventRule.each == nil { break rules }
        }
    }
    if events.isEmpty && !ignored {
        throw InboundError(
            code: "no-matching-rule", message: "no inbound rule of '\(adapter.id)' matches this request",
            httpStatus: 422,
            origin: rule.origin)
    }
    return InboundResult(
        events: events, ignored: events.isEmpty && ignored,
        reply: try reply(rule.reply, rule.reply.body?.isLiteral ?? true ? nil : templateContext()))
}

/// Answers a subscription check (Meta's `hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`), or returns
/// nil when the request is not one. A wrong or missing token is `bad-verify-token` (403).
private func answerHandshake(
    _ rule: HandshakeRule, request: HTTPRequest, settings: [String: String]
) throws(InboundError) -> InboundResult? {
    guard let q = request.url.firstIndex(of: "?"),
        let pairs = try? parseFormPairs(Array(request.url[request.url.index(after: q)...].utf8))
    else { return nil }
    let query = PayloadContext(root: .object(pairs.groupedPayload()))
    guard rule.when.holds(in: query) else { return nil }
    let context = TemplateContext(message: nil, settings: settings.mapValues { .string($0) }, carrierId: "")
    let expected = (try? render(rule.expect, in: context)) ?? ""
    let given = rule.token.first(in: query)?.text ?? ""
    guard !expected.isEmpty, constantTimeEquals(Array(given.utf8), Array(expected.utf8)) else {
        throw InboundError(
            code: "bad-verify-token", message: "the subscription check's token does not match", httpStatus: 403,
            origin: rule.origin)
    }
    let challenge = rule.reply.first(in: query)?.text ?? ""
    return InboundResult(
        events: [], ignored: true,
        reply: HTTPResponse(
            status: 200, headers: [HTTPHeader("Content-Type", "text/plain")], body: Array(challenge.utf8)))
}

/// Whether webhooks for a channel with these (resolved) settings are checked by a signature: the definition has one,
/// and it is not optional or its secret has a value. Channels whose webhooks are not need a token in their URL.
public func webhooksAreSigned(adapter: Adapter, settings: [String: String]) -> Bool {
    guard let signature = adapter.inbound?.signature else { return false }
    return signature.optional != true || signatureConfigured(signature, settings)
}

/// Whether the secret (or public key) of an optional signature has a value in the channel's settings.
private func signatureConfigured(_ rule: SignatureRule, _ settings: [String: String]) -> Bool {
    let template = rule.secret ?? rule.publicKey
    guard let template else { return false }
    let context = TemplateContext(message: nil, settings: settings.mapValues { .string($0) }, carrierId: "")
    return !((try? render(template, in: context)) ?? "").isEmpty
}

extension InboundRule {
    /// Whether a field decodes bytes (`percent-latin1`, `gsm7`, ...), which in form bodies are read as sent.
    var readsWireBytes: Bool {
        events.contains { rule in
            rule.fields.values.contains { e in
                e.encoding?.readsBytes == true || e.encodingFrom?.map.values.contains(where: \.readsBytes) == true
            }
        }
    }
}

/// Whether the request's parameters are a form or a query string (not JSON or XML).
private func formLike(_ request: HTTPRequest, _ rule: InboundRule) -> Bool {
    switch rule.format {
    case .form, .query: return true
    case .json, .xml: return false
    case .auto:
        let contentType = request.headers.first(named: "Content-Type") ?? ""
        return !contentType.containsIgnoringASCIICase("json") && !contentType.containsIgnoringASCIICase("xml")
    }
}

/// The query's and the form body's values as bytes, the body's winning as in the parsed payload.
private func wireBytes(of request: HTTPRequest) -> [String: [UInt8]] {
    var values: [String: [UInt8]] = [:]
    if let q = request.url.firstIndex(of: "?") {
        values = (try? parseFormWireBytes(Array(request.url[request.url.index(after: q)...].utf8))) ?? [:]
    }
    let contentType = request.headers.first(named: "Content-Type") ?? ""
    if !request.body.isEmpty, !contentType.containsIgnoringASCIICase("json"),
        let body = try? parseFormWireBytes(request.body)
    {
        values.merge(body) { _, new in new }
    }
    return values
}

/// The largest webhook body accepted.
let maxInboundBodyBytes = 1 << 20

private func parseInboundBody(
    _ request: HTTPRequest, rule: InboundRule
) throws(InboundError) -> (PayloadValue, [(String, String)]) {
    guard request.body.count <= maxInboundBodyBytes else {
        throw InboundError(
            code: "body-too-large", message: "webhook body is larger than \(maxInboundBodyBytes) bytes", httpStatus: 413
        )
    }
    let contentType = request.headers.first(named: "Content-Type") ?? ""
    let query: [(String, String)]
    if let q = request.url.firstIndex(of: "?") {
        query = (try? parseFormPairs(Array(request.url[request.url.index(after: q)...].utf8))) ?? []
    } else {
        query = []
    }
    var format = rule.format
    if format == .auto {
        format =
            contentType.containsIgnoringASCIICase("json")
            ? .json
            : contentType.containsIgnoringASCIICase("xml") ? .xml : .form
    }
    do {
        switch format {
        case .query:
            return (.object(query.groupedPayload()), query)
        case .form:
            if contentType.containsIgnoringASCIICase("json") || contentType.containsIgnoringASCIICase("xml") {
                throw InboundError(
                    code: "wrong-content-type", message: "expected a form body, got Content-Type \(contentType)",
                    httpStatus: 415)
            }
            let body = try parseFormPairs(request.body)
            guard !query.isEmpty else { return (.object(body.groupedPayload()), body) }
            var object = query.groupedPayload()
            for (k, v) in body.groupedPayload() { object[k] = v }
            return (.object(object), body)
        case .json:
            if contentType.containsIgnoringASCIICase("x-www-form-urlencoded")
                || contentType.containsIgnoringASCIICase("xml")
            {
                throw InboundError(
                    code: "wrong-content-type", message: "expected a JSON body, got Content-Type \(contentType)",
                    httpStatus: 415)
            }
            return (try parseJSON(request.body), query)
        case .auto:
            throw InboundError(code: "bad-payload", message: "no inbound format chosen", httpStatus: 400)
        case .xml:
            if contentType.containsIgnoringASCIICase("json")
                || contentType.containsIgnoringASCIICase("x-www-form-urlencoded")
            {
                throw InboundError(
                    code: "wrong-content-type", message: "expected an XML body, got Content-Type \(contentType)",
                    httpStatus: 415)
            }
            return (try parseXML(request.body), query)
        }
    } catch let error as InboundError {
        throw error
    } catch let error as PayloadError {
        throw InboundError(
            code: error.code, message: error.message, httpStatus: error.code == "body-too-large" ? 413 : 400)
    } catch {
        throw InboundError(code: "bad-payload", message: "\(error)", httpStatus: 400)
    }
}

private func messageEvent(
    _ rule: EventRule, _ item: PayloadContext, adapter: Adapter, optOut: OptOutRule, raw: String
) throws(InboundError) -> NormalizedEvent.MessageReceived {
    let fields = try FieldReader(rule: rule, item: item, raw: raw)
    guard let from = try fields.string("from"), !from.isEmpty else {
        throw InboundError(
            code: "missing-field", message: "message has no 'from' value", httpStatus: 422, origin: rule.origin)
    }
    let text = try fields.string("text")
    let to = try fields.string("to").map { PhoneAddress.normalize($0, rule: adapter.addresses) }
    return NormalizedEvent.MessageReceived(
        carrier: adapter.id, from: PhoneAddress.normalize(from, rule: adapter.addresses), to: to, text: text,
        media: rule.fields["media"]?.list(in: item) ?? [], providerMessageId: try fields.string("providerMessageId"),
        timestamp: try fields.string("timestamp"), optOut: optOutKeyword(text, optOut),
        part: try messagePart(fields))
}

/// The part of a long message this event is, when the rule reads parts and the values make one (a reference, at
/// least two parts, a number within them); otherwise nil and the event is a whole message, so nothing is dropped
/// for a malformed part header.
private func messagePart(_ fields: FieldReader) throws(InboundError) -> (reference: String, total: Int, number: Int)? {
    guard let reference = try fields.string("partReference"), !reference.isEmpty,
        let total = try fields.string("partTotal").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
        let number = try fields.string("partNumber").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
        (2...255).contains(total), (1...total).contains(number)
    else { return nil }
    return (reference, total, number)
}

private func statusEvent(
    _ rule: EventRule, _ item: PayloadContext, adapter: Adapter, raw: String
) throws(InboundError) -> NormalizedEvent.MessageStatus {
    let fields = try FieldReader(rule: rule, item: item, raw: raw)
    let id = try fields.string("providerMessageId")
    let reference = try fields.string("reference")
    guard id?.isEmpty == false || reference?.isEmpty == false else {
        throw InboundError(
            code: "missing-field", message: "status callback has neither a provider message id nor a reference",
            httpStatus: 422, origin: rule.origin)
    }
    let providerStatus = try fields.string("status")
    let map = adapter.statuses ?? StatusMap(map: [:], default: .failed)
    let (status, mapped) = providerStatus.map(map.canonicalStatus) ?? (map.default, false)
    return NormalizedEvent.MessageStatus(
        carrier: adapter.id, providerMessageId: id, reference: reference, status: status.rawValue,
        providerStatus: providerStatus, errorCode: try fields.string("errorCode"),
        errorMessage: try fields.string("errorMessage"), timestamp: try fields.string("timestamp"),
        unmappedStatus: !mapped)
}

/// Reads an event rule's fields, turning value errors into `bad-value`.
private struct FieldReader {
    let rule: EventRule
    let item: PayloadContext
    let raw: String

    init(rule: EventRule, item: PayloadContext, raw: String) throws(InboundError) {
        self.rule = rule
        self.item = item
        self.raw = raw
    }

    func string(_ name: String) throws(InboundError) -> String? {
        guard let extractor = rule.fields[name] else { return nil }
        do {
            return try extractor.string(in: item, rawBody: raw)
        } catch {
            throw InboundError(
                code: "bad-value", message: "field '\(name)': \(error.message)", httpStatus: 422, origin: rule.origin)
        }
    }
}

/// `stop`, `start` or `none`: whether the whole text, without surrounding spaces and punctuation (`Stop.`,
/// `"STOP"`, `stop!`), is an opt-out keyword; case is ignored.
func optOutKeyword(_ text: String?, _ rule: OptOutRule) -> String {
    guard let text, !text.isEmpty, text.utf8.count <= 64 else { return "none" }
    func isTrimmed(_ c: Unicode.Scalar) -> Bool {
        if c.properties.isWhitespace { return true }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
    var scalars = Substring(text).unicodeScalars[...]
    while let c = scalars.first, isTrimmed(c) { scalars.removeFirst() }
    while let c = scalars.last, isTrimmed(c) { scalars.removeLast() }
    let word = Substring(scalars)
    if rule.stop.contains(where: { $0.equalsIgnoringASCIICase(word) }) { return "stop" }
    if rule.start.contains(where: { $0.equalsIgnoringASCIICase(word) }) { return "start" }
    return "none"
}

private func reply(_ rule: ReplyRule, _ context: TemplateContext?) throws(InboundError) -> HTTPResponse {
    var headers: [HTTPHeader] = []
    if let contentType = rule.contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
    var body: [UInt8] = []
    if let template = rule.body, template.isLiteral {
        body = Array(template.source.utf8)
    } else if let template = rule.body, let context {
        do {
            body = Array(try render(template, in: context).utf8)
        } catch {
            throw InboundError(code: error.code, message: error.message, httpStatus: 500)
        }
    }
    return HTTPResponse(status: rule.status, headers: headers, body: body)
}

/// The signature rule to check: the first whose header the request carries, else the first rule.
private func chooseSignature(_ rule: InboundRule, _ request: HTTPRequest) -> SignatureRule? {
    guard let first = rule.signature else { return nil }
    guard let others = rule.otherSignatures else { return first }
    for candidate in [first] + others {
        guard let header = candidate.header else { return candidate }
        if request.headers.first(named: header) != nil { return candidate }
    }
    return first
}
