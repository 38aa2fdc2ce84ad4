/// Checks an RSASSA-PKCS1-v1_5 signature with SHA-224 (RFC 8017 section 8.2.2), which swift-crypto cannot.
///
/// The expected encoded message `00 01 FF..FF 00 DigestInfo(SHA-224, H)` is built and compared whole with
/// `signature^e mod n`, rather than parsing the decrypted block, so no lenient parse can accept a forgery.
///
/// - Parameters:
///   - signature: the signature bytes (exactly as long as the modulus).
///   - message: the signed bytes.
///   - modulus: `n`, big-endian.
///   - exponent: `e`, big-endian.
/// - Returns: true when the signature is valid.
func verifyRSASHA224(signature: [UInt8], message: [UInt8], modulus: [UInt8], exponent: [UInt8]) -> Bool {
    guard let n = RSAPublicModulus(bigEndian: modulus), signature.count == n.byteCount,
        let decrypted = n.power(signature, exponent: exponent)
    else { return false }
    // DER of DigestInfo { AlgorithmIdentifier { id-sha224, NULL }, OCTET STRING (28 bytes) }, RFC 8017 section 9.2.
    let digestInfo: [UInt8] =
        [
            0x30, 0x2D, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04,
            0x1C,
        ]
        + sha224(message)
    let padding = n.byteCount - digestInfo.count - 3
    guard padding >= 8 else { return false }
    let expected = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: padding) + [0x00] + digestInfo
    return decrypted == expected
}
