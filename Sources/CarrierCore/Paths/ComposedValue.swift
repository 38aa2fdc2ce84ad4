/// A value put together from literal text and paths: `geo:{location.latitude},{location.longitude}`.
///
/// For payloads that spread one canonical value over several fields (a WhatsApp location's two coordinates).
/// Each `{...}` is a path from the current item; the value exists only when every path has one. Parsed once, when
/// the definition compiles or the table is read; the table stores the text.
public struct ComposedValue: Sendable, Hashable, StoredAsText {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case path(PathExpression)
    }

    public let text: String
    public let segments: [Segment]
    /// When the paths with `[*]` share everything up to it (`attachments[*].content_type`,
    /// `attachments[*].content`): the path to those items, so that a list field composes one value per item.
    public let items: PathExpression?

    /// Splits `text` into literals and paths; at least one path, braces balanced, every path valid.
    /// - Throws: `PathSyntaxError` with the offset of the problem in `text`.
    public init(parsing text: String) throws(PathSyntaxError) {
        var segments: [Segment] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            let offset = text.distance(from: text.startIndex, to: open)
            guard rest[open] == "{" else { throw PathSyntaxError(message: "'}' without '{'", offset: offset) }
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw PathSyntaxError(message: "'{' without '}'", offset: offset)
            }
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
            let inner = String(rest[rest.index(after: open)..<close])
            do {
                segments.append(.path(try PathExpression.parse(inner)))
            } catch {
                throw PathSyntaxError(message: error.message, offset: offset + 1 + error.offset)
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { segments.append(.literal(literal)) }
        let paths = segments.compactMap { segment -> PathExpression? in
            if case .path(let path) = segment { return path }
            return nil
        }
        guard !paths.isEmpty else { throw PathSyntaxError(message: "no {path} in the value", offset: 0) }
        self.text = text
        self.segments = segments
        self.items = Self.sharedItems(of: paths.filter(\.hasWildcard))
    }

    /// The common path up to and including the first `[*]` of every path in `fanned`, if they have one.
    private static func sharedItems(of fanned: [PathExpression]) -> PathExpression? {
        guard let first = fanned.first, let star = first.components.firstIndex(of: .wildcard) else { return nil }
        let prefix = Array(first.components[...star])
        let shared = fanned.allSatisfy {
            $0.anchor == first.anchor && Array($0.components.prefix(prefix.count)) == prefix
        }
        return shared ? PathExpression(anchor: first.anchor, components: prefix, text: "") : nil
    }

    public var storedText: String { text }

    public init(storedText: String) throws(StoredTextError) {
        do {
            self = try ComposedValue(parsing: storedText)
        } catch {
            throw StoredTextError(message: "bad compose value: \(error.message)")
        }
    }
}
