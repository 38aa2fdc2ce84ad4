/// A range in a named source file; `end` is exclusive.
public struct SourceRange: Sendable, Hashable, Codable {
    public var file: String
    public var start: TextPosition
    public var end: TextPosition

    public init(file: String, start: TextPosition, end: TextPosition) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// `file:line:col`, the form used in diagnostics and in compiled rule origins.
    public var origin: String { "\(file):\(start.line):\(start.column)" }
}
