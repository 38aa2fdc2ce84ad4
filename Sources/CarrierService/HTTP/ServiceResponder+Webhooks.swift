import Foundation
import NIOHTTP1

extension ServiceResponder {
    /// `/webhooks...` (admin scope): endpoints, their deliveries and replays, and the account's callback secret.
    func webhooks(_ request: ServiceRequest, segments: [String], account: String) async throws(ServiceError) -> Reply {
        let engine = self.engine
        switch (request.method, segments.count) {
        case (.GET, 2) where segments[1] == "callback-secret":
            return .json(200, encoding: try await engine.callbackSecret(account: account))
        case (.POST, 3) where segments[1] == "callback-secret" && segments[2] == "rotate":
            return .json(200, encoding: try await engine.rotateCallbackSecret(account: account))
        case (_, 2) where segments[1] == "callback-secret", (_, 3) where segments[1] == "callback-secret":
            throw .methodNotAllowed
        case (.GET, 1):
            return .json(200, encoding: ["webhooks": try await engine.webhookEndpoints(account: account)])
        case (.POST, 1):
            let body = try MessagingEngine.WebhookEndpointRequest(json: request.body)
            return .json(201, encoding: try await engine.createWebhook(body, account: account))
        case (.GET, 2):
            return .json(200, encoding: try await engine.webhookEndpoint(id: segments[1], account: account))
        case (.PATCH, 2):
            let body = try MessagingEngine.WebhookEndpointRequest(json: request.body)
            return .json(200, encoding: try await engine.updateWebhook(id: segments[1], body, account: account))
        case (.DELETE, 2):
            try await engine.deleteWebhook(id: segments[1], account: account)
            return .json(200, encoding: ["deleted": true])
        case (.POST, 3) where segments[2] == "rotate-secret":
            return .json(200, encoding: try await engine.rotateWebhookSecret(id: segments[1], account: account))
        case (.GET, 3) where segments[2] == "deliveries":
            let limit = try Self.pageLimit(Self.queryParameters(request.query, allowed: ["limit"]))
            let deliveries = try await engine.webhookDeliveries(id: segments[1], account: account, limit: limit)
            return .json(200, encoding: ["deliveries": deliveries])
        case (.POST, 5) where segments[2] == "deliveries" && segments[4] == "replay":
            return .json(
                202,
                encoding: try await engine.replayWebhookDelivery(
                    id: segments[1], deliveryId: segments[3], account: account))
        case (_, 1), (_, 2),
            (_, 3) where ["rotate-secret", "deliveries"].contains(segments[2]),
            (_, 5) where segments[2] == "deliveries" && segments[4] == "replay":
            throw .methodNotAllowed
        default:
            throw .routeNotFound
        }
    }
}
