import CarrierCore
import Crypto

/// Checks the `sig` parameter of a Vonage SMS API callback.
///
/// Signed string: every parameter except the signature, sorted by name, written as `&name=value`, where `&`
/// and `=` inside a value are replaced with `_` (as Vonage's SDKs do). `md5hash` signs that string followed by the
/// secret with MD5; the other methods are HMACs keyed with the secret. The hex digest compares in either case.
/// A repeated parameter keeps its last value.
///
/// - Parameters:
///   - params: query or form pairs (including the signature).
///   - secret: the account's signature secret.
///   - algorithm: the signature method configured on the account.
///   - signatureParam: the name of the signature parameter (`sig`).
/// - Returns: true when the signature parameter is present and matches.
func verifyVonageSig(
    params: [(String, String)], secret: String, algorithm: VonageSignatureMethod, signatureParam: String = "sig"
) -> Bool {
    var values: [String: String] = [:]
    var received: String?
    for (name, value) in params {
        if name == signatureParam {
            received = value
        } else {
            values[name] = value
        }
    }
    guard let received, let receivedBytes = decodeHex(received) else { return false }
    var message: [UInt8] = []
    for name in values.keys.sorted(by: utf8Precedes) {
        message.append(UInt8(ascii: "&"))
        message.append(contentsOf: name.utf8)
        message.append(UInt8(ascii: "="))
        for b in (values[name] ?? "").utf8 {
            message.append(b == UInt8(ascii: "&") || b == UInt8(ascii: "=") ? UInt8(ascii: "_") : b)
        }
    }
    let expected: [UInt8]
    let key = SymmetricKey(data: Array(secret.utf8))
    switch algorithm {
    case .md5hash:
        expected = Array(Insecure.MD5.hash(data: message + Array(secret.utf8)))
    case .md5:
        expected = Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: key))
    case .sha1:
        expected = HMACAlgorithm.sha1.authenticationCode(for: message, key: secret.utf8)
    case .sha256:
        expected = HMACAlgorithm.sha256.authenticationCode(for: message, key: secret.utf8)
    case .sha512:
        expected = HMACAlgorithm.sha512.authenticationCode(for: message, key: secret.utf8)
    }
    return constantTimeEquals(receivedBytes, expected)
}
