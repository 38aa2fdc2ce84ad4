public import CarrierCore
import Foundation

/// Renders the exact HTTP request that sends `message` through `adapter`. Pure: no I/O, and the only
/// varying inputs (hmac time and nonce) come from `clock`.
///
/// Order of work: settings are resolved (defaults, `missing-setting`); `smartEncoding` is applied to the
/// body; segments are counted; the first `variants` entry whose `when` holds replaces the body and/or URL; the URL is
/// rendered without escaping; `query` fields and `auth.type: query` are appended to it form-encoded; the
/// body is rendered for its format; headers get `Content-Type` unless the definition sets one; auth is
/// added last, so that an hmac signs the final URL and body.
///
/// - Parameters:
///   - settings: the channel's resolved setting values (secrets already read from their references).
///   - segmentCounter: counts the segments of a body and names its encoding (`gsm7` or `ucs2`).
///   - clock: `request.timestamp` and `request.nonce` for hmac auth.
public func renderRequest(
    for message: OutboundMessage, adapter: Adapter, settings: [String: String],
    segmentCounter: (String) -> (count: Int, encoding: String) = defaultSegmentCount,
    clock: RequestClock = .live
) throws(RenderError) -> HTTPRequest {
    var message = message
    message.to = PhoneAddress.wire(message.to, channel: message.channel, rule: adapter.addresses)
    message.from = message.from.map { PhoneAddress.wire($0, channel: message.channel, rule: adapter.addresses) }
    if adapter.options.smartEncoding, let body = message.body {
        message.body = SmartEncoding.apply(body)
    }
    let segments = segmentCounter(message.body ?? "")
    let context = TemplateContext(
        message: message, settings: try resolveSettings(settings, for: adapter), segmentCount: segments.count,
        segmentEncoding: segments.encoding, carrierId: adapter.id)
    var builder = RequestBuilder(adapter: adapter, context: context, clock: clock)
    do {
        return try builder.build()
    } catch {
        throw error.at(adapter.send.origin ?? adapter.origin)
    }
}

/// The steps of ``renderRequest(for:adapter:settings:segmentCounter:clock:)``.
private struct RequestBuilder {
    let adapter: Adapter
    let context: TemplateContext
    let clock: RequestClock
    /// Kept apart once: reading them through `adapter` on every use copied the whole rule each time.
    let send: SendRule
    let auth: AuthRule

    init(adapter: Adapter, context: TemplateContext, clock: RequestClock) {
        self.adapter = adapter
        self.context = context
        self.clock = clock
        self.send = adapter.send
        self.auth = adapter.auth
    }

