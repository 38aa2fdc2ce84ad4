/// One media attachment of an outbound message: a URL string, or `{url, contentType?, filename?, caption?}` where
/// the carrier needs more than the URL (a WhatsApp document's file name, an MMS part's content type).
///
/// An item with only a URL encodes as the bare URL string, so messages without details keep their JSON shape.
public struct MediaItem: Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    public var url: String
    /// MIME type such as `application/pdf`.
    public var contentType: String?
    public var filename: String?
    public var caption: String?

    /// The fields a media item object may have; templates read them as `message.media.<field>` and `item.<field>`.
    public static let fieldNames: [String] = ["url", "contentType", "filename", "caption"]

    public init(url: String, contentType: String? = nil, filename: String? = nil, caption: String? = nil) {
        self.url = url
        self.contentType = contentType
        self.filename = filename
        self.caption = caption
    }

    public init(stringLiteral value: String) {
        self.init(url: value)
    }

    /// The value of one of ``fieldNames``; nil when the item does not have it.
    public func field(_ name: String) -> String? {
        switch name {
        case "url": url
        case "contentType": contentType
        case "filename": filename
        case "caption": caption
        default: nil
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let url = try? decoder.singleValueContainer().decode(String.self) {
            self.init(url: url)
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        // Unknown fields are errors, as everywhere in the message.
        for key in c.allKeys where !Self.fieldNames.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "unknown media field '\(key.stringValue)' (url, contentType, filename, caption)")
        }
        self.init(
            url: try c.decode(String.self, forKey: Key(stringValue: "url")),
            contentType: try c.decodeIfPresent(String.self, forKey: Key(stringValue: "contentType")),
            filename: try c.decodeIfPresent(String.self, forKey: Key(stringValue: "filename")),
            caption: try c.decodeIfPresent(String.self, forKey: Key(stringValue: "caption")))
    }

    public func encode(to encoder: any Encoder) throws {
        if contentType == nil, filename == nil, caption == nil {
            var c = encoder.singleValueContainer()
            try c.encode(url)
            return
        }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(url, forKey: Key(stringValue: "url"))
        try c.encodeIfPresent(contentType, forKey: Key(stringValue: "contentType"))
        try c.encodeIfPresent(filename, forKey: Key(stringValue: "filename"))
        try c.encodeIfPresent(caption, forKey: Key(stringValue: "caption"))
    }
}
