import CarrierCore
import Crypto
import Foundation

/// Compares two byte strings in time that depends only on their lengths, never on where they differ.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for k in 0..<a.count {
        difference |= a[k] ^ b[k]
    }
    return difference == 0
}

/// Lower-case hex of the bytes.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes of a hex string (either case); nil when the length is odd or a character is not a hex digit.
func decodeHex(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 2)
    for k in stride(from: 0, to: chars.count, by: 2) {
        guard let hi = hexDigitValue(chars[k]), let lo = hexDigitValue(chars[k + 1]) else { return nil }
        out.append(hi << 4 | lo)
    }
    return out
}

/// Bytes of standard Base64 (padding optional); nil when malformed.
func decodeBase64(_ text: String) -> [UInt8]? {
    var padded = text.trimmingCharacters(in: .whitespaces)
    let remainder = padded.utf8.count % 4
    if remainder == 2 { padded += "==" } else if remainder == 3 { padded += "=" }
    return Data(base64Encoded: padded).map { Array($0) }
}

/// Bytes of Base64url (RFC 4648 section 5, no padding), as used by JWT; nil when malformed.
func decodeBase64URL(_ text: String) -> [UInt8]? {
    guard !text.contains("+"), !text.contains("/") else { return nil }
    let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    return decodeBase64(standard)
}

/// SHA-256 digest of the bytes.
func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    Array(SHA256.hash(data: Array(bytes)))
}

/// True when `received` is the Base64 of `expected` (padding optional). Compares the canonical text rather than
/// decoded bytes, because decoders ignore the unused low bits of the last character, so several strings would
/// otherwise be accepted for one digest.
func base64Matches(_ received: String, _ expected: [UInt8]) -> Bool {
    var receivedText = Array(received.utf8)
    while receivedText.last == UInt8(ascii: "=") { receivedText.removeLast() }
    var expectedText = Array(Data(expected).base64EncodedString().utf8)
    while expectedText.last == UInt8(ascii: "=") { expectedText.removeLast() }
    return constantTimeEquals(receivedText, expectedText)
}
