import CarrierCore

/// Why a body, a timestamp or an encoded text could not be read.
///
/// `code` is a stable kebab-case id that tests, logs and HTTP error bodies match on; `message` is for people;
/// `offset` is the 0-based byte offset into the body (or the character offset into a value) where reading stopped.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var offset: Int?

    public init(code: String, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset {
            return "\(message) (at offset \(offset)) [\(code)]"
        }
        return "\(message) [\(code)]"
    }
}

extension PayloadError {
    static func badJSON(_ message: String, at offset: Int) -> PayloadError {
        PayloadError(code: "bad-json", message: message, offset: offset)
    }

    static func badForm(_ message: String, at offset: Int) -> PayloadError {
        PayloadError(code: "bad-form", message: message, offset: offset)
    }

    static func badXML(_ message: String, at offset: Int) -> PayloadError {
        PayloadError(code: "bad-xml", message: message, offset: offset)
    }

    static func invalidUTF8(at offset: Int) -> PayloadError {
        PayloadError(code: "invalid-utf8", message: "invalid UTF-8 byte sequence", offset: offset)
    }

    static func tooDeep(limit: Int, at offset: Int) -> PayloadError {
        PayloadError(code: "nesting-too-deep", message: "nesting deeper than \(limit) levels", offset: offset)
    }

    static func bodyTooLarge(size: Int, limit: Int) -> PayloadError {
        PayloadError(code: "body-too-large", message: "body has \(size) bytes; the limit is \(limit)", offset: limit)
    }
}
