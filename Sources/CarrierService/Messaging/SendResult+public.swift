import CarrierRuntime
import Foundation

extension SendResult {
    /// What an API caller is told about a failed send. Never the carrier's own words: a carrier's reply (or what a
    /// misdirected request reached) is not echoed, and transport failures are not told apart (refused, timed out,
    /// unreachable all read the same), so a failed send reveals nothing about what listens where.
    var publicFailure: (message: String, code: String?) {
        if errorCode == TransportError.refusedByPolicy.code {
            return ("the carrier URL is not allowed for carrier requests", "destination-not-allowed")
        }
        if let httpStatus {
            let code = errorCode.map { String($0.prefix(64)) }
            return ("the carrier refused the message (HTTP \(httpStatus))", code)
        }
        if curlCode != nil { return ("the carrier could not be reached", "carrier-unreachable") }
        // Refused before anything was sent (our own validation and rendering): our words, safe to show.
        return (errorMessage ?? "the message could not be sent", errorCode)
    }

    /// A bounded excerpt of what the carrier said (or why it could not be reached), with the channel's secret
    /// values cut out, for admins only (`GET /messages/{id}/carrier-reply`).
    func adminExcerpt(secrets: [String]) -> String? {
        var parts: [String] = []
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let errorCode { parts.append("code \(errorCode)") }
        if let errorMessage { parts.append(errorMessage) }
        guard !parts.isEmpty else { return nil }
        var text = String(parts.joined(separator: ": ").prefix(Self.maxExcerptCharacters))
        for secret in secrets where secret.count >= 4 { text = text.replacingOccurrences(of: secret, with: "***") }
        return text
    }

    static let maxExcerptCharacters = 512
}
