import CarrierCore
import CarrierRuntime
import Foundation

/// The JSON body of `POST /send`.
struct SendRequest: Sendable, Equatable {
    var channelId: String?
    var to: String?
    var body: String?
    /// The media URLs, from `mediaUrls` or `media`.
    var mediaUrls: [String]?
    /// `media`'s items, when any gives more than its URL (`contentType`, `filename`, `caption`); nil otherwise.
    var mediaDetails: [MediaItem]?
    /// The member the media came in (`mediaUrls` or `media`), for the attributes of their errors.
    var mediaMember = "mediaUrls"
    var templateName: String?
    var templateLang: String?
    var templateVars: [String]?
    var reference: String?
    /// RFC 3339 with an offset, as given.
    var scheduledFor: String?
    /// Seconds the message may wait to be handed to the carrier.
    var validity: Int?
    /// Where this message's status changes are pushed as well (signed webhooks, see ``WebhookDeliverer``).
    var callbackUrl: String?
    /// Which status changes go to `callbackUrl`: `none`, `final` or `all` (the default).
    var deliveryReport: String?
    /// At most 10 string pairs, stored and returned with the message.
    var metadata: [String: String]?
    /// At most 10 tags, lower-cased.
    var tags: [String]?

    /// The members `POST /send` takes; any other is refused (`unknown-field`), never dropped silently.
    static let members: Set<String> = [
        "channelId", "to", "body", "mediaUrls", "templateName", "templateLang", "templateVars", "reference",
        "scheduledFor", "validity", "callbackUrl", "deliveryReport", "metadata", "tags", "media",
    ]

    /// The members a `media` item object takes (what templates read as `item.<field>`).
    static let mediaItemMembers = Set(MediaItem.fieldNames)

    /// Reads a `POST /send` body; `null` counts as absent.
    ///
    /// Read with the webhook JSON parser rather than `JSONDecoder`, which cost more than the rest of the request.
    /// - Throws: ``ServiceError`` `bad-json` for a body that is not a JSON object or a member of the wrong type.
    init(json bytes: [UInt8]) throws(ServiceError) {
        let members = try strictJSONObject(bytes, members: Self.members)
        channelId = try Self.string(members, "channelId")
        to = try Self.string(members, "to")
        body = try Self.string(members, "body")
        mediaUrls = try Self.strings(members, "mediaUrls")
        if let items = try Self.mediaItems(members) {
            if mediaUrls != nil {
                throw .validation([
                    .invalid("media", "conflicting-members", "give media or mediaUrls, not both")
                ])
            }
            mediaUrls = items.map(\.url)
            mediaDetails = items.contains { $0 != MediaItem(url: $0.url) } ? items : nil
            mediaMember = "media"
        }
        templateName = try Self.string(members, "templateName")
        templateLang = try Self.string(members, "templateLang")
        templateVars = try Self.strings(members, "templateVars")
        reference = try Self.string(members, "reference")
        scheduledFor = try Self.string(members, "scheduledFor")
        callbackUrl = try Self.string(members, "callbackUrl")
        deliveryReport = try Self.string(members, "deliveryReport")
        switch members["validity"] {
        case nil, .null: validity = nil
        case .number(let text) where Int(text) != nil: validity = Int(text)
        default: throw .validation([.invalid("validity", "invalid-validity", "validity must be an integer (seconds)")])
        }
        switch members["metadata"] {
        case nil, .null: metadata = nil
        case .object(let pairs):
            var values: [String: String] = [:]
            for (key, value) in pairs {
                guard case .string(let text) = value else {
                    throw .validation([
                        .invalid("metadata.\(key)", "invalid-metadata", "metadata values must be strings")
                    ])
                }
                values[key] = text
            }
            metadata = values
        default:
            throw .validation([.invalid("metadata", "invalid-metadata", "metadata must be an object of strings")])
        }
        tags = try Self.strings(members, "tags")?.map { $0.lowercased() }
    }

