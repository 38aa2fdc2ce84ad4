/// How a carrier writes phone numbers on the wire, in both directions (definition key `addresses`).
///
/// The service stores and compares numbers as E.164 (`+` and digits). The runtime renders outbound `to` and `from`
/// in the carrier's form and normalizes inbound `from` and `to` back to E.164. Short codes and alphanumeric senders
/// are never changed.
public struct AddressRule: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// `+15551234567` both ways.
        case e164
        /// `15551234567`: E.164 without the `+`.
        case digits
        /// E.164, written `whatsapp:+15551234567` on WhatsApp messages (Twilio's WhatsApp addressing).
        case whatsappPrefix = "whatsapp-prefix"
        /// `0712345678` for numbers of ``AddressRule/defaultCountry``; other numbers stay E.164.
        case national
    }

    public var format: Format
    /// The country calling code (1 to 3 digits, e.g. `254`) of national numbers; only with `national`.
    public var defaultCountry: String?

    public init(format: Format, defaultCountry: String? = nil) {
        self.format = format
        self.defaultCountry = defaultCountry
    }
}
