import CarrierCore
import Crypto

/// Digest used by HMAC signature schemes.
enum HMACAlgorithm: String, Sendable, Hashable, CaseIterable {
    case sha1, sha256, sha512

    /// - Throws: `SignatureError` `unknown-algorithm`.
    static func parse(_ name: String) throws(SignatureError) -> HMACAlgorithm {
        guard let algorithm = HMACAlgorithm(rawValue: name.lowercased()) else {
            throw SignatureError(code: "unknown-algorithm", message: "unknown HMAC algorithm '\(name)'")
        }
        return algorithm
    }

    /// HMAC of `message` keyed with `key`.
    func authenticationCode(for message: some Sequence<UInt8>, key: some Sequence<UInt8>) -> [UInt8] {
        let symmetricKey = SymmetricKey(data: Array(key))
        let bytes = Array(message)
        switch self {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: bytes, using: symmetricKey))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: bytes, using: symmetricKey))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: bytes, using: symmetricKey))
        }
    }
}

/// How a signature's bytes are written in a header or parameter.
enum SignatureEncoding: String, Sendable, Hashable, CaseIterable {
    case hex, base64

    /// - Throws: `SignatureError` `unknown-encoding`.
    static func parse(_ name: String) throws(SignatureError) -> SignatureEncoding {
        guard let encoding = SignatureEncoding(rawValue: name.lowercased()) else {
            throw SignatureError(code: "unknown-encoding", message: "unknown signature encoding '\(name)'")
        }
        return encoding
    }
}
