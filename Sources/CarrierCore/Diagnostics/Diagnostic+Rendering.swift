extension Diagnostic {
    /// The GCC-style line, then (when the source text is given) the source line and a caret under the range.
    ///
    /// - Parameter source: the text of the file the diagnostic points into, for the snippet.
    public func rendered(source: String?) -> String {
        var out = description
        if let range, let source { out += Self.snippet(range, in: source) }
        for note in notes {
            let at = note.range.map { "\($0.origin): " } ?? ""
            out += "\n\(at)note: \(note.message)"
            if let r = note.range, r.file == range?.file, let source { out += Self.snippet(r, in: source) }
        }
        return out
    }

    /// The source line of `range` and a caret line under it, each preceded by a newline.
    private static func snippet(_ range: SourceRange, in source: String) -> String {
        var out = ""
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard range.start.line >= 1, range.start.line <= lines.count else { return out }
        let line = String(lines[range.start.line - 1]).replacingTabs()
        let startColumn = max(1, range.start.column)
        var width = 1
        if range.end.line == range.start.line, range.end.column > range.start.column {
            width = range.end.column - range.start.column
        }
        let lineLength = line.unicodeScalars.count
        width = max(1, min(width, lineLength - startColumn + 1))
        out +=
            "\n" + line + "\n" + String(repeating: " ", count: startColumn - 1) + "^"
            + String(repeating: "~", count: max(0, width - 1))
        return out
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
    }
}
