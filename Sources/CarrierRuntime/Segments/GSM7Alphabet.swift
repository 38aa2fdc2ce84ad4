import CarrierCore

/// The GSM 03.38 default alphabet, as Unicode scalars.
///
/// A character of the basic table costs one septet; a character of the extension table costs two
/// (the escape septet 0x1B followed by the character's code). The escape itself (U+001B) is not
/// text and is treated as outside the alphabet.
enum GSM7Alphabet {
    /// The basic table in code order, without 0x1B (the escape).
    private static let basicTable: String =
        "@£$¥èéùìòÇ\nØø\rÅå"
        + "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
        + " !\"#¤%&'()*+,-./"
        + "0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNO"
        + "PQRSTUVWXYZÄÖÑÜ§"
        + "¿abcdefghijklmno"
        + "pqrstuvwxyzäöñüà"

    /// The 127 printable characters of the basic table (every code point except 0x1B, the escape).
    static let basic: Set<Unicode.Scalar> = Set(basicTable.unicodeScalars)

    /// The character of each basic code (0x1B maps to itself, the escape).
    private static let byCode: [Unicode.Scalar] = {
        var scalars = Array(basicTable.unicodeScalars)
        scalars.insert("\u{1B}", at: 0x1B)
        return scalars
    }()

    /// The character each extension code stands for after the escape.
    private static let extensionByCode: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{0C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
        0x65: "€",
    ]

    /// Text of unpacked septets, one per byte, as SMPP gateways forward them. An escape followed by a code the
    /// extension table lacks is read as that code's basic character (what handsets do, per 03.38).
    ///
    /// - Throws: `PayloadError` `bad-encoding` for a byte of 0x80 or more.
    static func decode(_ bytes: [UInt8]) throws(PayloadError) -> String {
        var scalars = String.UnicodeScalarView()
        var k = 0
        while k < bytes.count {
            let b = bytes[k]
            guard b < 0x80 else {
                throw PayloadError(code: "bad-encoding", message: "GSM 03.38 septets are below 0x80", offset: k)
            }
            if b == 0x1B, k + 1 < bytes.count, bytes[k + 1] < 0x80 {
                let code = bytes[k + 1]
                scalars.append(extensionByCode[code] ?? byCode[Int(code)])
                k += 2
                continue
            }
            scalars.append(b == 0x1B ? " " : byCode[Int(b)])
            k += 1
        }
        return String(scalars)
    }

    /// The extension table characters; each is sent as escape + code and costs two septets.
    static let extended: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Returns the septet cost of `scalar` (1 or 2), or `nil` when it cannot be sent as GSM-7.
    static func septets(for scalar: Unicode.Scalar) -> Int? {
        if basic.contains(scalar) { return 1 }
        if extended.contains(scalar) { return 2 }
        return nil
    }
}
