/// How outbound requests are authenticated. Which fields are set depends on `type`.
public struct AuthRule: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case none, basic, bearer, header, query, body, hmac
    }

    public var type: Kind = .none
    /// basic
    public var username: Template?
    public var password: Template?
    /// bearer
    public var token: Template?
    /// header, query, body: the header, parameter or field name and its value.
    public var name: String?
    public var value: Template?
    /// hmac: header to set, `sha1`/`sha256`/`sha512`, key, signed message, `hex`/`base64`, prefix.
    public var header: String?
    public var algorithm: HMACAlgorithm?
    public var key: Template?
    public var message: Template?
    public var encoding: SignatureEncoding?
    public var prefix: String?
    public var origin: String?

    public init() {}
}
