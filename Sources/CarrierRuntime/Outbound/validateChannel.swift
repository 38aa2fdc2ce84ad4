public import CarrierCore

/// Checks a channel against its carrier's definition: the kind is one the carrier carries, every required setting
/// has a value, no setting is unknown, and the address has the shape the kind needs (E.164 for WhatsApp; E.164, a
/// short code or a sender name for SMS and MMS; anything non-empty for RCS agents). Every problem is returned.
public func validateChannel(adapter: Adapter, channel: String, address: String, settings: [String: String])
    -> [MessageError]
{
    var errors: [MessageError] = []
    if !adapter.channels.contains(channel) {
        errors.append(
            MessageError(
                code: "unsupported-channel",
                message:
                    "carrier '\(adapter.id)' does not carry '\(channel)' (it carries \(adapter.channels.joined(separator: ", ")))",
                attribute: "channel"))
    }
    for (name, spec) in adapter.settings.sorted(by: { $0.key < $1.key })
    where spec.required && spec.default == nil && (settings[name] ?? "").isEmpty {
        errors.append(
            MessageError(
                code: "missing-setting", message: "carrier '\(adapter.id)' needs setting '\(name)'",
                attribute: "settings.\(name)"))
    }
    for name in settings.keys.sorted() where adapter.settings[name] == nil {
        let known = adapter.settings.keys.sorted().joined(separator: ", ")
        errors.append(
            MessageError(
                code: "unknown-setting",
                message: "carrier '\(adapter.id)' has no setting '\(name)' (it has: \(known.isEmpty ? "none" : known))",
                attribute: "settings.\(name)"))
    }
    let addressFits: Bool
    switch channel {
    case "whatsapp": addressFits = isE164(address)
    case "rcs": addressFits = !address.isEmpty
    default: addressFits = isE164(address) || isShortCode(address) || isAlphanumericSender(address)
    }
    if !addressFits {
        errors.append(
            MessageError(
                code: "invalid-address",
                message: channel == "whatsapp"
                    ? "a WhatsApp channel's address is its E.164 number, e.g. +15551234567"
                    : "the address must be an E.164 number, a 5-6 digit short code or a sender name of 1-11 letters",
                attribute: "address"))
    }
    return errors
}
