/// How to build the send request.
public struct SendRule: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case form, json, xml, query, text, none

        /// The Content-Type sent unless the definition sets one.
        public var contentType: String? {
            switch self {
            case .form: "application/x-www-form-urlencoded"
            case .json: "application/json"
            case .xml: "application/xml"
            case .text: "text/plain; charset=utf-8"
            case .query, .none: nil
            }
        }
    }

    public struct Header: Sendable, Hashable, Codable {
        public var name: String
        public var value: Template

        public init(name: String, value: Template) {
            self.name = name
            self.value = value
        }
    }

    /// An alternative URL and/or body used when `when` holds (first match wins); what it leaves out comes from
    /// `send`.
    public struct Variant: Sendable, Hashable, Codable {
        public var when: VariantCondition
        public var url: Template?
        public var body: BodyTemplate?
        public var origin: String?

        public init(when: VariantCondition, url: Template? = nil, body: BodyTemplate?, origin: String? = nil) {
            self.when = when
            self.url = url
            self.body = body
            self.origin = origin
        }

        /// A variant whose `when` is one expression.
        public init(when: ConditionExpression, url: Template? = nil, body: BodyTemplate?, origin: String? = nil) {
            self.init(when: .holds(when.expression), url: url, body: body, origin: origin)
        }
    }

    public var method: String
    public var url: Template
    public var headers: [Header]
    public var format: Format
    /// Nil for `format: none` (and for `query`, when every field is in the URL template).
    public var body: BodyTemplate?
    public var variants: [Variant]
    /// The carrier drops a repeated request carrying the same `message.reference` (its docs say so): a request
    /// that got no answer may then be sent again safely. Nil means it does not.
    public var deduplicatesByReference: Bool?
    public var origin: String?

    public init(
        method: String = "POST", url: Template, headers: [Header] = [], format: Format, body: BodyTemplate? = nil,
        variants: [Variant] = [], origin: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.format = format
        self.body = body
        self.variants = variants
        self.origin = origin
    }
}

/// A `when:` expression: a template expression whose truthiness decides; stored as its source text.
public struct ConditionExpression: Sendable, Hashable, StoredAsText, CustomStringConvertible {
    public var expression: TemplateExpression

    public var description: String { expression.description }

    public init(_ expression: TemplateExpression) {
        self.expression = expression
    }

    public var storedText: String { expression.description }

    public init(storedText: String) throws(StoredTextError) {
        do {
            expression = try TemplateExpression.parse(storedText)
        } catch {
            throw StoredTextError(message: "bad condition: \(error.message)")
        }
    }
}
