import CarrierCore

/// An HTTP request as it goes on the wire: rendered for a carrier, or recorded from a carrier's webhook.
public struct HTTPRequest: Sendable, Hashable, Codable {
    /// `GET`, `POST`, ... in upper case.
    public var method: String
    /// The absolute URL (outbound), or path plus query string (inbound).
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
