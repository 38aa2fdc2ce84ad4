import CarrierRuntime

/// Text a carrier sent, made storable: U+0000 becomes U+FFFD (the replacement character).
///
/// PostgreSQL's `text` cannot hold U+0000: storing a webhook with one failed (the carrier got a 500 and sent it
/// again, forever), and a send's result with one was not stored (the lease ran out and the message was sent again).
/// SQLite stores it, but GRDB's reads end the text there. Clients are told (`/send` answers 400 `nul-character`);
/// carriers cannot be, so their text keeps its length and shows where the character was.
enum CarrierText {
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) })
    }

    static func storable(_ text: String?) -> String? {
        text.map { storable($0) }
    }

    /// Every text of an incoming event.
    static func storable(_ event: NormalizedEvent) -> NormalizedEvent {
        switch event {
        case .received(var received):
            received.from = storable(received.from)
            received.to = storable(received.to)
            received.text = storable(received.text)
            received.media = received.media.map { storable($0) }
            received.providerMessageId = storable(received.providerMessageId)
            received.timestamp = storable(received.timestamp)
            received.partReference = storable(received.partReference)
            return .received(received)
        case .status(var status):
            status.providerMessageId = storable(status.providerMessageId)
            status.reference = storable(status.reference)
            status.providerStatus = storable(status.providerStatus)
            status.errorCode = storable(status.errorCode)
            status.errorMessage = storable(status.errorMessage)
            status.timestamp = storable(status.timestamp)
            return .status(status)
        }
    }

    /// The texts of a send's result that are stored.
    static func storable(_ result: SendResult) -> SendResult {
        var result = result
        result.providerMessageId = storable(result.providerMessageId)
        result.providerStatus = storable(result.providerStatus)
        result.errorCode = storable(result.errorCode)
        result.errorMessage = storable(result.errorMessage)
        return result
    }
}
