/// One problem found in a definition or fixture, with a stable code and a position.
public struct Diagnostic: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case note, warning, error
    }

    /// A secondary position, such as "first defined here".
    public struct Note: Sendable, Hashable, Codable {
        public var message: String
        public var range: SourceRange?

        public init(message: String, range: SourceRange?) {
            self.message = message
            self.range = range
        }
    }

    public var severity: Severity
    /// Stable kebab-case identifier, e.g. `unknown-key`. CI filters and tests match on it.
    public var code: String
    public var message: String
    public var range: SourceRange?
    public var notes: [Note]

    public init(severity: Severity, code: String, message: String, range: SourceRange?, notes: [Note] = []) {
        self.severity = severity
        self.code = code
        self.message = message
        self.range = range
        self.notes = notes
    }

    public static func error(_ code: String, _ message: String, at range: SourceRange?, notes: [Note] = []) -> Self {
        Diagnostic(severity: .error, code: code, message: message, range: range, notes: notes)
    }

    public static func warning(_ code: String, _ message: String, at range: SourceRange?, notes: [Note] = []) -> Self {
        Diagnostic(severity: .warning, code: code, message: message, range: range, notes: notes)
    }

    /// `file:line:col: error: message [code]`
    public var description: String {
        var prefix = ""
        if let range { prefix = "\(range.origin): " }
        return "\(prefix)\(severity.rawValue): \(message) [\(code)]"
    }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line, column, then code, for deterministic output.
    public func sortedForOutput() -> [Diagnostic] {
        sorted { a, b in
            let fa = a.range?.file ?? "", fb = b.range?.file ?? ""
            if fa != fb { return fa < fb }
            let pa = a.range?.start ?? TextPosition(line: 0, column: 0)
            let pb = b.range?.start ?? TextPosition(line: 0, column: 0)
            if pa != pb { return pa < pb }
            if a.code != b.code { return a.code < b.code }
            return a.message < b.message
        }
    }
}
