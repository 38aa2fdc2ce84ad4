/// What ``MockCarrierServer`` answers to one request, and how.
package struct MockResponse: Sendable {
    /// The status code; the reason phrase is filled in.
    package var status: Int
    /// Header fields sent as given. `Content-Length` is added when absent (and the body is not trickled).
    package var headers: [MockCarrierServer.Header]
    package var body: [UInt8]
    /// Milliseconds to wait before sending anything, to provoke client timeouts.
    package var delayMs: Int
    /// When set, the body is sent with `Transfer-Encoding: chunked` in pieces of `chunkSize` bytes,
    /// waiting this many milliseconds before each piece (a slow, trickling body).
    package var chunkDelayMs: Int?
    /// Bytes per piece when `chunkDelayMs` is set.
    package var chunkSize: Int
    /// When true, the server reads the request and then closes the connection without answering.
    package var closeWithoutResponse: Bool

    package init(
        status: Int = 200,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        delayMs: Int = 0,
        chunkDelayMs: Int? = nil,
        chunkSize: Int = 8,
        closeWithoutResponse: Bool = false
    ) {
        self.status = status
        self.headers = headers.map { MockCarrierServer.Header($0.0, $0.1) }
        self.body = body
        self.delayMs = delayMs
        self.chunkDelayMs = chunkDelayMs
        self.chunkSize = max(1, chunkSize)
        self.closeWithoutResponse = closeWithoutResponse
    }

    /// Creates a response with a UTF-8 text body.
    package init(status: Int = 200, headers: [(String, String)] = [], text: String, delayMs: Int = 0) {
        self.init(status: status, headers: headers, body: Array(text.utf8), delayMs: delayMs)
    }

    /// Creates a response with a JSON body given as text and `Content-Type: application/json`.
    package static func json(_ json: String, status: Int = 200, headers: [(String, String)] = []) -> MockResponse {
        MockResponse(status: status, headers: [("Content-Type", "application/json")] + headers, text: json)
    }

    /// A response that closes the connection after reading the request, without a status line.
    package static var dropConnection: MockResponse { MockResponse(closeWithoutResponse: true) }
}
