/// The opt-out list a channel belongs to: a STOP on one SMS channel of an account blocks every SMS and MMS channel
/// of that account; WhatsApp and RCS have lists of their own.
enum OptOutKind: String, Sendable, CaseIterable, Codable {
    case sms, whatsapp, rcs

    static func of(channel: String) -> OptOutKind {
        switch channel {
        case "whatsapp": return .whatsapp
        case "rcs": return .rcs
        default: return .sms
        }
    }
}
