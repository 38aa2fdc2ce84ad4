import Crypto
import Foundation

/// Standard Webhooks signing (standardwebhooks.com): `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the secret's bytes (the base64 after `whsec_`); several
/// secrets (during a rotation) give several space-separated signatures.
enum WebhookSignature {
    static let secretPrefix = "whsec_"

    /// A new secret: `whsec_` and the base64 of 32 random bytes.
    static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// The HMAC key of a secret: the base64 after `whsec_` decoded; nil when it is not valid base64.
    static func key(of secret: String) -> SymmetricKey? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// `v1,<base64>` for one secret.
    static func sign(id: String, timestamp: Int, body: [UInt8], secret: String) -> String? {
        guard let key = key(of: secret) else { return nil }
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The three headers of one attempt; `secrets` current first.
    static func headers(id: String, timestamp: Int, body: [UInt8], secrets: [String]) -> [(String, String)] {
        let signatures = secrets.compactMap { sign(id: id, timestamp: timestamp, body: body, secret: $0) }
        return [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signatures.joined(separator: " ")),
        ]
    }
}
