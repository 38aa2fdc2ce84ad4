import CarrierCore

/// A message validated and rendered for its carrier: what ``Sender`` and ``BatchSender`` put on the wire.
struct PreparedSend: Sendable {
    let request: HTTPRequest
    let timeouts: Timeouts
    let segments: Int

    /// What preparing a message gives: a request to send, or the result that refuses it.
    enum Outcome: Sendable {
        case ready(PreparedSend)
        case refused(SendResult)
    }

    /// Validates and renders `message`; a message that cannot be sent is its permanent ``SendResult``.
    static func make(
        _ message: OutboundMessage, adapter: Adapter, settings: [String: String]
    ) -> Outcome {
        // Counted once; validation and rendering both ask for the same (smart-encoded) body.
        let info = countSegments(message.body ?? "", smartEncoding: adapter.options.smartEncoding)
        let counted: (String) -> (count: Int, encoding: String) = { _ in (info.segments, info.encoding) }
        if let problem = validateMessage(message, adapter: adapter, segmentCounter: counted).first {
            return .refused(
                SendResult(
                    carrier: adapter.id, outcome: .permanent, errorCode: problem.code, errorMessage: problem.message))
        }
        do {
            let request = try renderRequest(
                for: message, adapter: adapter, settings: settings, segmentCounter: counted)
            return .ready(
                PreparedSend(
                    request: request,
                    timeouts: Timeouts(connectMs: adapter.limits.connectTimeoutMs, totalMs: adapter.limits.timeoutMs),
                    segments: info.segments))
        } catch {
            return .refused(
                SendResult(
                    carrier: adapter.id, outcome: .permanent, errorCode: error.code, errorMessage: error.message,
                    origin: error.origin, segments: info.segments))
        }
    }

    /// The classified result of one attempt: the carrier's response through the definition's rules, or a
    /// transport failure (always retryable, with the libcurl code).
    func result(of attempt: Result<HTTPResponse, TransportError>, adapter: Adapter) -> SendResult {
        var result: SendResult
        switch attempt {
        case .success(let response):
            result = classifyResponse(response, adapter: adapter)
        case .failure(let error):
            result = SendResult(
                carrier: adapter.id, outcome: error.kind == .refused ? .permanent : .retryable, errorCode: error.code, errorMessage: error.message,
                curlCode: error.curlCode, origin: adapter.send.origin)
            if error.requestSent { result.deliveryUnknown = true }
        }
        result.segments = segments
        return result
    }
}

extension SendResult {
    /// The result for a carrier id that is not in the adapter table.
    static func unknownCarrier(_ carrier: String) -> SendResult {
        SendResult(
            carrier: carrier, outcome: .permanent, errorCode: "unknown-carrier",
            errorMessage: "no carrier '\(carrier)' in the adapter table")
    }
}
