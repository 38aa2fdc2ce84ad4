import CarrierCore
import Crypto
import Foundation

/// Checks an Ed25519 webhook signature over `timestamp + "|" + body` (Telnyx `telnyx-signature-ed25519` with
/// `telnyx-timestamp`), and that the timestamp is within `toleranceSeconds` of `now` (replay protection).
///
/// - Parameters:
///   - body: the raw request body.
///   - timestamp: the timestamp header (Unix seconds).
///   - signatureBase64: the signature header (Base64 of 64 bytes).
///   - publicKeyBase64: the carrier's public key (Base64 of the raw 32-byte key).
///   - now: the current time.
///   - toleranceSeconds: how far the timestamp may be from `now`, either way.
/// - Returns: true when the signature matches and the timestamp is fresh.
/// - Throws: `SignatureError` `bad-public-key` when the configured key is not a 32-byte Base64 Ed25519 key.
func verifyEd25519(
    body: [UInt8], timestamp: String, signatureBase64: String, publicKeyBase64: String, now: Date,
    toleranceSeconds: Int
) throws(SignatureError) -> Bool {
    guard let keyBytes = decodeBase64(publicKeyBase64), keyBytes.count == 32,
        let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
    else {
        throw SignatureError(code: "bad-public-key", message: "the Ed25519 public key is not Base64 of 32 bytes")
    }
    guard let seconds = Int64(timestamp.trimmingCharacters(in: .whitespaces)) else { return false }
    let age = now.timeIntervalSince1970 - TimeInterval(seconds)
    guard abs(age) <= TimeInterval(toleranceSeconds) else { return false }
    guard let signature = decodeBase64(signatureBase64), signature.count == 64 else { return false }
    var message = Array(timestamp.utf8)
    message.append(UInt8(ascii: "|"))
    message.append(contentsOf: body)
    return key.isValidSignature(signature, for: message)
}
