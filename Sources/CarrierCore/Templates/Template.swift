/// A parsed template: literal text and `{{ expression }}` placeholders.
///
/// In the adapter table a template is stored as its source text and parsed again on load; the compiler has
/// already checked it, so a parse failure on load means the table was edited by hand.
public struct Template: Sendable, Hashable, StoredAsText, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case text(String)
        case expression(TemplateExpression)
    }

    public var parts: [Part]
    public var source: String

    public var description: String { source }

    /// The single expression when the template is exactly one placeholder (its value keeps its type).
    public var soleExpression: TemplateExpression? {
        if parts.count == 1, case .expression(let e) = parts[0] { return e }
        return nil
    }

    /// True when the template has no placeholders.
    public var isLiteral: Bool {
        parts.allSatisfy { if case .text = $0 { true } else { false } }
    }

    /// All expressions, in order.
    public var expressions: [TemplateExpression] {
        parts.compactMap { if case .expression(let e) = $0 { e } else { nil } }
    }

    public init(parts: [Part], source: String) {
        self.parts = parts
        self.source = source
    }

    /// Parses `text`. Throws the first syntax problem with its offset (in Unicode scalars).
    public static func parse(_ text: String) throws(TemplateSyntaxError) -> Template {
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "{", i + 1 < scalars.count, scalars[i + 1] == "{" {
                let start = i
                i += 2
                var inner = String.UnicodeScalarView()
                var closed = false
                var quote: Unicode.Scalar? = nil
                while i < scalars.count {
                    let c = scalars[i]
                    if let q = quote {
                        if c == "\\", i + 1 < scalars.count {
                            inner.append(c)
                            inner.append(scalars[i + 1])
                            i += 2
                            continue
                        }
                        if c == q { quote = nil }
                    } else if c == "\"" {
                        quote = c
                    } else if c == "}", i + 1 < scalars.count, scalars[i + 1] == "}" {
                        closed = true
                        i += 2
                        break
                    }
                    inner.append(c)
                    i += 1
                }
                guard closed else { throw TemplateSyntaxError(message: "unclosed '{{'", offset: start) }
                if !literal.isEmpty {
                    parts.append(.text(String(literal)))
                    literal.removeAll()
                }
                let expression = try TemplateExpression.parse(String(inner), offset: start + 2)
                parts.append(.expression(expression))
            } else if scalars[i] == "}", i + 1 < scalars.count, scalars[i + 1] == "}" {
                throw TemplateSyntaxError(message: "'}}' without a matching '{{'", offset: i)
            } else {
                literal.append(scalars[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(String(literal))) }
        return Template(parts: parts, source: text)
    }

    public var storedText: String { source }

    public init(storedText: String) throws(StoredTextError) {
        do {
            self = try Template.parse(storedText)
        } catch {
            throw StoredTextError(message: "bad template: \(error.message)")
        }
    }
}

/// Why a template or expression did not parse; `offset` counts Unicode scalars into the template text.
public struct TemplateSyntaxError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int
}
