/// How to read and classify the carrier's answer to a send.
public struct ResponseRule: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case json, form, xml, text
    }

    public var format: Format = .json
    /// Status codes (`201`) or classes (`2xx`) that mean success.
    public var successStatus: [String] = ["2xx"]
    public var successWhen: Condition?
    public var messageId: ValueExtractor?
    public var status: ValueExtractor?
    public var errorCode: ValueExtractor?
    public var errorMessage: ValueExtractor?
    /// Status codes or classes worth retrying.
    public var retryStatus: [String] = ["429", "5xx"]
    /// Carrier error codes worth retrying.
    public var retryCodes: [String] = []
    public var retryAfterHeader: String = "Retry-After"
    public var origin: String?

    public init() {}
}

extension ResponseRule {
    /// Whether `status` matches a list of codes and classes such as `["201", "2xx"]`.
    public static func status(_ status: Int, matches patterns: [String]) -> Bool {
        let text = String(status)
        for p in patterns {
            if p == text { return true }
            if p.count == 3, p.hasSuffix("xx"), let first = p.first, text.count == 3, text.first == first {
                return true
            }
        }
        return false
    }
}
