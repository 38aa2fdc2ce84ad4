import CarrierCore
import Foundation

/// Checks Plivo's `X-Plivo-Signature-V2`: Base64 of HMAC-SHA256, keyed with the auth token, over the URL Plivo
/// called without its query string, followed by the `X-Plivo-Signature-V2-Nonce` header's value.
///
/// - Parameters:
///   - signature: the signature header; a comma-separated list is accepted, any entry may match.
///   - nonce: the nonce header.
///   - url: the public URL of the request (its query string is ignored).
///   - authToken: the account's auth token.
/// - Returns: true when the signature matches.
func verifyPlivoV2(signature: String, nonce: String, url: String, authToken: String) -> Bool {
    let base = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
    let expected = HMACAlgorithm.sha256.authenticationCode(for: Array((base + nonce).utf8), key: authToken.utf8)
    return signature.split(separator: ",").contains { candidate in
        base64Matches(candidate.trimmingCharacters(in: .whitespaces), expected)
    }
}
