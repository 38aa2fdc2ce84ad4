import CarrierCore

/// The canonical outbound message, the same for every carrier.
public struct OutboundMessage: Sendable, Hashable, Codable {
    /// A pre-approved template message (WhatsApp and similar channels).
    public struct Template: Sendable, Hashable, Codable {
        public var name: String
        public var language: String?
        public var variables: [String]

        public init(name: String, language: String? = nil, variables: [String] = []) {
            self.name = name
            self.language = language
            self.variables = variables
        }
    }

    /// `sms`, `mms`, `whatsapp` or `rcs`.
    public var channel: String
    public var to: String
    public var from: String?
    public var body: String?
    /// Attachments: URL strings or ``MediaItem`` objects.
    public var media: [MediaItem]
    public var template: Template?
    /// ISO 8601 time at which the carrier should send the message.
    public var scheduledAt: String?
    /// Validity period in seconds.
    public var validity: Int?
    public var callbackUrl: String?
    /// The channel's own public webhook URL (`channel.inboundUrl` in templates): where the carrier posts its
    /// delivery reports and replies; nil when the service has no public base URL.
    public var inboundUrl: String?
    /// Our own id for the message, echoed back by some carriers in status callbacks.
    public var reference: String?
    /// The client's own reference (`/send`'s `reference`), for a carrier's client-reference field that nothing
    /// matches delivery reports by (`message.clientReference` in templates).
    public var clientReference: String?
    public var metadata: [String: String]
    public var tags: [String]

    /// Creates a message whose media are bare URLs.
    public init(
        channel: String = "sms", to: String, from: String? = nil, body: String? = nil, media: [String],
        template: Template? = nil, scheduledAt: String? = nil, validity: Int? = nil, callbackUrl: String? = nil,
        reference: String? = nil, metadata: [String: String] = [:], tags: [String] = []
    ) {
        self.init(
            channel: channel, to: to, from: from, body: body, mediaItems: media.map { MediaItem(url: $0) },
            template: template, scheduledAt: scheduledAt, validity: validity, callbackUrl: callbackUrl,
            reference: reference, metadata: metadata, tags: tags)
    }

    public init(
        channel: String = "sms", to: String, from: String? = nil, body: String? = nil, mediaItems: [MediaItem] = [],
        template: Template? = nil, scheduledAt: String? = nil, validity: Int? = nil, callbackUrl: String? = nil,
        reference: String? = nil, metadata: [String: String] = [:], tags: [String] = [], inboundUrl: String? = nil
    ) {
        self.inboundUrl = inboundUrl
        self.channel = channel
        self.to = to
        self.from = from
        self.body = body
        self.media = mediaItems
        self.template = template
        self.scheduledAt = scheduledAt
        self.validity = validity
        self.callbackUrl = callbackUrl
        self.reference = reference
        self.metadata = metadata
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case channel, to, from, body, media, template, scheduledAt, validity, callbackUrl, reference, metadata, tags
        case inboundUrl, clientReference
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try c.decodeIfPresent(String.self, forKey: .channel) ?? "sms"
        to = try c.decode(String.self, forKey: .to)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        media = try c.decodeIfPresent([MediaItem].self, forKey: .media) ?? []
        template = try c.decodeIfPresent(Template.self, forKey: .template)
        scheduledAt = try c.decodeIfPresent(String.self, forKey: .scheduledAt)
        validity = try c.decodeIfPresent(Int.self, forKey: .validity)
        callbackUrl = try c.decodeIfPresent(String.self, forKey: .callbackUrl)
        inboundUrl = try c.decodeIfPresent(String.self, forKey: .inboundUrl)
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        clientReference = try c.decodeIfPresent(String.self, forKey: .clientReference)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
    }
}
