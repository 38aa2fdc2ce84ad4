import CarrierCore
import Foundation

/// The time and nonce that hmac `auth.message` templates read as `request.timestamp` and `request.nonce`.
///
/// Injected so that tests get fixed values; ``live`` uses the system clock and a random UUID.
public struct RequestClock: Sendable {
    public var timestamp: @Sendable () -> Int
    public var nonce: @Sendable () -> String

    public init(timestamp: @escaping @Sendable () -> Int, nonce: @escaping @Sendable () -> String) {
        self.timestamp = timestamp
        self.nonce = nonce
    }

    /// Epoch seconds now, and a random lower-case UUID.
    public static let live = RequestClock(
        timestamp: { Int(Date().timeIntervalSince1970) },
        nonce: { UUID().uuidString.lowercased() })

    /// Fixed values, for tests and previews.
    public static func fixed(timestamp: Int, nonce: String) -> RequestClock {
        RequestClock(timestamp: { timestamp }, nonce: { nonce })
    }
}
