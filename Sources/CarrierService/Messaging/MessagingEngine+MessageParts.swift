import CarrierRuntime

/// Long inbound messages that a carrier delivers as separate webhooks (Vonage's `concat-ref`, `concat-total`,
/// `concat-part`): each part waits (``InboundStore``) until the set is complete, then one message is stored.
///
/// Parts that never complete are not lost: after ``partWaitSeconds`` the parts that did arrive are stored as one
/// message marked `parts-missing`. Assembled parts are kept for ``assembledPartKeepSeconds`` so that a part the
/// carrier sends again is recognised and not taken for the start of a new message.
extension MessagingEngine {
    static let partWaitSeconds: Double = 30 * 60
    static let assembledPartKeepSeconds: Double = 60 * 60

    /// One waiting part, as stored.
    struct StoredPart: Sendable {
        var number: Int
        var to: String?
        var body: String?
        var media: [String]
        var providerMessageId: String?
    }

    /// The whole message once every part of `total` has arrived, else nil.
    static func assembled(
        _ parts: [StoredPart], total: Int, from: String, carrier: String
    ) -> NormalizedEvent.MessageReceived? {
        parts.count == total ? joined(parts, from: from, carrier: carrier) : nil
    }

    /// The note on a message stored with parts missing.
    static func partsMissingNote(arrived: Int, total: Int) -> (code: String, message: String) {
        ("parts-missing", "\(arrived) of \(total) parts arrived")
    }

    /// The parts as one message: texts and media in part order, the first part's id (the carrier's id for the
    /// message's start). No opt-out keyword: a message long enough to be split is not one.
    static func joined(_ parts: [StoredPart], from: String, carrier: String) -> NormalizedEvent.MessageReceived {
        NormalizedEvent.MessageReceived(
            carrier: carrier, from: from, to: parts.lazy.compactMap(\.to).first,
            text: parts.compactMap(\.body).joined(), media: parts.flatMap(\.media),
            providerMessageId: parts.lazy.compactMap(\.providerMessageId).first)
    }
}
