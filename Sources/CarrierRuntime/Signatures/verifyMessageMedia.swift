import CarrierCore
import Crypto
import Foundation
import _CryptoExtras

/// Checks a MessageMedia enterprise webhook signature: RSA PKCS#1 v1.5 over `"<method> <target> HTTP/1.1"` followed
/// by the `Date` header and the raw body, and that the date is within `toleranceSeconds` of `now`.
///
/// The digest is the one the account's signature key was created with (SHA224, SHA256 or SHA512); all three are
/// tried (a PKCS#1 v1.5 signature names its digest, so this accepts nothing a single digest would not). SHA-256 and
/// SHA-512 go through swift-crypto; SHA-224, which swift-crypto's RSA lacks, through ``verifyRSASHA224``.
///
/// - Parameters:
///   - method: the request method.
///   - publicURL: the URL MessageMedia called; its path and query form the signed request line.
///   - date: the `Date` header (RFC 1123, e.g. `Wed, 18 Jul 2018 06:33:52 GMT`).
///   - body: the raw request body.
///   - signatureBase64: the `X-Messagemedia-Signature` header.
///   - publicKey: the key's `public_key` as the signature key API returns it (Base64 DER), or PEM; read by
///     ``rsaPublicKeyComponents(_:)``, never by swift-crypto's own parsers.
///   - now: the current time.
///   - toleranceSeconds: how far the date may be from `now`, either way.
/// - Returns: true when the signature matches and the date is fresh.
/// - Throws: `SignatureError` `bad-public-key` when the configured key is not an RSA public key of 2048 bits or more.
func verifyMessageMedia(
    method: String, publicURL: String, date: String, body: [UInt8], signatureBase64: String, publicKey: String,
    now: Date, toleranceSeconds: Int
) throws(SignatureError) -> Bool {
    let bad = SignatureError(
        code: "bad-public-key",
        message: "the MessageMedia public key is not an RSA public key of 2048 bits or more (Base64 DER or PEM)")
    guard let components = rsaPublicKeyComponents(publicKey), components.n.count * 8 >= 2048,
        let key = try? _RSA.Signing.PublicKey(n: components.n, e: components.e)
    else { throw bad }
    guard let sent = try? readInstant(date, format: .rfc2822, zone: .utc) else { return false }
    guard abs(now.timeIntervalSince1970 - TimeInterval(sent.seconds)) <= TimeInterval(toleranceSeconds) else {
        return false
    }
    guard let signatureBytes = decodeBase64(signatureBase64), !signatureBytes.isEmpty else { return false }
    var signed = Array("\(method.uppercased()) \(requestTarget(of: publicURL)) HTTP/1.1".utf8)
    signed += date.utf8
    signed += body
    let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
    return key.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
        || key.isValidSignature(signature, for: SHA512.hash(data: signed), padding: .insecurePKCS1v1_5)
        || verifyRSASHA224(signature: signatureBytes, message: signed, modulus: components.n, exponent: components.e)
}
