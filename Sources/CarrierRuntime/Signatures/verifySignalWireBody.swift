import CarrierCore

/// Checks SignalWire's signature of RELAY, SWML and JSON webhooks: lower-case hex of HMAC-SHA1, keyed with the
/// project's signing key, over the public URL followed by the raw body. Compatibility (cXML) webhooks are signed
/// the Twilio way instead; the `signalwire` scheme tries this check first, then that one, as SignalWire's SDKs do.
///
/// - Parameters:
///   - signature: the `X-SignalWire-Signature` header.
///   - url: the public URL of the request, with its query.
///   - body: the raw body.
///   - signingKey: the project's signing key.
/// - Returns: true when the signature matches.
func verifySignalWireBody(signature: String, url: String, body: [UInt8], signingKey: String) -> Bool {
    let expected = HMACAlgorithm.sha1.authenticationCode(for: Array(url.utf8) + body, key: signingKey.utf8)
    return constantTimeEquals(Array(signature.lowercased().utf8), Array(hexString(expected).utf8))
}
