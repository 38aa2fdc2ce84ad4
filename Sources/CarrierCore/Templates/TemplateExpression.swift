/// One `{{ ... }}` placeholder, or a `when:` condition: a variable path and a chain of filters.
///
/// Grammar: `["!"] name ("." name)* ("|" filter [":" argument])*` where an argument is a double-quoted
/// string (with `\"` and `\\` escapes), an integer, or a variable (`settings.sender`).
public struct TemplateExpression: Sendable, Hashable, CustomStringConvertible {
    public struct Filter: Sendable, Hashable {
        public var name: String
        public var argument: Argument?
        /// The filter `name` names; nil for an unknown name (the compiler reports it).
        public var kind: TemplateFilter? { TemplateFilter(rawValue: name) }

        public init(name: String, argument: Argument? = nil) {
            self.name = name
            self.argument = argument
        }
    }

    public enum Argument: Sendable, Hashable {
        case string(String)
        case integer(Int)
        /// A variable path, read when the filter applies.
        case variable([String])
    }

    /// The variable path, e.g. `["message", "to"]`.
    public var variable: [String]
    public var filters: [Filter]
    /// `!expr` in a `when:` condition.
    public var negated: Bool
    /// Offset of the expression inside its template, for diagnostics.
    public var offset: Int

    public var description: String {
        var s = (negated ? "!" : "") + variable.joined(separator: ".")
        for f in filters {
            s += " | " + f.name
            switch f.argument {
            case .string(let a)?: s += ":\"\(a)\""
            case .integer(let n)?: s += ":\(n)"
            case .variable(let v)?: s += ":" + v.joined(separator: ".")
            case nil: break
            }
        }
        return s
    }

    public init(variable: [String], filters: [Filter], negated: Bool = false, offset: Int = 0) {
        self.variable = variable
        self.filters = filters
        self.negated = negated
        self.offset = offset
    }

    /// Parses the inside of a placeholder. `offset` is where `text` starts in the enclosing template.
    public static func parse(_ text: String, offset: Int = 0) throws(TemplateSyntaxError) -> TemplateExpression {
        let s = Array(text.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
        func readName() throws(TemplateSyntaxError) -> String {
            var name = String.UnicodeScalarView()
            while i < s.count, isNameChar(s[i]) {
                name.append(s[i])
                i += 1
            }
            guard !name.isEmpty else {
                let found = i < s.count ? "'\(s[i])'" : "the end"
                throw TemplateSyntaxError(message: "expected a name, found \(found)", offset: offset + i)
            }
            return String(name)
        }
        skipSpaces()
        var negated = false
        if i < s.count, s[i] == "!" {
            negated = true
            i += 1
            skipSpaces()
        }
        guard i < s.count else { throw TemplateSyntaxError(message: "empty expression", offset: offset) }
        var variable = [try readName()]
        while i < s.count, s[i] == "." {
            i += 1
            variable.append(try readName())
        }
        var filters: [Filter] = []
        skipSpaces()
        while i < s.count {
            guard s[i] == "|" else {
                throw TemplateSyntaxError(message: "expected '|' or '}}', found '\(s[i])'", offset: offset + i)
            }
            i += 1
            skipSpaces()
            let name = try readName()
            skipSpaces()
            var argument: Argument? = nil
            if i < s.count, s[i] == ":" {
                i += 1
                skipSpaces()
                guard i < s.count else {
                    throw TemplateSyntaxError(message: "missing argument after ':'", offset: offset + i)
                }
                if s[i] == "\"" {
                    i += 1
                    var value = String.UnicodeScalarView()
                    var closed = false
                    while i < s.count {
                        if s[i] == "\\", i + 1 < s.count {
                            let next = s[i + 1]
                            value.append(next == "n" ? "\n" : next == "t" ? "\t" : next)
                            i += 2
                            continue
                        }
                        if s[i] == "\"" {
                            closed = true
                            i += 1
                            break
                        }
                        value.append(s[i])
                        i += 1
                    }
                    guard closed else {
                        throw TemplateSyntaxError(message: "unclosed string argument", offset: offset + i)
                    }
                    argument = .string(String(value))
                } else if ("a"..."z").contains(s[i]) || ("A"..."Z").contains(s[i]) {
                    var path = [try readName()]
                    while i < s.count, s[i] == "." {
                        i += 1
                        path.append(try readName())
                    }
                    argument = .variable(path)
                } else {
                    var digits = ""
                    if s[i] == "-" {
                        digits = "-"
                        i += 1
                    }
                    while i < s.count, ("0"..."9").contains(s[i]) {
                        digits.unicodeScalars.append(s[i])
                        i += 1
                    }
                    guard let n = Int(digits) else {
                        throw TemplateSyntaxError(
                            message: "a filter argument is a quoted string, an integer or a variable",
                            offset: offset + i)
                    }
                    argument = .integer(n)
                }
                skipSpaces()
            }
            filters.append(Filter(name: name, argument: argument))
        }
        return TemplateExpression(variable: variable, filters: filters, negated: negated, offset: offset)
    }
}
