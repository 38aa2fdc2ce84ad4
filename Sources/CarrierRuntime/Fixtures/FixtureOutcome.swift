import CarrierCore

/// The result of one fixture case.
public struct FixtureOutcome: Sendable, Hashable {
    public var file: String
    public var name: String
    public var kind: String
    /// `file:line:col` of the case.
    public var origin: String
    /// Nil when the case passed; otherwise what differed, expected against actual (secrets redacted).
    public var failure: String?

    public var passed: Bool { failure == nil }
}
