import CarrierCore

/// Upper bounds the body parsers enforce, so that a hostile webhook cannot exhaust memory or the stack.
struct PayloadLimits: Sendable, Hashable {
    /// Largest accepted body in bytes. Webhooks are small; MMS callbacks with inline base64 media are the
    /// largest recorded bodies, far below this.
    var maxBytes: Int
    /// Deepest accepted nesting of arrays/objects (JSON) or elements (XML).
    var maxDepth: Int

    static let `default` = PayloadLimits(maxBytes: 4 * 1024 * 1024, maxDepth: 512)

    func checkSize(_ count: Int) throws(PayloadError) {
        if count > maxBytes {
            throw .bodyTooLarge(size: count, limit: maxBytes)
        }
    }
}
