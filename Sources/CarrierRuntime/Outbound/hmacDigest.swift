import CarrierCore
import Crypto

/// HMAC of `message` with `key`; `algorithm` is `sha1`, `sha256` or `sha512`.
func hmacDigest(algorithm: String, key: [UInt8], message: [UInt8]) throws(RenderError) -> [UInt8] {
    let symmetricKey = SymmetricKey(data: key)
    switch algorithm.lowercased() {
    case "sha1": return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetricKey))
    case "sha256": return Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetricKey))
    case "sha512": return Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetricKey))
    default:
        throw RenderError(code: "bad-auth", message: "unknown hmac algorithm '\(algorithm)' (sha1, sha256, sha512)")
    }
}
