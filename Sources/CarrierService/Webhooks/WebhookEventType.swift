/// The events a customer can subscribe to, and which status changes `deliveryReport` lets through.
enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    /// An inbound message (MO) was stored.
    case messageReceived = "message.received"
    /// An outbound message moved forward: sent, delivered, read, failed, undelivered, expired or canceled.
    case messageStatus = "message.status"
    /// A contact opted out (STOP) or back in (START).
    case optOutChanged = "optout.changed"

    /// The values `POST /send` takes as `deliveryReport`.
    static let deliveryReportValues: Set<String> = ["none", "final", "all"]

    /// Whether a message's `callbackUrl` gets the change to `status` under its `deliveryReport` (nil: `all`).
    /// `final` leaves out `sent`: every other status a message can move to is an outcome.
    static func callbackWants(status: String, deliveryReport: String?) -> Bool {
        switch deliveryReport ?? "all" {
        case "none": return false
        case "final": return status != MessageStatus.sent.rawValue
        default: return true
        }
    }
}
