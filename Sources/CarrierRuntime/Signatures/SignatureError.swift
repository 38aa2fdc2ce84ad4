import CarrierCore

/// A signature check that could not run because its configuration is unusable (a bad key, an unknown
/// algorithm). A request whose signature simply does not match is not an error: the check returns false.
public struct SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable kebab-case id: `bad-public-key`, `unknown-algorithm`, `unknown-encoding`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
