import CarrierCore

/// Connect and whole-request time limits for one HTTP request, in milliseconds.
///
/// The defaults are the carrier format's `limits.connectTimeoutMs` and `limits.timeoutMs` defaults.
/// Values below 1 are treated as 1 ms by ``CurlTransport`` (libcurl reads 0 as "no limit", which
/// would let a request hang forever).
public struct Timeouts: Sendable, Hashable, Codable {
    /// Time allowed for the TCP connect and TLS handshake.
    public var connectMs: Int
    /// Time allowed for the whole request, connect included, until the last response byte.
    public var totalMs: Int

    public init(connectMs: Int = 5000, totalMs: Int = 30000) {
        self.connectMs = connectMs
        self.totalMs = totalMs
    }
}
