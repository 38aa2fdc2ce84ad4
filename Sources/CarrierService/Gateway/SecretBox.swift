import Crypto
import Foundation

/// Encrypts secret channel settings for the database (AES-256-GCM, a fresh 96-bit nonce per value).
///
/// A stored value is `enc:v1:` and the base64 of nonce, ciphertext and tag. The account, channel and setting name
/// are authenticated with it, so a value copied into another channel's row (or another account's) does not open.
struct SecretBox: Sendable {
    static let prefix = "enc:v1:"
    /// The key's bytes (`SymmetricKey` is not `Sendable`); a key value is made for each use.
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// - Parameter keyText: 64 hex digits, or the base64 of 32 bytes (the resolved `secretsKey`).
    /// - Throws: ``ServiceError`` `bad-secrets-key` for anything else; the message never contains the key.
    init(keyText: String) throws(ServiceError) {
        let text = keyText.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8]?
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var out: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                out.append(UInt8(text[index..<next], radix: 16) ?? 0)
                index = next
            }
            bytes = out
        } else if let data = Data(base64Encoded: text), data.count == 32 {
            bytes = Array(data)
        }
        guard let bytes else {
            throw ServiceError(
                status: 500, code: "bad-secrets-key", message: "secretsKey must be 64 hex digits or base64 of 32 bytes")
        }
        keyBytes = Data(bytes)
    }

    /// What a value is bound to: it only opens for the same account, channel and setting.
    private static func context(account: String, channel: String, name: String) -> Data {
        Data("\(account)\u{0}\(channel)\u{0}\(name)".utf8)
    }

    func seal(_ value: String, account: String, channel: String, name: String) throws(ServiceError) -> String {
        do {
            let box = try AES.GCM.seal(
                Data(value.utf8), using: key,
                authenticating: Self.context(account: account, channel: channel, name: name))
            guard let combined = box.combined else { throw ServiceError.storage("encryption failed") }
            return Self.prefix + combined.base64EncodedString()
        } catch {
            throw .storage("encryption failed")
        }
    }

    /// - Throws: ``ServiceError`` `secret-unreadable` when the value was sealed with another key or for another
    ///   channel, or is damaged.
    func open(_ stored: String, account: String, channel: String, name: String) throws(ServiceError) -> String {
        guard stored.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count)))
        else { throw Self.unreadable(name) }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(
                box, using: key, authenticating: Self.context(account: account, channel: channel, name: name))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw Self.unreadable(name)
        }
    }

    private static func unreadable(_ name: String) -> ServiceError {
        ServiceError(
            status: 500, code: "secret-unreadable",
            message: "setting '\(name)' cannot be decrypted with the configured secretsKey")
    }
}
