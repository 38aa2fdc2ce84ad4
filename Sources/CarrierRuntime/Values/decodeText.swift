import CarrierCore
import Foundation

/// Decodes a text field that a carrier sent in a transfer encoding (see `TextEncoding`).
///
/// - Throws: `PayloadError` `bad-encoding` with the character offset of the problem.
func decodeText(_ text: String, encoding: TextEncoding) throws(PayloadError) -> String {
    switch encoding {
    case .utf8:
        return text
    case .hexUTF16BE:
        return try decodeHexUTF16BE(Array(text.utf8))
    case .base64:
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw badEncoding("text is not Base64", at: 0)
        }
        return stringFromUTF8OrLatin1([UInt8](data))
    case .percentLatin1, .percentUTF16BE, .percentGSM7:
        return try decodeBytes(percentDecodedBytes(Array(text.utf8)), as: encoding)
    case .gsm7:
        var bytes: [UInt8] = []
        for (k, scalar) in text.unicodeScalars.enumerated() {
            guard scalar.value < 0x80 else { throw badEncoding("GSM 03.38 septets are below 0x80", at: k) }
            bytes.append(UInt8(scalar.value))
        }
        return try decodeBytes(bytes, as: encoding)
    }
}

/// Decodes a value's bytes, already percent-decoded once (a form or query value as it was on the wire), for the
/// encodings that read bytes (`TextEncoding.readsBytes`).
func decodeBytes(_ bytes: [UInt8], as encoding: TextEncoding) throws(PayloadError) -> String {
    switch encoding {
    case .percentLatin1:
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    case .percentUTF16BE:
        guard bytes.count % 2 == 0 else {
            throw badEncoding("UTF-16BE text has an odd number of bytes (\(bytes.count))", at: bytes.count)
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        for k in stride(from: 0, to: bytes.count, by: 2) {
            units.append(UInt16(bytes[k]) << 8 | UInt16(bytes[k + 1]))
        }
        return try stringFromUTF16(units)
    case .gsm7, .percentGSM7:
        return try GSM7Alphabet.decode(bytes)
    case .utf8, .hexUTF16BE, .base64:
        return try decodeText(stringFromUTF8OrLatin1(bytes), encoding: encoding)
    }
}

private func badEncoding(_ message: String, at offset: Int) -> PayloadError {
    PayloadError(code: "bad-encoding", message: message, offset: offset)
}

private func decodeHexUTF16BE(_ bytes: [UInt8]) throws(PayloadError) -> String {
    guard bytes.count % 4 == 0 else {
        throw badEncoding("hex UTF-16BE text must have 4 hex digits per code unit", at: bytes.count)
    }
    var units: [UInt16] = []
    units.reserveCapacity(bytes.count / 4)
    var k = 0
    while k < bytes.count {
        var unit: UInt16 = 0
        for j in k..<(k + 4) {
            guard let d = hexDigitValue(bytes[j]) else { throw badEncoding("expected a hex digit", at: j) }
            unit = unit << 4 | UInt16(d)
        }
        units.append(unit)
        k += 4
    }
    return try stringFromUTF16(units)
}

/// Percent-decodes `%XX` and `+` (a space); other bytes are taken as they are.
func percentDecodedBytes(_ bytes: [UInt8]) throws(PayloadError) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var k = 0
    while k < bytes.count {
        let b = bytes[k]
        if b == UInt8(ascii: "%") {
            guard k + 2 < bytes.count, let hi = hexDigitValue(bytes[k + 1]), let lo = hexDigitValue(bytes[k + 2]) else {
                throw badEncoding("'%' must be followed by two hex digits", at: k)
            }
            out.append(hi << 4 | lo)
            k += 3
        } else {
            out.append(b == UInt8(ascii: "+") ? 0x20 : b)
            k += 1
        }
    }
    return out
}

/// Decodes UTF-16 code units; an unpaired surrogate is an error (not a replacement character).
private func stringFromUTF16(_ units: [UInt16]) throws(PayloadError) -> String {
    var scalars = String.UnicodeScalarView()
    var k = 0
    while k < units.count {
        let unit = units[k]
        if (0xD800...0xDBFF).contains(unit) {
            guard k + 1 < units.count, (0xDC00...0xDFFF).contains(units[k + 1]) else {
                throw badEncoding("unpaired UTF-16 high surrogate", at: k)
            }
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(units[k + 1]) - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw badEncoding("invalid UTF-16 pair", at: k) }
            scalars.append(scalar)
            k += 2
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw badEncoding("unpaired UTF-16 low surrogate", at: k)
        } else {
            guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw badEncoding("invalid UTF-16 unit", at: k) }
            scalars.append(scalar)
            k += 1
        }
    }
    return String(scalars)
}
