import Foundation

/// The JSON body of `POST /send`.
struct SendRequest: Decodable, Sendable, Equatable {
    var channelId: String?
    var to: String?
    var body: String?
    var mediaUrls: [String]?
    var templateName: String?
    var templateLang: String?
    var templateVars: [String]?
    var reference: String?

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
        for (index, url) in (mediaUrls ?? []).enumerated()
        where !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            errors.append(.invalid("mediaUrls[\(index)]", "invalid-url", "media URLs must be http(s) URLs"))
        }
        return errors
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