    mutating func build() throws(RenderError) -> HTTPRequest {
        var body = send.body
        var urlTemplate = send.url
        for variant in send.variants {
            let holds: Bool
            do {
                holds = try variant.when.holds(in: context)
            } catch {
                throw error.at(variant.origin)
            }
            if holds {
                if let variantBody = variant.body { body = variantBody }
                if let variantURL = variant.url { urlTemplate = variantURL }
                break
            }
        }

        var url = try render(urlTemplate, in: context, escaping: .none)
        var headers: [HTTPHeader] = []
        for header in send.headers {
            headers.append(HTTPHeader(header.name, try headerValue(header.value, name: header.name)))
        }

        // What auth adds to the URL or body; headers are added after the body is known.
        var authQuery: [(String, TemplateValue)] = []
        var authField: (name: String, value: TemplateValue)?
        switch auth.type {
        case .query:
            authQuery.append((try authName(), .string(try render(try authTemplate(auth.value, "value"), in: context))))
        case .body:
            authField = (try authName(), try typedValue(try authTemplate(auth.value, "value")))
        default:
            break
        }

        var queryPairs: [(String, TemplateValue)] = []
        var bodyBytes: [UInt8] = []
        var hasBody = false
        switch send.format {
        case .form, .query:
            var pairs: [(String, TemplateValue)]
            switch body {
            case .fields(let node)?: pairs = try formPairs(node)
            case .text(let template)?:
                guard send.format == .form, authField == nil else {
                    throw RenderError(code: "bad-body", message: "a \(send.format.rawValue) body needs fields")
                }
                pairs = []
                bodyBytes = Array(try render(template, in: context, escaping: .form).utf8)
            case nil: pairs = []
            }
            if let authField { pairs += Self.pairs(authField.name, authField.value) }
            if send.format == .query {
                queryPairs = pairs
            } else {
                if !pairs.isEmpty { bodyBytes = Array(Self.encodeForm(pairs).utf8) }
                hasBody = true
            }
        case .json:
            hasBody = true
            switch body {
            case .fields(let node)?:
                var json = try jsonNode(node, in: context)
                if let authField {
                    guard case .object(var fields) = json else {
                        throw RenderError(code: "bad-auth", message: "auth type body needs a JSON object body")
                    }
                    fields.append((authField.name, JSONNode(authField.value)))
                    json = .object(fields)
                }
                bodyBytes = Array(json.compactText.utf8)
            case .text(let template)?:
                try refuseAuthField(authField)
                bodyBytes = Array(try render(template, in: context, escaping: .json).utf8)
            case nil:
                if let authField {
                    bodyBytes = Array(JSONNode.object([(authField.name, JSONNode(authField.value))]).compactText.utf8)
                }
            }
        case .xml, .text:
            hasBody = true
            try refuseAuthField(authField)
            switch body {
            case .text(let template)? where send.format == .xml:
                bodyBytes = Array(try render(template, in: context, escaping: .xml).utf8)
            case .text(let template)?:
                bodyBytes = try renderBytes(template, in: context)
            case .fields?:
                throw RenderError(
                    code: "bad-body", message: "a \(send.format.rawValue) body is a text template, not fields")
            case nil:
                break
            }
        case .none:
            try refuseAuthField(authField)
        }

        url = Self.appendQuery(queryPairs + authQuery, to: url)

        if hasBody, let contentType = send.format.contentType, headers.first(named: "Content-Type") == nil {
            headers.append(HTTPHeader("Content-Type", contentType))
        }
        let method = send.method.uppercased()
        if let header = try authHeader(method: method, url: url, body: bodyBytes) {
            headers.append(header)
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: bodyBytes)
    }

    // MARK: Auth

    private func authName() throws(RenderError) -> String {
        guard let name = auth.name, !name.isEmpty else {
            throw RenderError(
                code: "bad-auth", message: "auth type \(auth.type.rawValue) needs a name", origin: auth.origin)
        }
        return name
    }

    private func authTemplate(_ template: Template?, _ key: String) throws(RenderError) -> Template {
        guard let template else {
            throw RenderError(
                code: "bad-auth", message: "auth type \(auth.type.rawValue) needs '\(key)'", origin: auth.origin)
        }
        return template
    }

    private func refuseAuthField(_ field: (name: String, value: TemplateValue)?) throws(RenderError) {
        if field != nil {
            throw RenderError(
                code: "bad-auth",
                message: "auth type body needs a form, query or structured JSON body, not \(send.format.rawValue)",
                origin: auth.origin)
        }
    }

    private func authHeader(method: String, url: String, body: [UInt8]) throws(RenderError) -> HTTPHeader? {
        switch auth.type {
        case .none, .query, .body:
            return nil
        case .basic:
            let user = try render(try authTemplate(auth.username, "username"), in: context)
            let password = try render(try authTemplate(auth.password, "password"), in: context)
            return HTTPHeader("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        case .bearer:
            return HTTPHeader(
                "Authorization",
                "Bearer " + (try headerValue(try authTemplate(auth.token, "token"), name: "Authorization")))
        case .header:
            let name = try authName()
            return HTTPHeader(name, try headerValue(try authTemplate(auth.value, "value"), name: name))
        case .hmac:
            guard let header = auth.header, !header.isEmpty else {
                throw RenderError(code: "bad-auth", message: "auth type hmac needs a header", origin: auth.origin)
            }
            var signing = context
            signing.request = [
                "method": method, "url": url, "path": requestTarget(of: url),
                "body": String(decoding: body, as: UTF8.self), "timestamp": String(clock.timestamp()),
                "nonce": clock.nonce(),
            ]
            let key = try render(try authTemplate(auth.key, "key"), in: signing)
            let signed = try render(try authTemplate(auth.message, "message"), in: signing)
            let digest = (auth.algorithm ?? .sha256).authenticationCode(for: signed.utf8, key: key.utf8)
            let encoded: String
            switch auth.encoding ?? .base64 {
            case .base64: encoded = Data(digest).base64EncodedString()
            case .hex: encoded = WireEscaping.hex(digest).lowercased()
            }
            return HTTPHeader(header, (auth.prefix ?? "") + encoded)
        }
    }

    // MARK: Values

    private func headerValue(_ template: Template, name: String) throws(RenderError) -> String {
        let value = try render(template, in: context, escaping: .none)
        if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw RenderError(code: "bad-header-value", message: "the value of header '\(name)' contains a line break")
        }
        return value
    }

