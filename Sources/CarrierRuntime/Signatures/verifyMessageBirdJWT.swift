import CarrierCore
import Foundation

/// Checks a `MessageBird-Signature-JWT` header: an HS256 JWT signed with the signing key whose claims bind it to
/// this request. Returns true when `messageBirdJWTProblem` finds nothing wrong.
func verifyMessageBirdJWT(token: String, url: String, body: [UInt8], secret: String, now: Date) -> Bool {
    messageBirdJWTProblem(token: token, url: url, body: body, secret: secret, now: now) == nil
}

/// Why a MessageBird JWT does not verify, or nil when it does. Checked: three Base64url parts; header `alg` is
/// `HS256`; the HMAC-SHA256 signature; `iss` is `MessageBird` when present; `nbf` and `exp` against `now` (with
/// one second of leeway); `url_hash` = hex SHA-256 of the URL; `payload_hash` = hex SHA-256 of the body when the
/// body is not empty, and absent when it is. The reason is for logs and never contains the secret.
func messageBirdJWTProblem(token: String, url: String, body: [UInt8], secret: String, now: Date) -> String? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { return "token does not have three parts" }
    guard let headerBytes = decodeBase64URL(String(parts[0])), let payloadBytes = decodeBase64URL(String(parts[1])),
        let signature = decodeBase64URL(String(parts[2]))
    else { return "token part is not Base64url" }
    guard let header = try? parseJSON(headerBytes), let claims = try? parseJSON(payloadBytes) else {
        return "token header or claims are not JSON"
    }
    guard header["alg"] == .string("HS256") else { return "token algorithm is not HS256" }
    let signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
    let expected = HMACAlgorithm.sha256.authenticationCode(for: signingInput, key: secret.utf8)
    guard constantTimeEquals(signature, expected) else { return "token signature does not match" }
    if let issuer = claims["iss"], issuer != .string("MessageBird") { return "token issuer is not MessageBird" }
    let leeway = 1.0
    let nowSeconds = now.timeIntervalSince1970
    if let nbf = claims["nbf"] {
        guard let value = nbf.text.flatMap(Double.init) else { return "nbf is not a number" }
        if value > nowSeconds + leeway { return "token is not valid yet (nbf)" }
    }
    if let exp = claims["exp"] {
        guard let value = exp.text.flatMap(Double.init) else { return "exp is not a number" }
        if value < nowSeconds - leeway { return "token has expired (exp)" }
    }
    guard let urlHash = claims["url_hash"]?.text, let urlHashBytes = decodeHex(urlHash),
        constantTimeEquals(urlHashBytes, sha256(url.utf8))
    else { return "url_hash does not match the request URL" }
    if body.isEmpty {
        if claims["payload_hash"] != nil { return "payload_hash present for an empty body" }
    } else {
        guard let payloadHash = claims["payload_hash"]?.text, let payloadHashBytes = decodeHex(payloadHash),
            constantTimeEquals(payloadHashBytes, sha256(body))
        else { return "payload_hash does not match the request body" }
    }
    return nil
}
