/// A closed set of names a definition may use (a text encoding, a filter, a canonical status, ...).
///
/// The compiler accepts exactly these names and the runtime switches over the same cases, so a definition that
/// compiles cannot fail at run time on a name. Each term is stored in the adapter table as its name.
public protocol VocabularyTerm: RawRepresentable, CaseIterable, Sendable, Hashable, Codable
where RawValue == String {}

extension VocabularyTerm {
    /// Every name, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// Why a name or a pattern is not part of the format's vocabulary (a timestamp pattern, a time zone).
///
/// `code` is the stable diagnostic code; `offset` the character offset of the problem inside the text.
public struct VocabularyError: Error, Sendable, Hashable {
    public var code: String
    public var message: String
    public var offset: Int?
}

/// A vocabulary value parsed from text (a timestamp pattern, a zone) and stored in the adapter table as that text.
protocol ParsedFromText: StoredAsText {
    static func parse(_ text: String) throws(VocabularyError) -> Self
    var text: String { get }
}

extension ParsedFromText {
    public var storedText: String { text }

    public init(storedText: String) throws(StoredTextError) {
        do {
            self = try Self.parse(storedText)
        } catch {
            throw StoredTextError(message: error.message)
        }
    }
}
