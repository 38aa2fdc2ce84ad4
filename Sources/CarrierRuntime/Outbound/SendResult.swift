import CarrierCore

/// The canonical result of one send attempt, classified by the carrier definition's response rules.
public struct SendResult: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// The carrier accepted the message.
        case ok
        /// A temporary failure: try again later (429, 5xx, throttling codes, network errors).
        case retryable
        /// A permanent failure: sending the same request again will fail again.
        case permanent
    }

    public var carrier: String
    public var outcome: Outcome
    public var providerMessageId: String?
    /// Provider status from the send response, when the carrier returns one.
    public var providerStatus: String?
    /// `providerStatus` mapped through the definition's status map.
    public var status: String?
    public var errorCode: String?
    public var errorMessage: String?
    /// Seconds to wait before retrying (from Retry-After, or the backoff policy).
    public var retryAfterSeconds: Double?
    /// HTTP status, or nil when no response arrived.
    public var httpStatus: Int?
    /// The libcurl error code for transport failures.
    public var curlCode: Int?
    /// `file:line:col` of the definition rule that decided the outcome.
    public var origin: String?
    public var segments: Int?
    /// No answer came after the request was written (a read timeout, a dropped connection): the carrier may have
    /// accepted the message, so retrying it may deliver it twice unless the carrier deduplicates.
    public var deliveryUnknown: Bool?

    public init(
        carrier: String, outcome: Outcome, providerMessageId: String? = nil, providerStatus: String? = nil,
        errorCode: String? = nil, errorMessage: String? = nil, retryAfterSeconds: Double? = nil,
        httpStatus: Int? = nil, curlCode: Int? = nil, origin: String? = nil, segments: Int? = nil
    ) {
        self.carrier = carrier
        self.outcome = outcome
        self.providerMessageId = providerMessageId
        self.providerStatus = providerStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.retryAfterSeconds = retryAfterSeconds
        self.httpStatus = httpStatus
        self.curlCode = curlCode
        self.origin = origin
        self.segments = segments
    }
}
