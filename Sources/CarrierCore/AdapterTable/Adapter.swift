/// One compiled carrier definition.
public struct Adapter: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var docs: String?
    public var channels: [String]
    public var limits: Limits
    public var options: Options
    /// Keyed by setting name.
    public var settings: [String: SettingSpec]
    public var auth: AuthRule
    public var send: SendRule
    public var response: ResponseRule
    public var inbound: InboundRule?
    public var statuses: StatusMap?
    /// How numbers are written on the wire; nil: E.164.
    public var addresses: AddressRule?
    /// `file:line:col` of the definition.
    public var origin: String

    public init(
        id: String, name: String, docs: String? = nil, channels: [String], limits: Limits = Limits(),
        options: Options = Options(), settings: [String: SettingSpec] = [:], auth: AuthRule = AuthRule(),
        send: SendRule, response: ResponseRule = ResponseRule(), inbound: InboundRule? = nil,
        statuses: StatusMap? = nil, addresses: AddressRule? = nil, origin: String
    ) {
        self.id = id
        self.name = name
        self.docs = docs
        self.channels = channels
        self.limits = limits
        self.options = options
        self.settings = settings
        self.auth = auth
        self.send = send
        self.response = response
        self.inbound = inbound
        self.statuses = statuses
        self.addresses = addresses
        self.origin = origin
    }

    /// Names of the settings declared `secret`, whose values are redacted everywhere.
    public var secretSettingNames: [String] {
        settings.filter { $0.value.type == .secret }.map(\.key).sorted()
    }
}

public struct Limits: Sendable, Hashable, Codable {
    public var maxParts: Int = 10
    public var maxMedia: Int = 10
    public var ratePerSecond: Double?
    public var connectTimeoutMs: Int = 5000
    public var timeoutMs: Int = 30000
    /// Retries of a retryable failure; nil when the definition leaves it to the caller (`carrier send` retries
    /// 3 times, the service `maxSendAttempts`).
    public var maxRetries: Int?
    /// Message-size limits that differ for one channel kind (`limits.byChannel`), e.g. one media item on WhatsApp
    /// where SMS/MMS take ten; nil when every channel shares the limits above.
    public var byChannel: [String: ChannelLimits]?
    /// The media types the carrier takes (`image/jpeg`, or `image/*` for every image type), lower-cased; nil when
    /// the definition does not say, and then any type is sent.
    public var mediaTypes: [String]?
    /// Whether a media item whose type is unknown (no `contentType` and no known file extension) is refused; nil
    /// means false.
    public var strictMediaTypes: Bool?

    public init() {}

    /// The most segments a body may need on `channel`.
    public func partsLimit(on channel: String) -> Int { byChannel?[channel]?.maxParts ?? maxParts }

    /// The most media items a message may carry on `channel`.
    public func mediaLimit(on channel: String) -> Int { byChannel?[channel]?.maxMedia ?? maxMedia }

    /// The media types the carrier takes on `channel`; nil when any type may be sent.
    public func mediaTypes(on channel: String) -> [String]? { byChannel?[channel]?.mediaTypes ?? mediaTypes }

    /// Whether media of an unknown type are refused on `channel`.
    public func refusesUnknownMediaTypes(on channel: String) -> Bool {
        byChannel?[channel]?.strictMediaTypes ?? strictMediaTypes ?? false
    }
}

/// The limits of one channel kind that override the carrier's (`limits.byChannel.<channel>`).
public struct ChannelLimits: Sendable, Hashable, Codable {
    public var maxParts: Int?
    public var maxMedia: Int?
    public var mediaTypes: [String]?
    public var strictMediaTypes: Bool?

    public init(
        maxParts: Int? = nil, maxMedia: Int? = nil, mediaTypes: [String]? = nil, strictMediaTypes: Bool? = nil
    ) {
        self.maxParts = maxParts
        self.maxMedia = maxMedia
        self.mediaTypes = mediaTypes
        self.strictMediaTypes = strictMediaTypes
    }
}

public struct Options: Sendable, Hashable, Codable {
    public var templates: Bool = false
    public var smartEncoding: Bool = false

    public init() {}
}

public struct SettingSpec: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case string, secret, url, integer, boolean
    }

    public var type: Kind
    public var required: Bool
    public var `default`: String?
    public var description: String?

    public init(type: Kind, required: Bool, default: String? = nil, description: String? = nil) {
        self.type = type
        self.required = required
        self.default = `default`
        self.description = description
    }
}
