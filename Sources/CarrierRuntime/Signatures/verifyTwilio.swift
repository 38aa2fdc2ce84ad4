import CarrierCore

/// Checks an `X-Twilio-Signature` header.
///
/// Signed bytes: the public URL exactly as configured, then for every parameter name in sorted order, the name
/// followed by its value (a repeated name contributes each distinct value, values sorted too, as twilio-python
/// does). HMAC-SHA1 keyed with the auth token, Base64. Sorting is by code point (UTF-8 byte order), like Python.
///
/// - Parameters:
///   - signature: the header value.
///   - url: the public URL of the request including its query string.
///   - params: form body pairs in body order; empty for JSON webhooks (whose URL carries `bodySHA256`).
///   - authToken: the account's auth token.
/// - Returns: true when the signature matches.
func verifyTwilio(signature: String, url: String, params: [(String, String)], authToken: String) -> Bool {
    var grouped: [String: Set<String>] = [:]
    for (name, value) in params {
        grouped[name, default: []].insert(value)
    }
    var message = Array(url.utf8)
    for name in grouped.keys.sorted(by: utf8Precedes) {
        for value in (grouped[name] ?? []).sorted(by: utf8Precedes) {
            message.append(contentsOf: name.utf8)
            message.append(contentsOf: value.utf8)
        }
    }
    let expected = HMACAlgorithm.sha1.authenticationCode(for: message, key: authToken.utf8)
    return base64Matches(signature, expected)
}

/// Checks a Twilio JSON webhook: the URL's `bodySHA256` query parameter must be the hex SHA-256 of the body and
/// the signature must cover the URL (with no parameters).
func verifyTwilioJSON(signature: String, url: String, body: [UInt8], authToken: String) -> Bool {
    guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first,
        let pairs = try? parseFormPairs(Array(query.utf8)),
        let claimed = pairs.last(where: { $0.0 == "bodySHA256" })?.1,
        let claimedBytes = decodeHex(claimed)
    else { return false }
    let bodyHashOK = constantTimeEquals(claimedBytes, sha256(body))
    let signatureOK = verifyTwilio(signature: signature, url: url, params: [], authToken: authToken)
    return bodyHashOK && signatureOK
}

/// Code-point order, matching Python's `sorted` on `str`.
func utf8Precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
