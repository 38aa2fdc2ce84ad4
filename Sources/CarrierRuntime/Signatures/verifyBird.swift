import CarrierCore
import Foundation

/// Checks Bird's `messagebird-signature`: Base64 of HMAC-SHA256, keyed with the webhook's signing key, over
/// `timestamp + "\n" + URL + "\n" + SHA-256(body)` (the raw 32-byte digest), with the timestamp from
/// `messagebird-request-timestamp` within `toleranceSeconds` of `now` (replay protection).
///
/// - Parameters:
///   - body: the raw request body.
///   - timestamp: the timestamp header (Unix seconds).
///   - signature: the signature header.
///   - url: the public URL of the request, query string included.
///   - signingKey: the webhook subscription's signing key.
///   - now: the current time.
///   - toleranceSeconds: how far the timestamp may be from `now`, either way.
/// - Returns: true when the signature matches and the timestamp is fresh.
func verifyBird(
    body: [UInt8], timestamp: String, signature: String, url: String, signingKey: String, now: Date,
    toleranceSeconds: Int
) -> Bool {
    guard let seconds = Int64(timestamp.trimmingCharacters(in: .whitespaces)),
        abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= TimeInterval(toleranceSeconds)
    else { return false }
    var message = Array(timestamp.utf8)
    message.append(UInt8(ascii: "\n"))
    message.append(contentsOf: url.utf8)
    message.append(UInt8(ascii: "\n"))
    message.append(contentsOf: sha256(body))
    return base64Matches(signature, HMACAlgorithm.sha256.authenticationCode(for: message, key: signingKey.utf8))
}
