import CarrierCore

/// The escapings that templates apply according to where a value lands.
enum WireEscaping {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    private static func percentEncode(_ s: String, spaceAsPlus: Bool) -> String {
        percentEncode(bytes: s.utf8, spaceAsPlus: spaceAsPlus)
    }

    private static func percentEncode(bytes: some Collection<UInt8>, spaceAsPlus: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if isUnreserved(b) {
                out.append(b)
            } else if b == 0x20, spaceAsPlus {
                out.append(0x2B)
            } else {
                out.append(0x25)
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986: unreserved `A-Za-z0-9-._~` kept, everything else `%XX` (space is `%20`).
    static func url(_ s: String) -> String { percentEncode(s, spaceAsPlus: false) }

    /// `application/x-www-form-urlencoded`: like ``url(_:)`` but space is `+` (Go's `url.QueryEscape`).
    static func form(_ s: String) -> String { percentEncode(s, spaceAsPlus: true) }

    /// A value's wire bytes (raw for `.bytes`, UTF-8 otherwise), form-encoded.
    static func form(_ value: TemplateValue) -> String { percentEncode(bytes: value.wireBytes, spaceAsPlus: true) }

    /// A value's wire bytes (raw for `.bytes`, UTF-8 otherwise), percent-encoded (RFC 3986).
    static func url(_ value: TemplateValue) -> String { percentEncode(bytes: value.wireBytes, spaceAsPlus: false) }

    /// XML text and attribute escaping.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A JSON string literal with quotes; `/` and non-ASCII are kept as they are.
    static func jsonString(_ s: String) -> String { jsonStringLiteral(s) }

    /// Upper-case hex of the bytes.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension TemplateValue {
    /// The value as JSON text: strings quoted, lists as arrays, null as `null`.
    var jsonText: String {
        switch self {
        case .string(let s): WireEscaping.jsonString(s)
        case .integer(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .list(let l): "[" + l.map(\.jsonText).joined(separator: ",") + "]"
        case .bytes: WireEscaping.jsonString(text)
        }
    }
}
