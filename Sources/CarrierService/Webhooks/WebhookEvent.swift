import CarrierCore
import Foundation

/// One event for customer webhooks, as the rules describe it inside the transaction that makes the change; the
/// store numbers it (per message), builds the body and queues one delivery per subscribed endpoint (and the
/// message's `callbackUrl`).
struct WebhookEvent: Sendable {
    var type: WebhookEventType
    var accountId: String
    var channelId: String
    /// The message the event is about (for `optout.changed`, the inbound message that carried the keyword).
    var messageId: String
    /// The `data` object of the body, without `sequence` (the store adds it).
    var data: [String: WebhookValue]
    /// When the change happened (Unix seconds).
    var occurredAt: Double

    /// `message.received` or `message.status` for a message as stored after the change.
    static func message(_ type: WebhookEventType, _ message: MessageRecord, now: Double) -> WebhookEvent {
        var data: [String: WebhookValue] = [
            "messageId": .string(message.id),
            "conversationId": .string(message.conversationId),
            "channelId": .string(message.channelId),
            "direction": .string(message.direction),
            "from": .optional(message.fromAddress),
            "to": .optional(message.toAddress),
            "status": .string(message.status),
            "providerMessageId": .optional(message.providerMessageId),
            "errorCode": .optional(message.errorCode),
            "errorMessage": .optional(message.errorMessage),
            "reference": .optional(message.reference),
            "segments": message.segments.map { .int($0) } ?? .null,
            "createdAt": .string(WebhookTime.rfc3339(message.createdAt)),
            "updatedAt": .string(WebhookTime.rfc3339(message.updatedAt)),
        ]
        if type == .messageReceived {
            data["body"] = .optional(message.body)
            data["media"] = .strings(message.media.map(\.url))
        }
        return WebhookEvent(
            type: type, accountId: message.accountId, channelId: message.channelId, messageId: message.id, data: data,
            occurredAt: now)
    }

    /// `optout.changed` after a STOP (`optedOut` true) or START keyword from `contact`.
    static func optOut(
        account: String, channelId: String, contact: String, optedOut: Bool, messageId: String, now: Double
    ) -> WebhookEvent {
        WebhookEvent(
            type: .optOutChanged, accountId: account, channelId: channelId, messageId: messageId,
            data: [
                "channelId": .string(channelId),
                "contact": .string(contact),
                "optedOut": .bool(optedOut),
                "keyword": .string(optedOut ? "stop" : "start"),
                "messageId": .string(messageId),
                "changedAt": .string(WebhookTime.rfc3339(now)),
            ], occurredAt: now)
    }

    /// The body as sent: `{"data":{...},"timestamp":"...","type":"..."}`, keys sorted, `sequence` in `data`.
    func body(sequence: Int) -> String {
        var data = self.data
        data["sequence"] = .int(sequence)
        return WebhookValue.object([
            "type": .string(type.rawValue),
            "timestamp": .string(WebhookTime.rfc3339(occurredAt)),
            "data": .object(data),
        ]).json
    }
}

/// A JSON value of a webhook body; written by hand with sorted keys so a body never depends on dictionary order.
indirect enum WebhookValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case strings([String])
    case object([String: WebhookValue])

    static func optional(_ text: String?) -> WebhookValue { text.map { .string($0) } ?? .null }

    var json: String {
        switch self {
        case .string(let text): return jsonStringLiteral(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .strings(let texts): return "[" + texts.map(jsonStringLiteral).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { jsonStringLiteral($0) + ":" + members[$0]!.json }.joined(separator: ",")
                + "}"
        }
    }
}

/// RFC 3339 times in UTC with milliseconds, as webhook bodies carry them (`2026-12-03T02:45:07.616Z`).
///
/// Formatted by hand: bodies are built inside the writer's transaction, and a Foundation date formatter per call
/// cost more than the rest of the event.
enum WebhookTime {
    static func rfc3339(_ seconds: Double) -> String {
        let whole = seconds.rounded(.down)
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = min(999, max(0, Int(((seconds - whole) * 1000).rounded(.down))))
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(millis), 3) + "Z"
    }
}