    /// A sole `{{ expression }}` keeps its type; any other template is text.
    private func typedValue(_ template: Template) throws(RenderError) -> TemplateValue {
        if let e = template.soleExpression { return try evaluate(e, in: context) }
        return .string(try render(template, in: context, escaping: .none))
    }

    // MARK: Form and query

    private func formPairs(_ node: BodyNode) throws(RenderError) -> [(String, TemplateValue)] {
        guard case .object(let fields) = node else {
            throw RenderError(code: "bad-body", message: "a \(send.format.rawValue) body is a mapping of fields")
        }
        var pairs: [(String, TemplateValue)] = []
        for field in fields {
            let value: TemplateValue
            switch field.value {
            case .template(let t): value = try typedValue(t)
            case .literal(let text): value = Self.literalValue(text)
            default:
                throw RenderError(
                    code: "bad-body", message: "field '\(field.key)': nested values are allowed in JSON bodies only")
            }
            if field.optional, value.isEmpty { continue }
            pairs += Self.pairs(field.key, value)
        }
        return pairs
    }

    /// A list repeats the key; null is an empty value.
    private static func pairs(_ key: String, _ value: TemplateValue) -> [(String, TemplateValue)] {
        if case .list(let items) = value { return items.map { (key, $0) } }
        return [(key, value)]
    }

    /// A JSON literal from the definition as a form value: `null` is null, a JSON string its content.
    private static func literalValue(_ text: String) -> TemplateValue {
        if text == "null" { return .null }
        if text.hasPrefix("\""), let s = try? JSONDecoder().decode(String.self, from: Data(text.utf8)) {
            return .string(s)
        }
        return .string(text)
    }

    /// Values are form-encoded from their wire bytes, so `utf16be` bytes arrive percent-escaped.
    static func encodeForm(_ pairs: [(String, TemplateValue)]) -> String {
        pairs.map { WireEscaping.form($0.0) + "=" + WireEscaping.form($0.1) }.joined(separator: "&")
    }

    static func appendQuery(_ pairs: [(String, TemplateValue)], to url: String) -> String {
        guard !pairs.isEmpty else { return url }
        let separator: String
        if let q = url.firstIndex(of: "?") {
            separator = (url.hasSuffix("&") || url.index(after: q) == url.endIndex) ? "" : "&"
        } else {
            separator = "?"
        }
        return url + separator + encodeForm(pairs)
    }
}

// MARK: JSON

/// Renders a structured JSON body node; `key?` fields whose value is null, `""` or `[]` are left out.
func jsonNode(_ node: BodyNode, in context: TemplateContext) throws(RenderError) -> JSONNode {
    switch node {
    case .object(let fields):
        var out: [(key: String, value: JSONNode)] = []
        for field in fields {
            let value = try jsonNode(field.value, in: context)
            if field.optional, value.isEmpty { continue }
            out.append((field.key, value))
        }
        return .object(out)
    case .array(let items):
        var out: [JSONNode] = []
        for item in items { out.append(try jsonNode(item, in: context)) }
        return .array(out)
    case .template(let template):
        if let e = template.soleExpression { return JSONNode(try evaluate(e, in: context)) }
        return .string(try render(template, in: context, escaping: .none))
    case .literal(let text):
        return .raw(text)
    case .each(let source, let item):
        let elements: [TemplateValue]
        switch try evaluate(source, in: context) {
        case .null: elements = []
        case .list(let l): elements = l
        case let scalar: elements = [scalar]
        }
        // `$each: message.media` also hands each item's details to `item.url`, `item.filename`, ...
        let media = source.variable == ["message", "media"] && source.filters.isEmpty ? context.message?.media : nil
        var out: [JSONNode] = []
        for (index, element) in elements.enumerated() {
            var inner = context
            inner.item = element
            inner.mediaItem = media.flatMap { index < $0.count ? $0[index] : nil }
            out.append(try jsonNode(item, in: inner))
        }
        return .array(out)
    }
}
