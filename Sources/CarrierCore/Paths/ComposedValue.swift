/// A value put together from literal text and paths: `geo:{location.latitude},{location.longitude}`.
///
/// For payloads that spread one canonical value over several fields (a WhatsApp location's two coordinates).
/// Each `{...}` is a path from the current item; the value exists only when every path has one.
public enum ComposedValue {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case path(PathExpression)
    }

    /// Splits `text` into literals and paths; at least one path, braces balanced, every path valid.
    /// - Throws: `PathSyntaxError` with the offset of the problem in `text`.
    public static func parse(_ text: String) throws(PathSyntaxError) -> [Segment] {
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
        guard segments.contains(where: { if case .path = $0 { true } else { false } }) else {
            throw PathSyntaxError(message: "no {path} in the value", offset: 0)
        }
        return segments
    }
}
