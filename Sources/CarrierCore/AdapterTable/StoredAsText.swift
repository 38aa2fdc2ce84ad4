/// A value the adapter table keeps as the text it was parsed from (paths, templates, `when:` conditions, composed
/// values): encoding writes that text and decoding parses it again, so the table stays readable and one parser
/// decides what is valid.
public protocol StoredAsText: Codable {
    /// The source text.
    var storedText: String { get }
    /// Parses `storedText`.
    init(storedText: String) throws(StoredTextError)
}

/// Why stored text did not parse back.
public struct StoredTextError: Error, Sendable {
    public var message: String
}

extension StoredAsText {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(storedText: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storedText)
    }
}
