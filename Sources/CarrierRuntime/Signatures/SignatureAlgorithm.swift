import CarrierCore
import Crypto

extension HMACAlgorithm {
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
