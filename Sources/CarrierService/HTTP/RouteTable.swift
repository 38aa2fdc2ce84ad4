import NIOHTTP1

/// Every route the service answers, as one table: the responder matches requests against it (so 404 and 405 come
/// from here), the metrics label requests with its templates, and a test checks it against `openapi/carrier.yaml`.
///
/// Adding a route: add a case to ``Route``, a row to ``all``, its branch in ``ServiceResponder``, and its path to the
/// OpenAPI document (the route-versus-document test fails until both agree).
enum Route: Int, CaseIterable, Sendable {
    case health, ready, metrics
    case send
    case messageList, message, messageCarrierReply, messageCancel, messageAttempts
    case conversationList, conversation, conversationUpdate, conversationMessages
    case optOutList, optOutCreate, optOutDelete
    case replies, repliesConfirm, pendingStatuses
    case channels, channelCreate, channel, channelDelete, channelInboundToken, channelUpdate
    case templates, templateCreate, templateUpdate
    case inboundPost, inboundGet, inboundTokenPost, inboundTokenGet
    case webhookList, webhookCreate, webhookCallbackSecret, webhookCallbackSecretRotate
    case webhook, webhookUpdate, webhookDelete, webhookRotateSecret, webhookDeliveries, webhookReplay
    case adminReload, adminTable

    /// The method and the OpenAPI-style path template (`{name}` matches one non-empty segment).
    var spec: (method: HTTPMethod, template: String) {
        switch self {
        case .health: (.GET, "/health")
        case .ready: (.GET, "/ready")
        case .metrics: (.GET, "/metrics")
        case .send: (.POST, "/send")
        case .messageList: (.GET, "/messages")
        case .message: (.GET, "/messages/{id}")
        case .messageCarrierReply: (.GET, "/messages/{id}/carrier-reply")
        case .messageCancel: (.POST, "/messages/{id}/cancel")
        case .messageAttempts: (.GET, "/messages/{id}/attempts")
        case .conversationList: (.GET, "/conversations")
        case .conversation: (.GET, "/conversations/{id}")
        case .conversationUpdate: (.PATCH, "/conversations/{id}")
        case .conversationMessages: (.GET, "/conversations/{id}/messages")
        case .optOutList: (.GET, "/opt-outs")
        case .optOutCreate: (.POST, "/opt-outs")
        case .optOutDelete: (.DELETE, "/opt-outs/{kind}/{address}")
        case .replies: (.GET, "/replies")
        case .repliesConfirm: (.POST, "/replies/confirm")
        case .pendingStatuses: (.GET, "/pending-statuses")
        case .channels: (.GET, "/channels")
        case .channelCreate: (.POST, "/channels")
        case .channel: (.GET, "/channels/{id}")
        case .channelDelete: (.DELETE, "/channels/{id}")
        case .channelUpdate: (.PATCH, "/channels/{id}")
        case .channelInboundToken: (.POST, "/channels/{id}/inbound-token")
        case .templates: (.GET, "/templates")
        case .templateCreate: (.POST, "/templates")
        case .templateUpdate: (.PATCH, "/templates/{id}")
        case .inboundPost: (.POST, "/inbound/{account}/{channel}")
        case .inboundGet: (.GET, "/inbound/{account}/{channel}")
        case .inboundTokenPost: (.POST, "/inbound/{account}/{channel}/{token}")
        case .inboundTokenGet: (.GET, "/inbound/{account}/{channel}/{token}")
        case .webhookList: (.GET, "/webhooks")
        case .webhookCreate: (.POST, "/webhooks")
        // Before `/webhooks/{id}`: the first matching row wins.
        case .webhookCallbackSecret: (.GET, "/webhooks/callback-secret")
        case .webhookCallbackSecretRotate: (.POST, "/webhooks/callback-secret/rotate")
        case .webhook: (.GET, "/webhooks/{id}")
        case .webhookUpdate: (.PATCH, "/webhooks/{id}")
        case .webhookDelete: (.DELETE, "/webhooks/{id}")
        case .webhookRotateSecret: (.POST, "/webhooks/{id}/rotate-secret")
        case .webhookDeliveries: (.GET, "/webhooks/{id}/deliveries")
        case .webhookReplay: (.POST, "/webhooks/{id}/deliveries/{deliveryId}/replay")
        case .adminReload: (.POST, "/admin/reload")
        case .adminTable: (.GET, "/admin/table")
        }
    }

    /// The template's segments: nil for a parameter.
    private static let patterns: [[Substring?]] = allCases.map { route in
        route.spec.template.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 }
    }

    /// What a request's method and path lead to.
    enum Match: Equatable {
        /// The route, and the path's parameter values in template order.
        case found(Route, [String])
        /// The path is a route's, not with this method.
        case methodNotAllowed
        case notFound
    }

    /// Matches a method and a path (no query string) against the table.
    static func match(method: HTTPMethod, path: String) -> Match {
        let segments = path.split(separator: "/")
        var pathMatched = false
        for route in allCases {
            let pattern = patterns[route.rawValue]
            guard pattern.count == segments.count else { continue }
            var parameters: [String] = []
            var matches = true
            for (expected, actual) in zip(pattern, segments) {
                if let expected {
                    if expected != actual {
                        matches = false
                        break
                    }
                } else {
                    parameters.append(String(actual))
                }
            }
            guard matches else { continue }
            if route.spec.method == method { return .found(route, parameters) }
            pathMatched = true
        }
        return pathMatched ? .methodNotAllowed : .notFound
    }
}
