import CarrierCore

/// How an inbound text field is encoded inside the payload (`encoding` of a text field).
enum TextEncoding: String, Sendable, Hashable, CaseIterable {
    /// The text is already Unicode; nothing to do.
    case utf8 = "utf-8"
    /// UTF-16BE code units as hex, four digits each: `00480069` is "Hi".
    case hexUTF16BE = "hex-utf16be"
    /// Percent-escaped ISO-8859-1 bytes (`+` is a space): `caf%E9` is "café".
    case percentLatin1 = "percent-latin1"
    /// Percent-escaped UTF-16BE bytes (`+` is the byte 0x20): `%00H%00i` is "Hi".
    case percentUTF16BE = "percent-utf16be"
    /// Base64 of the text's bytes (UTF-8, or ISO-8859-1 when they are not UTF-8): `SGk=` is "Hi".
    case base64

    /// - Throws: `PayloadError` `unknown-encoding`.
    static func parse(_ name: String) throws(PayloadError) -> TextEncoding {
        guard let encoding = TextEncoding(rawValue: name.lowercased()) else {
            let known = TextEncoding.allCases.map(\.rawValue).joined(separator: ", ")
            throw PayloadError(
                code: "unknown-encoding", message: "unknown text encoding '\(name)'; use one of \(known)")
        }
        return encoding
    }
}
