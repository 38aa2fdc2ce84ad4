public import CarrierCore

/// Checks a message against the format rules and the carrier's limits; empty when it may be sent.
///
/// - Parameter segmentCounter: counts the body's segments for the `limits.maxParts` check.
public func validateMessage(
    _ m: OutboundMessage, adapter: Adapter,
    segmentCounter: (String) -> (count: Int, encoding: String) = defaultSegmentCount
) -> [MessageError] {
    var errors: [MessageError] = []
    if !isE164(m.to) {
        errors.append(
            MessageError(
                code: "invalid-to", message: "'to' must be an E.164 number such as +15551234567", attribute: "to"))
    }
    if let from = m.from, !(isE164(from) || isShortCode(from) || isAlphanumericSender(from)) {
        errors.append(
            MessageError(
                code: "invalid-from",
                message: "'from' must be an E.164 number, a 5-6 digit short code or 1-11 letters, digits and spaces",
                attribute: "from"))
    }
    if (m.body ?? "").isEmpty, m.media.isEmpty, m.template == nil {
        errors.append(
            MessageError(
                code: "empty-message", message: "a message needs a body, media or a template", attribute: "body"))
    }
    let maxMedia = min(adapter.limits.mediaLimit(on: m.channel), 10)
    if m.media.count > maxMedia {
        errors.append(
            MessageError(
                code: "too-many-media",
                message:
                    "\(m.media.count) media items; carrier '\(adapter.id)' takes at most \(maxMedia) on \(m.channel)",
                attribute: "media"))
    }
    errors += mediaTypeProblems(m, adapter: adapter)
    if !adapter.channels.contains(m.channel) {
        errors.append(
            MessageError(
                code: "unsupported-channel",
                message:
                    "carrier '\(adapter.id)' does not carry '\(m.channel)' (it carries \(adapter.channels.joined(separator: ", ")))",
                attribute: "channel"))
    }
    if m.template != nil, !adapter.options.templates {
        errors.append(
            MessageError(
                code: "templates-unsupported", message: "carrier '\(adapter.id)' does not send template messages",
                attribute: "template"))
    }
    if m.metadata.count > 10 {
        errors.append(
            MessageError(
                code: "too-much-metadata", message: "\(m.metadata.count) metadata pairs; at most 10 are allowed",
                attribute: "metadata"))
    }
    if let body = m.body, !body.isEmpty {
        let text = adapter.options.smartEncoding ? SmartEncoding.apply(body) : body
        let parts = segmentCounter(text).count
        let maxParts = adapter.limits.partsLimit(on: m.channel)
        if parts > maxParts {
            errors.append(
                MessageError(
                    code: "too-long",
                    message:
                        "the body needs \(parts) segments; carrier '\(adapter.id)' sends at most \(maxParts) on \(m.channel)",
                    attribute: "body"))
        }
    }
    return errors
}

/// Each media item whose type the carrier does not take (`limits.mediaTypes`), whose given `contentType` is not a
/// media type, or, with `limits.strictMediaTypes`, whose type is unknown. The type is the item's `contentType`, else
/// the one its URL's file extension suggests (``MediaType/inferred(fromURL:)``). Attributes are `media[i]` (a type
/// inferred from the URL) or `media[i].contentType` (a type given).
private func mediaTypeProblems(_ m: OutboundMessage, adapter: Adapter) -> [MessageError] {
    var errors: [MessageError] = []
    let allowed = adapter.limits.mediaTypes(on: m.channel)
    let strict = adapter.limits.refusesUnknownMediaTypes(on: m.channel)
    for (index, item) in m.media.enumerated() {
        let type: String?
        let attribute: String
        if let given = item.contentType {
            attribute = "media[\(index)].contentType"
            guard let essence = MediaType.essence(given) else {
                errors.append(
                    MessageError(
                        code: "invalid-media-type",
                        message: "'\(given)' is not a media type: write type/subtype, e.g. image/jpeg",
                        attribute: attribute))
                continue
            }
            type = essence
        } else {
            attribute = "media[\(index)]"
            type = MediaType.inferred(fromURL: item.url)
        }
        guard let type else {
            if strict {
                errors.append(
                    MessageError(
                        code: "media-type-unknown",
                        message:
                            "the type of media item \(index) is unknown (give its contentType, or a URL with a known file extension); carrier '\(adapter.id)' takes only known types on \(m.channel)",
                        attribute: attribute))
            }
            continue
        }
        if let allowed, !MediaType.isAllowed(type, by: allowed) {
            errors.append(
                MessageError(
                    code: "media-type-not-supported",
                    message:
                        "\(type)\(item.contentType == nil ? " (from the URL's file extension)" : ""): carrier '\(adapter.id)' does not take this media type on \(m.channel) (it takes \(allowed.prefix(6).joined(separator: ", "))\(allowed.count > 6 ? ", ..." : ""))",
                    attribute: attribute))
        }
    }
    return errors
}

private func allDigits(_ s: Substring) -> Bool {
    !s.isEmpty && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
}

/// `+` then 5 to 17 digits.
func isE164(_ s: String) -> Bool {
    guard s.first == "+" else { return false }
    let digits = s.dropFirst()
    return (5...17).contains(digits.count) && allDigits(digits)
}

/// 5 or 6 digits.
func isShortCode(_ s: String) -> Bool {
    (5...6).contains(s.count) && allDigits(Substring(s))
}

/// 1 to 11 characters of `[A-Za-z0-9 ]`.
func isAlphanumericSender(_ s: String) -> Bool {
    (1...11).contains(s.unicodeScalars.count)
        && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == " "
        }
}
