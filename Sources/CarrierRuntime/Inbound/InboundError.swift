import CarrierCore

/// Why a webhook request could not be turned into events, with the HTTP status to answer the carrier.
public struct InboundError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable kebab-case code: `bad-signature`, `no-matching-rule`, `bad-json`, `wrong-content-type`, ...
    public var code: String
    public var message: String
    public var httpStatus: Int
    /// `file:line:col` of the rule involved, when there is one.
    public var origin: String?

    public init(code: String, message: String, httpStatus: Int, origin: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.origin = origin
    }

    public var description: String {
        let at = origin.map { " (\($0))" } ?? ""
        return "\(message) [\(code)]\(at)"
    }
}
