import CarrierCore

/// Checks an HMAC over the raw body, such as Meta's `X-Hub-Signature-256: sha256=<hex>` or Termii's
/// `X-Termii-Signature: <hex HMAC-SHA512>`.
///
/// - Parameters:
///   - body: the raw request body, exactly as received.
///   - signature: the header value, including any prefix.
///   - secret: the shared secret (HMAC key).
///   - algorithm: `sha1`, `sha256` or `sha512`.
///   - encoding: how the digest is written (`hex` digits may be either case).
///   - prefix: text the header value starts with (`sha256=`); a header without it does not verify.
/// - Returns: true when the signature matches.
func verifyHMAC(
    body: [UInt8], signature: String, secret: String, algorithm: HMACAlgorithm, encoding: SignatureEncoding,
    prefix: String = ""
) -> Bool {
    guard signature.hasPrefix(prefix) else { return false }
    let encoded = String(signature.dropFirst(prefix.count))
    let expected = algorithm.authenticationCode(for: body, key: secret.utf8)
    switch encoding {
    case .base64:
        return base64Matches(encoded, expected)
    case .hex:
        guard let received = decodeHex(encoded) else { return false }
        return constantTimeEquals(received, expected)
    }
}
