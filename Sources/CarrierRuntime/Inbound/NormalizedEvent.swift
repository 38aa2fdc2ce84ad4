import CarrierCore

/// A canonical inbound event: a message from a handset (MO) or a status update for a message we sent.
public enum NormalizedEvent: Sendable, Hashable, Codable {
    case received(MessageReceived)
    case status(MessageStatus)

    /// `message.received`
    public struct MessageReceived: Sendable, Hashable, Codable {
        public var carrier: String
        public var from: String
        public var to: String?
        public var text: String?
        public var media: [String]
        public var providerMessageId: String?
        /// ISO 8601 UTC, e.g. `2024-05-01T10:00:00Z`.
        public var timestamp: String?
        /// `stop`, `start` or `none`: the opt-out keyword the text matched.
        public var optOut: String
        /// Set when this is one part of a long message delivered in pieces: the parts share the reference and
        /// the total, and are numbered from 1.
        public var partReference: String?
        public var partTotal: Int?
        public var partNumber: Int?

        public init(
            carrier: String, from: String, to: String? = nil, text: String? = nil, media: [String] = [],
            providerMessageId: String? = nil, timestamp: String? = nil, optOut: String = "none",
            part: (reference: String, total: Int, number: Int)? = nil
        ) {
            self.carrier = carrier
            self.from = from
            self.to = to
            self.text = text
            self.media = media
            self.providerMessageId = providerMessageId
            self.timestamp = timestamp
            self.optOut = optOut
            partReference = part?.reference
            partTotal = part?.total
            partNumber = part?.number
        }
    }

    /// `message.status`
    public struct MessageStatus: Sendable, Hashable, Codable {
        public var carrier: String
        public var providerMessageId: String?
        /// Our own id echoed back by carriers that have no id of their own.
        public var reference: String?
        /// `queued, sent, delivered, read, failed, undelivered`.
        public var status: String
        public var providerStatus: String?
        public var errorCode: String?
        public var errorMessage: String?
        public var timestamp: String?
        /// True when the provider status was not in the definition's status map and took the default.
        public var unmappedStatus: Bool

        public init(
            carrier: String, providerMessageId: String? = nil, reference: String? = nil, status: String,
            providerStatus: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
            timestamp: String? = nil, unmappedStatus: Bool = false
        ) {
            self.carrier = carrier
            self.providerMessageId = providerMessageId
            self.reference = reference
            self.status = status
            self.providerStatus = providerStatus
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.timestamp = timestamp
            self.unmappedStatus = unmappedStatus
        }
    }

    enum CodingKeys: String, CodingKey { case type, data }

    /// Encodes as `{"type": "message.received" | "message.status", "data": {...}}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .received(let m):
            try c.encode("message.received", forKey: .type)
            try c.encode(m, forKey: .data)
        case .status(let s):
            try c.encode("message.status", forKey: .type)
            try c.encode(s, forKey: .data)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "message.received": self = .received(try c.decode(MessageReceived.self, forKey: .data))
        case "message.status": self = .status(try c.decode(MessageStatus.self, forKey: .data))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown event type '\(other)'")
        }
    }
}
