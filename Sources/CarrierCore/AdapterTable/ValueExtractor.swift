/// Reads one value out of a parsed body: a path (or several to try), a constant, and conversions.
///
/// Conversions apply in this order: `value`, else `compose` when all its paths have values, else the first
/// non-empty of `paths`; then `regex` capture, `stripPrefix`, `encoding`, `format` (timestamps). With no path and a
/// `regex`, the regex runs on the raw body text.
public struct ValueExtractor: Sendable, Hashable, Codable {
    public var paths: [PathExpression]
    public var value: String?
    /// Literal text with `{path}` placeholders.
    public var compose: ComposedValue?
    public var regex: String?
    public var stripPrefix: String?
    /// Timestamp format: `epoch`, `epoch_ms`, `iso8601`, `rfc2822` or a `yyyyMMddHHmmss`-style pattern.
    public var format: TimestampFormat?
    /// Zone for zone-less timestamps.
    public var zone: TimestampZone?
    /// Text encoding: fixed, or picked by another field's value.
    public var encoding: TextEncoding?
    public var encodingFrom: EncodingSelector?
    /// Media in numbered fields: `MediaUrl{n}` for n in 0..<count.
    public var numbered: String?
    public var count: PathExpression?
    public var `default`: String?

    public init(
        paths: [PathExpression] = [], value: String? = nil, regex: String? = nil, stripPrefix: String? = nil,
        format: TimestampFormat? = nil, zone: TimestampZone? = nil, encoding: TextEncoding? = nil,
        encodingFrom: EncodingSelector? = nil,
        numbered: String? = nil, count: PathExpression? = nil, default: String? = nil, compose: ComposedValue? = nil
    ) {
        self.paths = paths
        self.value = value
        self.regex = regex
        self.stripPrefix = stripPrefix
        self.format = format
        self.zone = zone
        self.encoding = encoding
        self.encodingFrom = encodingFrom
        self.numbered = numbered
        self.count = count
        self.default = `default`
        self.compose = compose
    }

    /// `encoding: { path: coding, map: { "2": hex-utf16be } }`; values not in the map are UTF-8.
    public struct EncodingSelector: Sendable, Hashable, Codable {
        public var path: PathExpression
        public var map: [String: TextEncoding]

        public init(path: PathExpression, map: [String: TextEncoding]) {
            self.path = path
            self.map = map
        }
    }
}
