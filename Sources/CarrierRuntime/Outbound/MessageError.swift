import CarrierCore

/// A problem with an outbound message found before any network call, shaped like an API validation error.
public struct MessageError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Always `validation`.
    public var type: String
    /// Stable kebab-case code, e.g. `invalid-to`.
    public var code: String
    public var message: String
    /// The message attribute at fault: `to`, `from`, `body`, `media`, `channel`, `template`, `metadata`.
    public var attribute: String

    public init(code: String, message: String, attribute: String) {
        self.type = "validation"
        self.code = code
        self.message = message
        self.attribute = attribute
    }

    public var description: String { "\(attribute): \(message) [\(code)]" }
}
