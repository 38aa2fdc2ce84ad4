/// How an inbound text field is encoded inside the payload (`encoding` of a text field).
///
/// The `percent-*` encodings and `gsm7` work on bytes. In form and query bodies the bytes are the value as it was
/// on the wire, percent-decoded once, so `caf%E9` is "café" in `percent-latin1` (not decoded a second time).
public enum TextEncoding: String, VocabularyTerm {
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
    /// GSM 03.38 default alphabet, one unpacked septet per byte (as SMPP gateways forward it), with the 0x1B
    /// extension table: the bytes `05 76 05` are "évé". In JSON or XML, each character's code is one byte.
    case gsm7
    /// GSM 03.38 bytes percent-escaped: `%05v%05nement` is "événement".
    case percentGSM7 = "percent-gsm7"

    /// Whether the encoding reads the value's bytes (so form values are taken as sent, percent-decoded once).
    public var readsBytes: Bool {
        switch self {
        case .percentLatin1, .percentUTF16BE, .gsm7, .percentGSM7: true
        case .utf8, .hexUTF16BE, .base64: false
        }
    }
}
