import CarrierRuntime
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Routes the JSON API and the carrier webhooks to the ``MessagingEngine``.
///
/// One responder (rather than a router) keeps every answer, including 404 and 405, in the `{"error":{...}}` shape,
/// and logs exactly one line per request, without bodies or header values.
final class ServiceResponder: Sendable {
    /// Largest request body accepted (webhooks included).
    static let maxBodyBytes = 1 << 20

    let engine: MessagingEngine
    let publicBaseURL: String
    let logger: Logger
    let authFailures: AuthFailureLimiter
    /// Nil when `accountRequestsPerSecond` is 0 (no limit).
    let accountRates: AccountRateLimiter?

    init(engine: MessagingEngine, publicBaseURL: String, logger: Logger) {
        self.engine = engine
        self.publicBaseURL = publicBaseURL
        self.logger = logger
        authFailures = AuthFailureLimiter(limit: engine.configuration.maxAuthFailuresPerMinute)
        let rate = engine.configuration.accountRequestsPerSecond
        accountRates = rate > 0 ? AccountRateLimiter(requestsPerSecond: rate) : nil
    }

    /// Answers one request; failures become error replies, so this never throws.
    func respond(to request: ServiceRequest) async -> Reply {
        let started = ContinuousClock.now
        let reply: Reply
        do {
            reply = try await route(request)
        } catch {
            reply = Self.errorReply(error)
        }
        log(request, reply, since: started)
        return reply
    }

    /// Answers a webhook for a cached channel without creating a task (the route carriers hit hardest).
    /// `completion` runs on `eventLoop`: the database writer only hands the outcome over, so building the reply
    /// and logging stay off its thread.
    /// - Returns: false, doing nothing, when the request needs ``respond(to:)``.
    func respondWithoutTask(
        to request: ServiceRequest, on eventLoop: any EventLoop, completion: @escaping @Sendable (Reply) -> Void
    ) -> Bool {
        guard let target = Self.webhookTarget(of: request) else { return false }
        let started = ContinuousClock.now
        let responder = self
        let webhook = Self.carrierRequest(request)
        return engine.inboundWithoutTask(
            target, request: webhook, publicURL: publicBaseURL + webhook.url
        ) { result in
            eventLoop.execute {
                let reply: Reply
                switch result {
                case .success(let answer):
                    reply = Reply(status: answer.status, headers: answer.headers, body: Data(answer.body))
                case .failure(let error):
                    reply = Self.errorReply(error)
                }
                responder.log(request, reply, since: started)
                completion(reply)
            }
        }
    }

    /// One access-log line, `POST /channels/ch-1 200 0.4ms`; the path has no query string (it may carry data), and
    /// a webhook's token is left out.
    private func log(_ request: ServiceRequest, _ reply: Reply, since started: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let path = Self.loggedPath(request.path)
        logger.info(
            "\(request.method.rawValue) \(path) \(reply.status) \(microseconds / 1000).\(microseconds % 1000 / 100)ms"
        )
    }

    /// The account, channel and token of a webhook request (`POST` or `GET /inbound/{account}/{channel}[/{token}]`),
    /// else nil. GET too: query-string callbacks (Kannel, Vonage) and subscription checks (Meta's hub.challenge).
    static func webhookTarget(of request: ServiceRequest) -> MessagingEngine.WebhookTarget? {
        guard request.method == .POST || request.method == .GET else { return nil }
        let segments = request.path.split(separator: "/")
        guard segments.count == 3 || segments.count == 4, segments[0] == "inbound" else { return nil }
        return .init(
            account: String(segments[1]), channelId: String(segments[2]),
            token: segments.count == 4 ? String(segments[3]) : nil)
    }

    /// The path for the access log: a webhook token is a credential, so it is replaced by `***`.
    static func loggedPath(_ path: String) -> String {
        guard path.hasPrefix("/inbound/") else { return path }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 5 else { return path }
        return segments.prefix(4).joined(separator: "/") + "/***"
    }

    /// A reply before it goes on the wire.
    struct Reply: Sendable {
        var status: Int
        var headers: [HTTPHeader]
        var body: Data

        static func json(_ status: Int, _ body: Data) -> Self {
            Reply(status: status, headers: [HTTPHeader("Content-Type", "application/json")], body: body)
        }

        static func json(_ status: Int, encoding value: some Encodable) -> Self {
            json(status, MessagingEngine.encode(value))
        }
    }

