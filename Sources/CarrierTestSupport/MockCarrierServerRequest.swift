import Foundation

/// One request as ``MockCarrierServer`` received it, byte for byte.
package struct RecordedRequest: Sendable, Hashable {
    /// The request method as sent, e.g. `POST`.
    package var method: String
    /// The request target as sent on the request line: path plus query string, e.g. `/send?x=1`.
    package var path: String
    /// The header fields in the order received, names with their original case.
    package var headers: [MockCarrierServer.Header]
    /// The body after removing any chunked transfer encoding.
    package var body: [UInt8]
    /// Which TCP connection carried the request: 0 for the first connection accepted, 1 for the next, ...
    /// Requests with the same value arrived over one kept-alive connection.
    package var connection: Int
    /// When the request was read (Unix seconds), for tests of pacing.
    package var receivedAt: Double

    package init(
        method: String, path: String, headers: [MockCarrierServer.Header], body: [UInt8], connection: Int,
        receivedAt: Double = Date().timeIntervalSince1970
    ) {
        self.receivedAt = receivedAt
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.connection = connection
    }

    /// Returns the first value of header `name`, compared case-insensitively, or `nil`.
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}
