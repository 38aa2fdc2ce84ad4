/// A path into a parsed body: `messages[0].status.name`, `entry[*].changes[*].value.statuses[*]`.
///
/// Syntax:
/// - `name` or `["any key"]` selects an object key (use the bracket form for keys with `.`, `[` or spaces);
/// - `[3]` selects an array element, `[*]` every element (a scalar counts as a one-element array);
/// - a leading `$.` starts at the document root instead of the current item;
/// - a leading `^.` starts at the parent of the array that holds the current item (`^^.` two levels up).
/// The empty path (or `$`) is the current item itself.
public struct PathExpression: Sendable, Hashable, StoredAsText, CustomStringConvertible {
    public enum Anchor: Sendable, Hashable {
        case current
        case root
        /// How many `each` levels to go up.
        case parent(Int)
    }

    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        case wildcard
    }

    public var anchor: Anchor
    public var components: [Component]
    /// The source text, kept for messages and for the adapter table.
    public var text: String

    /// True when the path can select more than one value.
    public var hasWildcard: Bool { components.contains(.wildcard) }

    public var description: String { text }

    /// Parses a path; throws a message describing the first syntax problem.
    public static func parse(_ text: String) throws(PathSyntaxError) -> PathExpression {
        var chars = Array(text.unicodeScalars)
        var i = 0
        var anchor = Anchor.current
        if chars.first == "$" {
            anchor = .root
            i = 1
            if i < chars.count {
                guard chars[i] == "." || chars[i] == "[" else {
                    throw PathSyntaxError(message: "expected '.' or '[' after '$'", offset: i)
                }
                if chars[i] == "." { i += 1 }
            }
        } else if chars.first == "^" {
            var levels = 0
            while i < chars.count, chars[i] == "^" {
                levels += 1
                i += 1
            }
            anchor = .parent(levels)
            if i < chars.count {
                guard chars[i] == "." || chars[i] == "[" else {
                    throw PathSyntaxError(message: "expected '.' or '[' after '^'", offset: i)
                }
                if chars[i] == "." { i += 1 }
            }
        }
        var components: [Component] = []
        var expectName = i < chars.count && chars[i] != "["
        while i < chars.count {
            if chars[i] == "[" {
                i += 1
                guard i < chars.count else { throw PathSyntaxError(message: "unclosed '['", offset: i) }
                if chars[i] == "*" {
                    i += 1
                    components.append(.wildcard)
                } else if chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]
                    i += 1
                    var key = String.UnicodeScalarView()
                    while i < chars.count, chars[i] != quote {
                        key.append(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { throw PathSyntaxError(message: "unclosed quoted key", offset: i) }
                    i += 1
                    components.append(.key(String(key)))
                } else {
                    var digits = ""
                    while i < chars.count, ("0"..."9").contains(chars[i]) {
                        digits.unicodeScalars.append(chars[i])
                        i += 1
                    }
                    guard let n = Int(digits) else {
                        throw PathSyntaxError(message: "expected an index, '*' or a quoted key inside '[ ]'", offset: i)
                    }
                    components.append(.index(n))
                }
                guard i < chars.count, chars[i] == "]" else {
                    throw PathSyntaxError(message: "expected ']'", offset: i)
                }
                i += 1
                expectName = false
                if i < chars.count {
                    if chars[i] == "." {
                        i += 1
                        expectName = true
                        guard i < chars.count else { throw PathSyntaxError(message: "path ends with '.'", offset: i) }
                    } else if chars[i] != "[" {
                        throw PathSyntaxError(message: "expected '.' or '[' after ']'", offset: i)
                    }
                }
            } else {
                guard expectName else { throw PathSyntaxError(message: "expected '.' or '['", offset: i) }
                var name = String.UnicodeScalarView()
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    let c = chars[i]
                    if c == "]" || c == " " || c == "\"" || c == "'" || c == "*" {
                        throw PathSyntaxError(message: "unexpected '\(c)' in key name (quote it: [\"...\"])", offset: i)
                    }
                    name.append(c)
                    i += 1
                }
                guard !name.isEmpty else { throw PathSyntaxError(message: "empty key name", offset: i) }
                components.append(.key(String(name)))
                if i < chars.count, chars[i] == "." {
                    i += 1
                    guard i < chars.count else { throw PathSyntaxError(message: "path ends with '.'", offset: i) }
                    expectName = true
                } else {
                    expectName = false
                }
            }
        }
        chars.removeAll()
        return PathExpression(anchor: anchor, components: components, text: text)
    }

    public init(anchor: Anchor, components: [Component], text: String) {
        self.anchor = anchor
        self.components = components
        self.text = text
    }

    public var storedText: String { text }

    public init(storedText: String) throws(StoredTextError) {
        do {
            self = try PathExpression.parse(storedText)
        } catch {
            throw StoredTextError(message: "bad path '\(storedText)': \(error.message)")
        }
    }
}

/// Why a path expression did not parse; `offset` counts Unicode scalars from the start of the path.
public struct PathSyntaxError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int
}
