import CarrierCore
import CarrierRuntime
import CarrierService
import Foundation
import Synchronization

/// A gateway that records sends, returns scripted results and normalizes a simple JSON webhook.
///
/// Webhook bodies: `{"type":"mo","from":..,"to":..,"text":..,"id":..,"part":[ref,total,number]}` or `{"type":"status","id":..,"status":..}`.
/// The header `X-Test-Signature` must equal the channel setting `signingSecret` (after secret resolution).
final class FakeGateway: CarrierGateway {
    struct Sent: Sendable {
        var message: OutboundMessage
        var carrier: String
        var settings: [String: String]
    }

    /// Protects the scripted results, the recorded sends and the send hook.
    private struct State {
        var results: [SendResult] = []
        var sent: [Sent] = []
        var nextId = 1
    }
    private let state = Mutex(State())
    /// Called before `send` returns (e.g. to wait for a status callback); nil for none.
    let beforeReturn: (@Sendable (OutboundMessage) async -> Void)?

    let carrierIds = ["fake", "fake-wa"]

    init(beforeReturn: (@Sendable (OutboundMessage) async -> Void)? = nil) {
        self.beforeReturn = beforeReturn
    }

    /// Queues results for the next sends; with none queued, sends succeed with ids `p-1`, `p-2`, ...
    func script(_ results: SendResult...) {
        state.withLock { $0.results.append(contentsOf: results) }
    }

    var sent: [Sent] { state.withLock { $0.sent } }

    func supportsTemplates(carrier: String) -> Bool { carrier == "fake-wa" }

    func secretSettings(carrier: String) -> Set<String> { ["signingSecret"] }

    /// Every test webhook is signed (X-Test-Signature).
    func signsWebhooks(carrier: String, settings: [String: String]) -> Bool { true }

    func segments(for body: String, carrier: String) -> Int { max(1, (body.count + 159) / 160) }

    func send(_ message: OutboundMessage, carrier: String, settings: [String: String]) async -> SendResult {
        let result = state.withLock { state -> SendResult in
            state.sent.append(Sent(message: message, carrier: carrier, settings: settings))
            if !state.results.isEmpty { return state.results.removeFirst() }
            defer { state.nextId += 1 }
            return SendResult(carrier: carrier, outcome: .ok, providerMessageId: "p-\(state.nextId)")
        }
        if let beforeReturn { await beforeReturn(message) }
        return result
    }

    func normalize(
        _ request: HTTPRequest, carrier: String, settings: [String: String], publicURL: String
    ) throws(InboundFailure) -> InboundResult {
        guard let signature = request.headers.first(named: "X-Test-Signature"), signature == settings["signingSecret"]
        else {
            throw InboundFailure(code: "bad-signature", message: "signature mismatch", httpStatus: 401)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let type = object["type"] as? String
        else {
            throw InboundFailure(code: "bad-payload", message: "not a test webhook", httpStatus: 400)
        }
        var headers = [HTTPHeader("Content-Type", "text/plain")]
        // A reply that tries to set its own framing (the server must ignore it).
        if let length = object["replyContentLength"] as? String { headers.append(HTTPHeader("Content-Length", length)) }
        let reply = HTTPResponse(status: 200, headers: headers, body: Array("OK".utf8))
        switch type {
        case "mo":
            let text = object["text"] as? String
            let keyword = text?.trimmingCharacters(in: .whitespaces).uppercased()
            let optOut = keyword == "STOP" ? "stop" : keyword == "START" ? "start" : "none"
            // One part of a long message: {"part": ["ref", total, number]}.
            let part = (object["part"] as? [Any]).flatMap { values -> (reference: String, total: Int, number: Int)? in
                guard values.count == 3, let reference = values[0] as? String, let total = values[1] as? Int,
                    let number = values[2] as? Int
                else { return nil }
                return (reference, total, number)
            }
            let event = NormalizedEvent.MessageReceived(
                carrier: carrier, from: object["from"] as? String ?? "", to: object["to"] as? String, text: text,
                providerMessageId: object["id"] as? String, optOut: optOut, part: part)
            return InboundResult(events: [.received(event)], reply: reply)
        case "status":
            let event = NormalizedEvent.MessageStatus(
                carrier: carrier, providerMessageId: object["id"] as? String, reference: object["reference"] as? String,
                status: object["status"] as? String ?? "sent", providerStatus: object["providerStatus"] as? String,
                errorCode: object["errorCode"] as? String, unmappedStatus: object["unmapped"] as? Bool ?? false)
            return InboundResult(events: [.status(event)], reply: reply)
        default:
            return InboundResult(events: [], ignored: true, reply: reply)
        }
    }
}
