import NIOHTTP1

/// One HTTP request as the service's routes see it: the body already collected.
struct ServiceRequest: Sendable {
    /// `GET`, `POST`, ... as sent.
    var method: HTTPMethod
    /// The path without the query string, as sent (not percent-decoded).
    var path: String
    /// The query string without `?`, when there is one.
    var query: String?
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The client's IP address (for limits per client); empty when unknown.
    var client: String

    init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], client: String = "") {
        self.client = client
        self.method = method
        if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = nil
        }
        self.headers = headers
        self.body = body
    }

    /// The path and query as sent.
    var pathAndQuery: String { query.map { path + "?" + $0 } ?? path }

    /// The first value of header `name` (case-insensitive), if present and not empty.
    func header(_ name: String) -> String? {
        headers.first(name: name).flatMap { $0.isEmpty ? nil : $0 }
    }
}
