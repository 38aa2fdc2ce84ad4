public import CarrierRuntime

/// The seam between the messaging service and the adapter runtime.
///
/// The service never renders or parses carrier payloads itself: it stores messages, enforces the messaging rules
/// (opt-outs, WhatsApp windows, templates, idempotency) and calls a gateway for everything carrier-specific.
public protocol CarrierGateway: Sendable {
    /// Carrier ids this gateway can serve (from the adapter table).
    var carrierIds: [String] { get }
    /// Names of the carrier's settings of type `secret`, whose values the API never shows.
    func secretSettings(carrier: String) -> Set<String>
    /// Whether the carrier's webhooks for a channel with these resolved settings are checked by a signature
    /// (channels whose webhooks are not get a token in their URL).
    func signsWebhooks(carrier: String, settings: [String: String]) -> Bool
    /// Whether the carrier supports template messages (definition `options.templates`).
    func supportsTemplates(carrier: String) -> Bool
    /// Segments for a body (GSM-7/UCS-2), for the message record.
    func segments(for body: String, carrier: String) -> Int
    /// What the dispatcher needs to know to retry and pace the carrier's sends.
    func sendPolicy(carrier: String) -> CarrierSendPolicy
    /// What the carrier would refuse in `message` (media count, segments, channel, templates), checked before the
    /// message is stored; empty when it may be sent.
    func problems(of message: OutboundMessage, carrier: String) -> [MessageError]
    /// What is wrong with a channel for the carrier: a kind it does not carry, required settings missing, unknown
    /// settings, an address of the wrong shape; empty when it is fine. Attributes are `channel`, `address`,
    /// `settings.<name>`.
    func channelProblems(carrier: String, channel: String, address: String, settings: [String: String])
        -> [MessageError]
    /// Validates, renders and sends one message, once (the service retries and paces); never throws: failures are
    /// in SendResult.outcome.
    func send(_ message: OutboundMessage, carrier: String, settings: [String: String]) async -> SendResult
    /// Verifies the signature and normalizes one webhook. `publicURL` is the URL the carrier called (for signatures).
    func normalize(
        _ request: HTTPRequest, carrier: String, settings: [String: String], publicURL: String
    ) throws(InboundFailure) -> InboundResult
}

extension CarrierGateway {
    public func secretSettings(carrier: String) -> Set<String> { [] }
    public func sendPolicy(carrier: String) -> CarrierSendPolicy { CarrierSendPolicy() }
    public func problems(of message: OutboundMessage, carrier: String) -> [MessageError] { [] }
    public func channelProblems(carrier: String, channel: String, address: String, settings: [String: String])
        -> [MessageError]
    { [] }
    /// Without a definition to ask, webhooks count as unsigned (they then need the channel's token).
    public func signsWebhooks(carrier: String, settings: [String: String]) -> Bool { false }
}

/// A carrier definition's retry and pacing limits, as the dispatcher applies them.
public struct CarrierSendPolicy: Sendable, Equatable {
    /// `limits.maxRetries`, when the definition sets it.
    public var maxRetries: Int?
    /// `limits.ratePerSecond`: the default pace of each channel of the carrier.
    public var ratePerSecond: Double?
    /// `send.deduplicatesByReference`: a send without an answer may be retried.
    public var deduplicatesByReference: Bool

    public init(maxRetries: Int? = nil, ratePerSecond: Double? = nil, deduplicatesByReference: Bool = false) {
        self.maxRetries = maxRetries
        self.ratePerSecond = ratePerSecond
        self.deduplicatesByReference = deduplicatesByReference
    }
}

/// Why an inbound webhook was rejected; the service answers the carrier with `httpStatus` and `code`.
public struct InboundFailure: Error, Sendable {
    /// A stable kebab-case code such as `bad-signature`.
    public var code: String
    public var message: String
    public var httpStatus: Int

    public init(code: String, message: String, httpStatus: Int) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }
}