    init(
        channelId: String? = nil, to: String? = nil, body: String? = nil, mediaUrls: [String]? = nil,
        templateName: String? = nil, templateLang: String? = nil, templateVars: [String]? = nil,
        reference: String? = nil, scheduledFor: String? = nil, validity: Int? = nil
    ) {
        self.scheduledFor = scheduledFor
        self.validity = validity
        self.channelId = channelId
        self.to = to
        self.body = body
        self.mediaUrls = mediaUrls
        self.templateName = templateName
        self.templateLang = templateLang
        self.templateVars = templateVars
        self.reference = reference
    }

    private static func string(_ members: PayloadObject, _ key: String) throws(ServiceError) -> String? {
        switch members[key] {
        case nil, .null: return nil
        case .string(let text): return text
        default: throw .badJSON("'\(key)' must be a string")
        }
    }

    /// `media`: URL strings or `{url, contentType?, filename?, caption?}` objects; nil when absent.
    private static func mediaItems(_ members: PayloadObject) throws(ServiceError) -> [MediaItem]? {
        switch members["media"] {
        case nil, .null: return nil
        case .array(let items):
            var media: [MediaItem] = []
            for (index, item) in items.enumerated() {
                switch item {
                case .string(let url):
                    media.append(MediaItem(url: url))
                case .object(let object):
                    let unknown = object.keys.filter { !mediaItemMembers.contains($0) }.sorted()
                    if !unknown.isEmpty {
                        throw .validation(
                            unknown.map { .invalid("media[\(index)].\($0)", "unknown-field", "unknown field '\($0)'") })
                    }
                    guard case .string(let url) = object["url"] else {
                        throw .badJSON("'media[\(index)].url' must be a string")
                    }
                    var fields: [String: String] = [:]
                    for name in MediaItem.fieldNames where name != "url" {
                        switch object[name] {
                        case nil, .null: break
                        case .string(let text): fields[name] = text
                        default: throw .badJSON("'media[\(index)].\(name)' must be a string")
                        }
                    }
                    media.append(
                        MediaItem(
                            url: url, contentType: fields["contentType"], filename: fields["filename"],
                            caption: fields["caption"]))
                default:
                    throw .badJSON("'media' items must be URL strings or {url, contentType, filename, caption} objects")
                }
            }
            return media
        default: throw .badJSON("'media' must be an array")
        }
    }

    /// The media as stored and handed to the carrier, with the details given.
    var mediaItems: [MediaItem] {
        mediaDetails ?? (mediaUrls ?? []).map { MediaItem(url: $0) }
    }

    /// The attribute naming media item `index` (or its `field`) in the member the request used.
    func mediaAttribute(_ index: Int, field: String? = nil) -> String {
        mediaMember == "media"
            ? "media[\(index)]" + (field.map { "." + $0 } ?? "") : "mediaUrls[\(index)]"
    }

    private static func strings(_ members: PayloadObject, _ key: String) throws(ServiceError) -> [String]? {
        switch members[key] {
        case nil, .null: return nil
        case .array(let items):
            var texts: [String] = []
            texts.reserveCapacity(items.count)
            for item in items {
                guard case .string(let text) = item else { throw .badJSON("'\(key)' must be an array of strings") }
                texts.append(text)
            }
            return texts
        default: throw .badJSON("'\(key)' must be an array of strings")
        }
    }

