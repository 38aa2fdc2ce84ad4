import CarrierCore

/// The GSM 03.38 default alphabet, as Unicode scalars.
///
/// A character of the basic table costs one septet; a character of the extension table costs two
/// (the escape septet 0x1B followed by the character's code). The escape itself (U+001B) is not
/// text and is treated as outside the alphabet.
enum GSM7Alphabet {
    /// The 127 printable characters of the basic table (every code point except 0x1B, the escape).
    static let basic: Set<Unicode.Scalar> = {
        let table: String =
            "@£$¥èéùìòÇ\nØø\rÅå"
            + "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
            + " !\"#¤%&'()*+,-./"
            + "0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNO"
            + "PQRSTUVWXYZÄÖÑÜ§"
            + "¿abcdefghijklmno"
            + "pqrstuvwxyzäöñüà"
        return Set(table.unicodeScalars)
    }()

    /// The extension table characters; each is sent as escape + code and costs two septets.
    static let extended: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Returns the septet cost of `scalar` (1 or 2), or `nil` when it cannot be sent as GSM-7.
    static func septets(for scalar: Unicode.Scalar) -> Int? {
        if basic.contains(scalar) { return 1 }
        if extended.contains(scalar) { return 2 }
        return nil
    }
}
