import CarrierCore

/// Why a request got no HTTP response at all (an HTTP error status is a response, not this error).
///
/// The message describes the failure (libcurl's text, e.g. "Failed to connect to 127.0.0.1 port 9:
/// Connection refused") and never contains request headers or the body, so it is safe to log.
/// Transport failures are retryable under the carrier format's retry rules.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A coarse classification for retry decisions and metrics.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The connect or the whole-request time limit passed.
        case timeout
        /// The TCP connection could not be made (refused, unreachable) or broke while sending.
        case connect
        /// The host name could not be resolved.
        case dns
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The outbound policy refused the host or the address it resolved to (``OutboundPolicy``).
        case refused
        /// Anything else: invalid request, protocol error, empty reply, cancellation, shutdown.
        case other
    }

    /// The libcurl `CURLcode` (0 when the failure happened before libcurl was involved).
    public var curlCode: Int
    public var kind: Kind
    public var message: String
    /// Whether the request had been written to the carrier when it failed: the carrier may then have accepted it
    /// (a read timeout, a reset before the answer), and sending it again may deliver it twice.
    public var requestSent: Bool

    public init(curlCode: Int, kind: Kind, message: String, requestSent: Bool = false) {
        self.curlCode = curlCode
        self.kind = kind
        self.message = message
        self.requestSent = requestSent
    }

    /// A stable kebab-case code for logs and JSON output, e.g. `transport-timeout`.
    public var code: String { "transport-\(kind.rawValue)" }

    public var description: String { "\(code) (curl \(curlCode)): \(message)" }
}

extension TransportError {
    /// The error for a request that is malformed before it reaches the network (e.g. a header with a newline).
    static func invalidRequest(_ message: String) -> TransportError {
        // CURLE_BAD_FUNCTION_ARGUMENT: the closest libcurl code for a rejected request.
        TransportError(curlCode: 43, kind: .other, message: "invalid request: \(message)")
    }

    /// The error for a request the ``OutboundPolicy`` refused; the same for a host and an address, so that it tells
    /// nothing about what is listening where.
    public static let refusedByPolicy = TransportError(
        curlCode: 7, kind: .refused, message: "the destination is not allowed for carrier requests")

    /// The error for requests still queued or in flight when the transport shuts down.
    static let shutDown = TransportError(curlCode: 0, kind: .other, message: "transport was shut down")

    /// The error for a request whose task was cancelled.
    static let cancelled = TransportError(curlCode: 42, kind: .other, message: "request cancelled")
}