    /// Returns every problem with the request's fields (empty when valid).
    func validate() -> [ServiceError.FieldError] {
        var errors: [ServiceError.FieldError] = []
        if (channelId ?? "").isEmpty {
            errors.append(.missing("channelId", "channelId is required"))
        }
        if let to, !to.isEmpty {
            if !Self.isE164(to) {
                errors.append(.invalid("to", "invalid-phone-number", "to must be E.164: '+' and 5 to 17 digits"))
            }
        } else {
            errors.append(.missing("to", "to is required"))
        }
        let hasBody = !(body ?? "").isEmpty
        let hasMedia = !(mediaUrls ?? []).isEmpty
        let hasTemplate = !(templateName ?? "").isEmpty
        if !hasBody && !hasMedia && !hasTemplate {
            errors.append(.missing("body", "one of body, mediaUrls or templateName is required"))
        }
        if let scheduledFor, Self.parseRFC3339(scheduledFor) == nil {
            errors.append(
                .invalid(
                    "scheduledFor", "invalid-date",
                    "scheduledFor must be an RFC 3339 date-time with an offset, e.g. 2026-12-24T09:00:00+01:00"))
        }
        if let metadata {
            if metadata.count > 10 {
                errors.append(.invalid("metadata", "too-much-metadata", "metadata holds at most 10 pairs"))
            }
            for (key, value) in metadata.sorted(by: { $0.key < $1.key })
            where key.isEmpty || key.count > 40 || value.count > 500 {
                errors.append(
                    .invalid(
                        "metadata.\(key)", "invalid-metadata",
                        "metadata keys have 1 to 40 characters and values at most 500"))
            }
        }
        if let tags {
            if tags.count > 10 { errors.append(.invalid("tags", "too-many-tags", "at most 10 tags")) }
            for (index, tag) in tags.enumerated() where tag.isEmpty || tag.count > 64 {
                errors.append(.invalid("tags[\(index)]", "invalid-tag", "tags have 1 to 64 characters"))
            }
        }
        if let validity, !(1...MessagingEngine.maxValiditySeconds).contains(validity) {
            errors.append(
                .invalid(
                    "validity", "invalid-validity",
                    "validity must be from 1 to \(MessagingEngine.maxValiditySeconds) seconds"))
        }
        if let callbackUrl, WebhookURL.syntaxProblem(callbackUrl) != nil {
            errors.append(.invalid("callbackUrl", "invalid-url", "callbackUrl must be an absolute http(s) URL"))
        }
        if let deliveryReport, !WebhookEventType.deliveryReportValues.contains(deliveryReport) {
            errors.append(
                .invalid("deliveryReport", "invalid-delivery-report", "deliveryReport must be none, final or all"))
        }
        for (index, url) in (mediaUrls ?? []).enumerated()
        where !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            errors.append(
                .invalid(mediaAttribute(index, field: "url"), "invalid-url", "media URLs must be http(s) URLs"))
        }
        // U+0000 is valid JSON but no carrier sends it and PostgreSQL text cannot hold it: refused on every backend.
        var texts: [(member: String, text: String?)] = [
            ("channelId", channelId), ("body", body), ("reference", reference), ("templateName", templateName),
            ("templateLang", templateLang),
        ]
        texts += (templateVars ?? []).enumerated().map { ("templateVars[\($0)]", $1) }
        texts += (tags ?? []).enumerated().map { ("tags[\($0)]", $1) }
        texts += (metadata ?? [:]).sorted { $0.key < $1.key }.map { ("metadata.\($0.key)", $0.key + $0.value) }
        texts += mediaItems.enumerated().map { index, item in
            let details = [item.url, item.contentType, item.filename, item.caption]
            return (mediaAttribute(index, field: nil), details.compactMap { $0 }.joined())
        }
        for (member, text) in texts where text?.contains("\u{0}") == true {
            errors.append(.invalid(member, "nul-character", "\(member) must not contain the character U+0000"))
        }
        return errors
    }

    /// The SHA-256 (hex) of every member in a fixed order: what an `Idempotency-Key` is bound to. Independent of
    /// the JSON's key order and spacing, so a client that serializes its retry afresh is not refused.
    var digest: String {
        var text = ""
        func add(_ value: String?) {
            guard let value else { return text += "-;" }
            text += "\(value.utf8.count):\(value);"
        }
        for value in [channelId, to, body, templateName, templateLang, reference, scheduledFor] { add(value) }
        for list in [mediaUrls, templateVars] {
            add(list.map { $0.map { "\($0.utf8.count):\($0)" }.joined(separator: ",") })
        }
        add(validity.map(String.init))
        if callbackUrl != nil || deliveryReport != nil {
            add(callbackUrl)
            add(deliveryReport)
        }
        // Only when given, so that keys bound before these members existed still match their requests.
        if metadata != nil || tags != nil {
            add(metadata.map(MessageRecord.metadataText))
            add(tags.map { $0.map { "\($0.utf8.count):\($0)" }.joined(separator: ",") })
        }
        // Each detail only when some item gives it, so that keys bound before a detail existed still match.
        if let mediaDetails {
            for field in ["contentType", "filename", "caption"] where mediaDetails.contains(where: { $0.field(field) != nil }) {
                add(mediaDetails.map { item in item.field(field).map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: ","))
            }
        }
        return MessagingEngine.hashKey(text)
    }

    /// Unix seconds of an RFC 3339 date-time with an offset (`Z` or `±hh:mm`), fractional seconds allowed.
    static func parseRFC3339(_ text: String) -> Double? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date.timeIntervalSince1970 }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)?.timeIntervalSince1970
    }

    /// Returns a Boolean value that indicates whether `value` is `+` followed by 5 to 17 ASCII digits.
    static func isE164(_ value: String) -> Bool {
        guard value.first == "+" else { return false }
        let digits = value.dropFirst()
        return (5...17).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// The JSON body of a `POST /send` answer (200, or 502 with `error`).
struct SendResponse: Codable, Sendable, Equatable {
    struct ErrorBody: Codable, Sendable, Equatable {
        var code: String
        var message: String
        /// The carrier's own error code, when it gave one.
        var carrierCode: String?
        var retryable: Bool
    }

    var ok: Bool
    var messageId: String
    var conversationId: String
    var providerMessageId: String?
    var status: String
    var segments: Int
    var error: ErrorBody?

    /// The JSON text, keys sorted as `JSONEncoder` with `.sortedKeys` would write them, absent optionals left out.
    ///
    /// Written by hand: it is the answer to every send, and the encoder cost more than building it.
    var json: Data {
        var text = "{"
        if let error {
            text += "\"error\":{"
            if let carrierCode = error.carrierCode { text += "\"carrierCode\":" + jsonStringLiteral(carrierCode) + "," }
            text += "\"code\":" + jsonStringLiteral(error.code)
            text += ",\"message\":" + jsonStringLiteral(error.message)
            text += ",\"retryable\":" + (error.retryable ? "true" : "false") + "},"
        }
        text += "\"conversationId\":" + jsonStringLiteral(conversationId)
        text += ",\"messageId\":" + jsonStringLiteral(messageId)
        text += ",\"ok\":" + (ok ? "true" : "false")
        if let providerMessageId { text += ",\"providerMessageId\":" + jsonStringLiteral(providerMessageId) }
        text += ",\"segments\":" + String(segments)
        text += ",\"status\":" + jsonStringLiteral(status) + "}"
        return Data(text.utf8)
    }
}

/// Fills `{{1}}`, `{{2}}`, ... in a template body from 1-based variables.
enum TemplateFiller {
    /// Returns `body` with every `{{n}}` replaced by `variables[n - 1]`.
    /// - Throws: ``ServiceError`` `validation-failed` naming the placeholders without a variable.
    static func fill(_ body: String, variables: [String]) throws(ServiceError) -> String {
        var output = ""
        var missing: [Int] = []
        var rest = Substring(body)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}"),
                let index = Int(afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)), index >= 1
            else {
                output += "{{"
                rest = afterOpen
                continue
            }
            if index <= variables.count {
                output += variables[index - 1]
            } else {
                missing.append(index)
            }
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        if !missing.isEmpty {
            throw .validation(
                missing.map {
                    .invalid("templateVars", "missing-template-variable", "no value for placeholder {{\($0)}}")
                })
        }
        return output
    }
}