    static func errorReply(_ error: ServiceError) -> Reply {
        struct Body: Encodable {
            struct Inner: Encodable {
                var type: String
                var code: String
                var message: String
                var attribute: String?
                var url: String
                var errors: [ServiceError.FieldError]?
            }
            var error: Inner
        }
        let inner = Body.Inner(
            type: error.type, code: error.code, message: error.message, attribute: error.attribute, url: error.url,
            errors: error.errors)
        var reply = Reply.json(error.status, encoding: Body(error: inner))
        if let retryAfter = error.retryAfter { reply.headers.append(HTTPHeader("Retry-After", String(retryAfter))) }
        return reply
    }

    // MARK: Routing

    private func route(_ request: ServiceRequest) async throws(ServiceError) -> Reply {
        let segments = request.path.split(separator: "/").map(String.init)
        let body = request.body
        let method = request.method
        switch segments.first {
        case "health" where segments.count == 1:
            guard method == .GET else { throw .methodNotAllowed }
            return .json(200, encoding: ["status": "ok"])
        case "inbound" where segments.count == 3 || segments.count == 4:
            guard let target = Self.webhookTarget(of: request) else { throw .methodNotAllowed }
            return try await inbound(request, target: target)
        case "send" where segments.count == 1:
            guard method == .POST else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return try await send(request, account: identity.account)
        case "messages" where segments.count == 1:
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return try await listMessages(request, account: identity.account)
        case "conversations" where segments.count == 1:
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return try await listConversations(request, account: identity.account)
        case "opt-outs" where segments.count <= 3:
            let identity = try await authenticate(request, scope: "messaging")
            return try await optOuts(request, segments: segments, identity: identity)
        case "messages" where segments.count == 3 && segments[2] == "carrier-reply":
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "admin")
            let excerpt = try await engine.carrierReplyExcerpt(messageId: segments[1], account: identity.account)
            return .json(200, encoding: ["carrierReply": excerpt])
        case "messages" where segments.count == 2:
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.message(id: segments[1], account: identity.account))
        case "messages" where segments.count == 3 && segments[2] == "cancel":
            guard method == .POST else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.cancel(messageId: segments[1], account: identity.account))
        case "messages" where segments.count == 3 && segments[2] == "attempts":
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            let attempts = try await engine.attempts(messageId: segments[1], account: identity.account)
            return .json(200, encoding: ["attempts": attempts])
        case "conversations" where segments.count == 2 && method == .PATCH:
            let identity = try await authenticate(request, scope: "messaging")
            let update = try Self.decode(ConversationUpdate.self, from: body)
            return .json(
                200, encoding: try await engine.updateConversation(id: segments[1], update, account: identity.account))
        case "conversations" where segments.count == 2 || (segments.count == 3 && segments[2] == "messages"):
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            if segments.count == 3 {
                let messages = try await engine.conversationMessages(id: segments[1], account: identity.account)
                return .json(200, encoding: ["messages": messages])
            }
            return .json(200, encoding: try await engine.conversation(id: segments[1], account: identity.account))
        case "replies" where segments.count == 1:
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            let limit = try Self.limit(from: request.query)
            return .json(200, encoding: ["messages": try await engine.replies(account: identity.account, limit: limit)])
        case "replies" where segments.count == 2 && segments[1] == "confirm":
            guard method == .POST else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            struct Confirm: Decodable { var ids: [String] }
            let confirm = try Self.decode(Confirm.self, from: body)
            let count = try await engine.confirmReplies(ids: confirm.ids, account: identity.account)
            return .json(200, encoding: ["confirmed": count])
        case "pending-statuses" where segments.count == 1:
            guard method == .GET else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: ["pending": try await engine.pendingStatuses(account: identity.account)])
        case "channels":
            let identity = try await authenticate(request, scope: "admin")
            return try await channels(request, segments: segments, body: body, account: identity.account)
        case "templates":
            let identity = try await authenticate(request, scope: "admin")
            return try await templates(request, segments: segments, body: body, account: identity.account)
        case "webhooks":
            let identity = try await authenticate(request, scope: "admin")
            return try await webhooks(request, segments: segments, account: identity.account)
        default:
            throw .routeNotFound
        }
    }

    /// Checks the API key and scope; a client that keeps sending wrong keys gets 429 (even with a right one, until
    /// its wait is over), and an account over its request rate gets 429.
    private func authenticate(_ request: ServiceRequest, scope: String) async throws(ServiceError) -> APIKeyIdentity {
        let now = MessagingEngine.now()
        if let wait = authFailures.retryAfter(client: request.client, now: now) {
            throw .tooManyAuthFailures(retryAfter: wait)
        }
        guard let key = request.header("x-api-key"), let identity = try await engine.authenticate(key: key)
        else {
            if let wait = authFailures.recordFailure(client: request.client, now: now) {
                throw .tooManyAuthFailures(retryAfter: wait)
            }
            throw .unauthorized
        }
        guard identity.scopes.contains(scope) else { throw .forbidden(scope: scope) }
        if let accountRates, !accountRates.allow(account: identity.account, now: now) { throw .rateLimited }
        return identity
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(ServiceError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw .badJSON("the body is not valid JSON for this endpoint")
        }
    }

    static func limit(from query: String?) throws(ServiceError) -> Int {
        let pairs = (query ?? "").split(separator: "&").map { $0.split(separator: "=", maxSplits: 1) }
        guard let pair = pairs.first(where: { $0.first == "limit" }) else { return 50 }
        guard pair.count == 2, let limit = Int(pair[1]), (1...500).contains(limit) else {
            throw .validation([.invalid("limit", "invalid-limit", "limit must be an integer from 1 to 500")])
        }
        return limit
    }

    // MARK: Endpoints

    private func send(_ request: ServiceRequest, account: String) async throws(ServiceError) -> Reply {
        let sendRequest = try SendRequest(json: request.body)
        let key = request.header("idempotency-key")
        if let key, key.isEmpty || key.utf8.count > 255 {
            throw .validation([
                .invalid("Idempotency-Key", "invalid-idempotency-key", "Idempotency-Key must have 1 to 255 bytes")
            ])
        }
        let reply = try await engine.send(sendRequest, account: account, idempotencyKey: key)
        return .json(reply.status, reply.body)
    }

    private func inbound(_ request: ServiceRequest, target: MessagingEngine.WebhookTarget) async throws(ServiceError)
        -> Reply
    {
        let webhook = Self.carrierRequest(request)
        let reply = try await engine.inbound(target, request: webhook, publicURL: publicBaseURL + webhook.url)
        return Reply(status: reply.status, headers: reply.headers, body: Data(reply.body))
    }

    /// The webhook as the carrier runtime reads it: method, path and query, headers, body.
    static func carrierRequest(_ request: ServiceRequest) -> CarrierRuntime.HTTPRequest {
        CarrierRuntime.HTTPRequest(
            method: request.method.rawValue, url: request.pathAndQuery,
            headers: request.headers.map { HTTPHeader($0.name, $0.value) }, body: request.body)
    }

    private func channels(
        _ request: ServiceRequest, segments: [String], body: [UInt8], account: String
    ) async throws(ServiceError) -> Reply {
        switch (request.method, segments.count) {
        case (.GET, 1):
            let all = try await engine.channels(account: account)
            return .json(200, encoding: ["channels": all.map { view($0) }])
        case (.POST, 1):
            let channelRequest = try Self.decodeStrict(
                ChannelRequest.self, from: body,
                members: [
                    "id", "channel", "provider", "address", "settings", "defaultQueue", "ratePerSecond",
                    "validitySeconds",
                ])
            let created = try await engine.createChannel(channelRequest, account: account)
            return .json(201, encoding: view(created.record, token: created.token))
        case (.GET, 2):
            let channel = try await engine.channel(id: segments[1], account: account)
            return .json(200, encoding: view(channel))
        case (.POST, 3) where segments[2] == "inbound-token":
            let (channel, token) = try await engine.rotateInboundToken(id: segments[1], account: account)
            return .json(200, encoding: view(channel, token: token))
        case (.DELETE, 2):
            try await engine.deleteChannel(id: segments[1], account: account)
            return .json(200, encoding: ["deleted": segments[1]])
        case (_, 1), (_, 2):
            throw .methodNotAllowed
        case (_, 3) where segments[2] == "inbound-token":
            throw .methodNotAllowed
        default:
            throw .routeNotFound
        }
    }

    /// A channel as the API shows it, with its webhook URL (the token only when just made).
    private func view(_ channel: ChannelRecord, token: String? = nil) -> ChannelView {
        ChannelView(channel, gateway: engine.gateway, publicBaseURL: publicBaseURL, token: token)
    }

    private func templates(
        _ request: ServiceRequest, segments: [String], body: [UInt8], account: String
    ) async throws(ServiceError) -> Reply {
        switch (request.method, segments.count) {
        case (.GET, 1):
            return .json(200, encoding: ["templates": try await engine.templates(account: account)])
        case (.POST, 1):
            let templateRequest = try Self.decode(TemplateRequest.self, from: body)
            return .json(201, encoding: try await engine.createTemplate(templateRequest, account: account))
        case (.PATCH, 2):
            let templateRequest = try Self.decode(TemplateRequest.self, from: body)
            return .json(
                200,
                encoding: try await engine.setTemplateStatus(
                    id: segments[1], status: templateRequest.status, account: account))
        case (_, 1), (_, 2):
            throw .methodNotAllowed
        default:
            throw .routeNotFound
        }
    }
}
