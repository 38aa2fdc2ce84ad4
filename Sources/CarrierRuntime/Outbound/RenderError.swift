import CarrierCore

/// Why a request could not be rendered: a missing setting, a bad value, a template the table should not contain.
public struct RenderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable kebab-case identifier, e.g. `missing-setting`.
    public var code: String
    public var message: String
    /// `file:line:col` of the definition rule involved, when known.
    public var origin: String?

    public init(code: String, message: String, origin: String? = nil) {
        self.code = code
        self.message = message
        self.origin = origin
    }

    /// `origin: message [code]`
    public var description: String {
        (origin.map { "\($0): " } ?? "") + "\(message) [\(code)]"
    }

    /// The same error, with `origin` filled in when it has none yet.
    func at(_ origin: String?) -> RenderError {
        var copy = self
        if copy.origin == nil { copy.origin = origin }
        return copy
    }
}
