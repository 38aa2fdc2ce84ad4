import CarrierCore

/// Sends one HTTP request and returns the carrier's response, or why there was none.
///
/// Any HTTP status (2xx, 4xx, 5xx) is a `.success`; `.failure` means no response arrived.
/// ``CurlTransport`` is the real implementation; tests use closure-based doubles.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits for the complete response.
    ///
    /// - Parameters:
    ///   - request: The request with an absolute `http` or `https` URL.
    ///   - timeouts: The connect and whole-request limits.
    /// - Returns: The response (status, headers in wire order, body), or a ``TransportError``.
    func send(_ request: HTTPRequest, timeouts: Timeouts) async -> Result<HTTPResponse, TransportError>
}

extension HTTPTransport {
    /// Sends all `requests`, at most `concurrency` at a time, and returns the results in request order.
    ///
    /// Plain concurrent `send` calls work just as well; this only bounds how many are in progress.
    /// ``CurlTransport`` additionally caps transfers in flight (64 by default) and queues the rest.
    ///
    /// - Parameters:
    ///   - requests: The requests to send.
    ///   - timeouts: The limits applied to each request.
    ///   - concurrency: The most requests in progress at once; values below 1 are treated as 1.
    /// - Returns: One result per request, at the same index.
    public func sendAll(
        _ requests: [HTTPRequest], timeouts: Timeouts, concurrency: Int = 16
    ) async -> [Result<HTTPResponse, TransportError>] {
        guard !requests.isEmpty else { return [] }
        let limit = max(1, concurrency)
        var results: [Result<HTTPResponse, TransportError>?] = Array(repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<HTTPResponse, TransportError>).self) { group in
            var next = 0
            while next < min(limit, requests.count) {
                let index = next
                group.addTask { (index, await send(requests[index], timeouts: timeouts)) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < requests.count {
                    let index = next
                    group.addTask { (index, await send(requests[index], timeouts: timeouts)) }
                    next += 1
                }
            }
        }
        return results.map { $0 ?? .failure(.cancelled) }
    }
}
