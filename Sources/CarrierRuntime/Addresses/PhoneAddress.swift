public import CarrierCore

/// Converts phone numbers between the service's E.164 form and a carrier's wire form (``AddressRule``).
public enum PhoneAddress {
    /// An inbound `from` or `to` as E.164 when it is a phone number; short codes (up to 6 digits) and alphanumeric
    /// senders come back unchanged (trimmed).
    ///
    /// Whatever the format, a `whatsapp:` prefix is dropped and spaces, dashes, dots and parentheses inside a number
    /// are ignored (`+250 788 123 200`). `digits` and `e164` carriers' 7 to 15 bare digits get a `+`; `national`
    /// carriers' `0…` numbers get the default country code and `00…` ones a `+`.
    public static func normalize(_ raw: String, rule: AddressRule?) -> String {
        var text = Substring(raw.trimmingASCIIWhitespace())
        if text.count > 9, text.prefix(9).lowercased() == "whatsapp:" { text = text.dropFirst(9) }
        let plus = text.first == "+"
        let body = plus ? text.dropFirst() : text
        var digits = ""
        for scalar in body.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case " ", "-", ".", "(", ")": continue
            default: return String(text)
            }
        }
        guard !digits.isEmpty else { return String(text) }
        if plus { return (5...17).contains(digits.count) ? "+" + digits : String(text) }
        guard digits.count >= 7, digits.count <= 17 else { return String(text) }
        if rule?.format == .national {
            if digits.hasPrefix("00") { return "+" + digits.dropFirst(2) }
            if digits.hasPrefix("0"), let country = rule?.defaultCountry { return "+" + country + digits.dropFirst() }
        }
        return "+" + digits
    }

    /// An E.164 `to` or `from` as the carrier writes it; anything else (short codes, sender names) unchanged.
    /// - Parameter channel: the message's channel; `whatsapp-prefix` only prefixes WhatsApp messages.
    public static func wire(_ address: String, channel: String, rule: AddressRule?) -> String {
        guard let rule, address.first == "+" else { return address }
        switch rule.format {
        case .e164:
            return address
        case .digits:
            return String(address.dropFirst())
        case .whatsappPrefix:
            return channel == "whatsapp" ? "whatsapp:" + address : address
        case .national:
            guard let country = rule.defaultCountry, address.dropFirst().hasPrefix(country) else { return address }
            return "0" + address.dropFirst(1 + country.count)
        }
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var scalars = Substring(self).unicodeScalars[...]
        while let c = scalars.first, c == " " || c == "\t" || c == "\n" || c == "\r" { scalars.removeFirst() }
        while let c = scalars.last, c == " " || c == "\t" || c == "\n" || c == "\r" { scalars.removeLast() }
        return Substring(scalars)
    }
}
