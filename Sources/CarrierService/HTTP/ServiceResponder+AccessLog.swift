import Foundation
import Logging
import NIOHTTP1

extension ServiceResponder {
    /// The fields of a structured access-log record: method, route template (never the raw path, which may hold a
    /// token), status, latency, and the message and channel ids the request names. Never a body, a number, a header
    /// value or a secret.
    static func accessLogFields(
        _ request: ServiceRequest, _ route: Route?, _ reply: Reply, microseconds: Int64
    ) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(route?.spec.template ?? ServiceMetrics.unmatchedRoute),
            "status": .stringConvertible(reply.status),
            "latencyMs": .string("\(microseconds / 1000).\(String(format: "%03d", Int(microseconds % 1000)))"),
        ]
        guard let route else { return fields }
        let parameters: [String]
        if case .found(_, let values) = Route.match(method: request.method, path: request.path) {
            parameters = values
        } else {
            parameters = []
        }
        switch route {
        case .message, .messageCancel, .messageAttempts, .messageCarrierReply:
            fields["messageId"] = parameters.first.map { .string($0) }
        case .channel, .channelDelete, .channelInboundToken, .channelUpdate:
            fields["channelId"] = parameters.first.map { .string($0) }
        case .inboundPost, .inboundGet, .inboundTokenPost, .inboundTokenGet:
            if parameters.count >= 2 { fields["channelId"] = .string(parameters[1]) }
        case .send:
            // The answer names the message; the request names the channel (its other fields are never read here).
            if let answer = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
                let id = answer["messageId"] as? String
            {
                fields["messageId"] = .string(id)
            }
            if let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                let channel = body["channelId"] as? String
            {
                fields["channelId"] = .string(String(channel.prefix(128)))
            }
        default:
            break
        }
        return fields
    }
}

extension Route {
    /// Whether this is a carrier webhook route.
    var isInbound: Bool {
        switch self {
        case .inboundPost, .inboundGet, .inboundTokenPost, .inboundTokenGet: true
        default: false
        }
    }
}
