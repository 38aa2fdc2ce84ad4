/// How to read a carrier's webhooks.
public struct InboundRule: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case form, query, json, xml
        /// By the request's Content-Type: JSON, XML, or form (with the query string).
        case auto
    }

    public var format: Format
    public var caseInsensitiveKeys: Bool = false
    public var signature: SignatureRule?
    /// Further accepted signatures, for carriers that sign with one of several schemes (Plivo's V2 on messaging
    /// callbacks, V3 on others): the first rule whose header the request carries is checked.
    public var otherSignatures: [SignatureRule]?
    public var handshake: HandshakeRule?
    public var reply: ReplyRule = ReplyRule()
    public var events: [EventRule]
    public var optOut: OptOutRule = OptOutRule()
    public var origin: String?

    public init(format: Format, events: [EventRule], origin: String? = nil) {
        self.format = format
        self.events = events
        self.origin = origin
    }
}

/// One classification rule: which requests (or items of a batch) are which kind of event, and their fields.
public struct EventRule: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case message, status, ignore
    }

    public var type: Kind
    public var name: String?
    public var each: PathExpression?
    public var when: Condition?
    /// Keyed by canonical field name (`from`, `to`, `text`, `media`, `providerMessageId`, `timestamp`,
    /// `reference`, `status`, `errorCode`, `errorMessage`).
    public var fields: [String: ValueExtractor]
    public var origin: String?

    public init(
        type: Kind, name: String? = nil, each: PathExpression? = nil, when: Condition? = nil,
        fields: [String: ValueExtractor] = [:], origin: String? = nil
    ) {
        self.type = type
        self.name = name
        self.each = each
        self.when = when
        self.fields = fields
        self.origin = origin
    }

    /// Fields a `message` event may have. `partReference`, `partTotal` and `partNumber` (all three or none) mark one
    /// part of a long message the carrier delivers in pieces; the receiver joins the parts.
    public static let messageFields: Set<String> = [
        "from", "to", "text", "media", "providerMessageId", "timestamp", "partReference", "partTotal", "partNumber",
    ]
    /// The fields that mark a part of a long message; a rule names all of them or none.
    public static let messagePartFields = ["partReference", "partTotal", "partNumber"]
    /// Fields a `status` event may have.
    public static let statusFields: Set<String> = [
        "providerMessageId", "reference", "status", "errorCode", "errorMessage", "timestamp",
    ]
}

/// Webhook signature verification.
public struct SignatureRule: Sendable, Hashable, Codable {
    public enum Scheme: String, Sendable, Hashable, Codable, CaseIterable {
        case twilio
        case hmacSHA1Body = "hmac-sha1-body"
        case hmacSHA256Body = "hmac-sha256-body"
        case hmacSHA512Body = "hmac-sha512-body"
        case ed25519
        case messagebirdJWT = "messagebird-jwt"
        case vonageSig = "vonage-sig"
        /// HTTP Basic credentials on the callback: `secret` renders to `user:password`.
        case basicAuth = "basic-auth"
        /// Plivo `X-Plivo-Signature-V2`: HMAC-SHA256 of the URL without its query plus the nonce header, Base64.
        case plivoV2 = "plivo-v2"
        /// Plivo `X-Plivo-Signature-V3`: HMAC-SHA256 of the URL with its sorted query and sorted body parameters,
        /// a `.` and the nonce header, Base64; the header may hold several signatures.
        case plivoV3 = "plivo-v3"
        /// SignalWire `X-SignalWire-Signature`: hex HMAC-SHA1 of the URL followed by the raw body (RELAY and JSON
        /// webhooks), or else the Twilio-compatible form signature.
        case signalwire
        /// Bird `messagebird-signature`: HMAC-SHA256 of `timestamp \n URL \n SHA-256(body)`, Base64.
        case bird
        /// MessageMedia `X-Messagemedia-Signature`: RSA PKCS#1 v1.5 over the request line, the `Date` header and the
        /// body, Base64, with SHA-256 or SHA-512 (whichever the account's signature key was created with).
        case messagemedia
    }

    public var scheme: Scheme
    public var header: String?
    public var secret: Template?
    public var encoding: SignatureEncoding?
    public var prefix: String?
    public var timestampHeader: String?
    /// plivo-v2, plivo-v3: the header carrying the nonce that is signed with the URL.
    public var nonceHeader: String?
    public var publicKey: Template?
    public var toleranceSeconds: Int?
    /// vonage-sig: the account's signature method.
    public var algorithm: VonageSignatureMethod?
    public var param: String?
    /// When true, requests are checked only if the secret (or public key) setting has a value; carriers such as
    /// Vonage sign webhooks only when the account turns signing on.
    public var optional: Bool?
    public var origin: String?

    public init(scheme: Scheme) {
        self.scheme = scheme
    }
}

/// A subscription check a carrier makes before sending webhooks (Meta's `hub.challenge`): when `when` holds on
/// the query parameters and `token` equals `expect`, the request is answered with the value at `reply`.
public struct HandshakeRule: Sendable, Hashable, Codable {
    public var when: Condition
    public var token: PathExpression
    public var expect: Template
    public var reply: PathExpression
    public var origin: String?

    public init(when: Condition, token: PathExpression, expect: Template, reply: PathExpression, origin: String? = nil)
    {
        self.when = when
        self.token = token
        self.expect = expect
        self.reply = reply
        self.origin = origin
    }
}

/// The HTTP answer a carrier expects from our webhook.
public struct ReplyRule: Sendable, Hashable, Codable {
    public var status: Int = 200
    public var contentType: String?
    public var body: Template?

    public init() {}
}

/// STOP / START keywords, matched case-insensitively against the whole trimmed text.
public struct OptOutRule: Sendable, Hashable, Codable {
    public var stop: [String] = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]
    public var start: [String] = ["START", "UNSTOP", "YES"]

    public init() {}
}
