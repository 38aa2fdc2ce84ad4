import CarrierCore
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
    /// Access-log records carry their fields as metadata (`--log-format json`) rather than in one text line.
    let structuredLog: Bool
    /// Which routes this listener answers: all, all but `/metrics` (it has its own listener), or `/metrics` alone.
    let exposure: Exposure

    enum Exposure: Sendable {
        case everything, apiOnly, metricsOnly
    }

    init(
        engine: MessagingEngine, publicBaseURL: String, logger: Logger, structuredLog: Bool = false,
        exposure: Exposure = .everything
    ) {
        self.structuredLog = structuredLog
        self.exposure = exposure
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
        var matched: Route?
        let reply: Reply
        do throws(ServiceError) {
            let (route, parameters) = try Self.resolve(request)
            switch exposure {
            case .everything: break
            case .apiOnly: if route == .metrics { throw ServiceError.routeNotFound }
            case .metricsOnly: if route != .metrics { throw ServiceError.routeNotFound }
            }
            matched = route
            reply = try await self.route(request, route, parameters: parameters)
        } catch {
            if matched?.isInbound == true { engine.metrics.inboundRejected(code: error.code) }
            reply = Self.errorReply(error)
        }
        finish(request, matched, reply, since: started)
        return reply
    }

    /// Answers a webhook for a cached channel without creating a task (the route carriers hit hardest).
    /// `completion` runs on `eventLoop`: the database writer only hands the outcome over, so building the reply
    /// and logging stay off its thread.
    /// - Returns: false, doing nothing, when the request needs ``respond(to:)``.
    func respondWithoutTask(
        to request: ServiceRequest, on eventLoop: any EventLoop, completion: @escaping @Sendable (Reply) -> Void
    ) -> Bool {
        guard exposure != .metricsOnly, let target = Self.webhookTarget(of: request) else { return false }
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
                    responder.engine.metrics.inboundRejected(code: error.code)
                    reply = Self.errorReply(error)
                }
                let route: Route =
                    request.method == .GET
                    ? (target.token == nil ? .inboundGet : .inboundTokenGet)
                    : (target.token == nil ? .inboundPost : .inboundTokenPost)
                responder.finish(request, route, reply, since: started)
                completion(reply)
            }
        }
    }

    /// Counts the request in the metrics and writes its access-log record.
    private func finish(
        _ request: ServiceRequest, _ route: Route?, _ reply: Reply, since started: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - started
        engine.metrics.request(route, status: reply.status, duration: elapsed)
        guard logger.logLevel <= .info else { return }
        let (seconds, attoseconds) = elapsed.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if structuredLog {
            logger.info(
                "request", metadata: Self.accessLogFields(request, route, reply, microseconds: microseconds))
            return
        }
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

    /// `GET /health`'s answer, polled by every load balancer in front of the service: encoded once.
    static let healthBody = Data(#"{"status":"ok"}"#.utf8)

    static func errorReply(_ error: ServiceError) -> Reply {
        var reply = Reply.json(error.status, Data(errorBody(error).utf8))
        if let retryAfter = error.retryAfter { reply.headers.append(HTTPHeader("Retry-After", String(retryAfter))) }
        return reply
    }

    /// `{"error":{...}}` with the keys sorted, absent optionals left out, as `JSONEncoder` with `.sortedKeys` wrote it
    /// (but for `/`, which it escaped).
    ///
    /// Written by hand: every refusal is one, an unauthenticated flood included, and the encoder was 18% of the
    /// service's CPU answering `401` (`bench/floors.sh`'s door).
    static func errorBody(_ error: ServiceError) -> String {
        var text = "{\"error\":{"
        if let attribute = error.attribute { text += "\"attribute\":" + jsonStringLiteral(attribute) + "," }
        text += "\"code\":" + jsonStringLiteral(error.code)
        if let errors = error.errors {
            text += ",\"errors\":["
            for (index, field) in errors.enumerated() {
                if index > 0 { text += "," }
                text += "{\"attribute\":" + jsonStringLiteral(field.attribute)
                text += ",\"code\":" + jsonStringLiteral(field.code)
                text += ",\"message\":" + jsonStringLiteral(field.message)
                text += ",\"type\":" + jsonStringLiteral(field.type) + "}"
            }
            text += "]"
        }
        text += ",\"message\":" + jsonStringLiteral(error.message)
        text += ",\"type\":" + jsonStringLiteral(error.type)
        text += ",\"url\":" + jsonStringLiteral(error.url) + "}}"
        return text
    }

    // MARK: Routing

    private func route(_ request: ServiceRequest, _ route: Route, parameters: [String]) async throws(ServiceError)
        -> Reply
    {
        let body = request.body
        let id = parameters.first ?? ""
        switch route {
        case .health:
            return .json(200, Self.healthBody)
        case .ready:
            return await ready()
        case .metrics:
            return await metricsReply()
        case .inboundPost, .inboundGet, .inboundTokenPost, .inboundTokenGet:
            guard let target = Self.webhookTarget(of: request) else { throw .methodNotAllowed }
            return try await inbound(request, target: target)
        case .send:
            let identity = try await authenticate(request, scope: "messaging")
            return try await send(request, account: identity.account)
        case .messageList:
            let identity = try await authenticate(request, scope: "messaging")
            return try await listMessages(request, account: identity.account)
        case .conversationList:
            let identity = try await authenticate(request, scope: "messaging")
            return try await listConversations(request, account: identity.account)
        case .optOutList, .optOutCreate, .optOutDelete:
            let identity = try await authenticate(request, scope: "messaging")
            return try await optOuts(request, segments: Self.segments(request), identity: identity)
        case .messageCarrierReply:
            let identity = try await authenticate(request, scope: "admin")
            let excerpt = try await engine.carrierReplyExcerpt(messageId: id, account: identity.account)
            return .json(200, encoding: ["carrierReply": excerpt])
        case .message:
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.message(id: id, account: identity.account))
        case .messageCancel:
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.cancel(messageId: id, account: identity.account))
        case .messageAttempts:
            let identity = try await authenticate(request, scope: "messaging")
            let attempts = try await engine.attempts(messageId: id, account: identity.account)
            return .json(200, encoding: ["attempts": attempts])
        case .conversationUpdate:
            let identity = try await authenticate(request, scope: "messaging")
            let update = try Self.decodeStrict(
                ConversationUpdate.self, from: body, members: ["status", "assignee", "markRead"])
            return .json(200, encoding: try await engine.updateConversation(id: id, update, account: identity.account))
        case .conversationMessages:
            let identity = try await authenticate(request, scope: "messaging")
            let messages = try await engine.conversationMessages(id: id, account: identity.account)
            return .json(200, encoding: ["messages": messages])
        case .conversation:
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.conversation(id: id, account: identity.account))
        case .replies:
            let identity = try await authenticate(request, scope: "messaging")
            let limit = try Self.pageLimit(Self.queryParameters(request.query, allowed: ["limit"]))
            return .json(200, encoding: ["messages": try await engine.replies(account: identity.account, limit: limit)])
        case .repliesConfirm:
            let identity = try await authenticate(request, scope: "messaging")
            struct Confirm: Decodable { var ids: [String] }
            let confirm = try Self.decodeStrict(Confirm.self, from: body, members: ["ids"])
            let count = try await engine.confirmReplies(ids: confirm.ids, account: identity.account)
            return .json(200, encoding: ["confirmed": count])
        case .pendingStatuses:
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: ["pending": try await engine.pendingStatuses(account: identity.account)])
        case .channels, .channelCreate, .channel, .channelDelete, .channelInboundToken, .channelUpdate:
            let identity = try await authenticate(request, scope: "admin")
            return try await channels(route, id: id, body: body, account: identity.account)
        case .templates, .templateCreate, .templateUpdate:
            let identity = try await authenticate(request, scope: "admin")
            return try await templates(route, id: id, body: body, account: identity.account)
        case .webhookList, .webhookCreate, .webhookCallbackSecret, .webhookCallbackSecretRotate, .webhook,
            .webhookUpdate, .webhookDelete, .webhookRotateSecret, .webhookDeliveries, .webhookReplay:
            let identity = try await authenticate(request, scope: "admin")
            return try await webhooks(request, segments: Self.segments(request), account: identity.account)
        case .adminReload, .adminTable:
            // The carriers serve every account: an account's `admin` scope does not reach them.
            _ = try await authenticate(request, scope: "operator")
            return try await table(route)
        }
    }

    /// The path's segments, for the handlers that read them themselves (webhooks, opt-outs).
    static func segments(_ request: ServiceRequest) -> [String] {
        request.path.split(separator: "/").map(String.init)
    }

    /// The route a request is for, and its path parameters.
    /// - Throws: ``ServiceError`` `not-found` or `method-not-allowed`.
    static func resolve(_ request: ServiceRequest) throws(ServiceError) -> (Route, [String]) {
        switch Route.match(method: request.method, path: request.path) {
        case .found(let route, let parameters): return (route, parameters)
        case .methodNotAllowed: throw .methodNotAllowed
        case .notFound: throw .routeNotFound
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
        _ route: Route, id: String, body: [UInt8], account: String
    ) async throws(ServiceError) -> Reply {
        switch route {
        case .channelCreate:
            let channelRequest = try Self.decodeStrict(ChannelRequest.self, from: body, members: ChannelRequest.members)
            let created = try await engine.createChannel(channelRequest, account: account)
            return .json(201, encoding: view(created.record, token: created.token))
        case .channelUpdate:
            let update = try ChannelUpdate(json: body)
            let updated = try await engine.updateChannel(id: id, update, account: account)
            return .json(200, encoding: view(updated.record, token: updated.token))
        case .channel:
            let channel = try await engine.channel(id: id, account: account)
            return .json(200, encoding: view(channel))
        case .channelInboundToken:
            let (channel, token) = try await engine.rotateInboundToken(id: id, account: account)
            return .json(200, encoding: view(channel, token: token))
        case .channelDelete:
            try await engine.deleteChannel(id: id, account: account)
            return .json(200, encoding: ["deleted": id])
        default:
            let all = try await engine.channels(account: account)
            return .json(200, encoding: ["channels": all.map { view($0) }])
        }
    }

    /// A channel as the API shows it, with its webhook URL (the token only when just made).
    private func view(_ channel: ChannelRecord, token: String? = nil) -> ChannelView {
        ChannelView(channel, gateway: engine.gateway, publicBaseURL: publicBaseURL, token: token)
    }

    private func templates(
        _ route: Route, id: String, body: [UInt8], account: String
    ) async throws(ServiceError) -> Reply {
        switch route {
        case .templateCreate:
            let templateRequest = try Self.decodeStrict(
                TemplateRequest.self, from: body, members: TemplateRequest.members)
            return .json(201, encoding: try await engine.createTemplate(templateRequest, account: account))
        case .templateUpdate:
            // PATCH changes the status only: any other member is refused rather than ignored.
            let templateRequest = try Self.decodeStrict(TemplateRequest.self, from: body, members: ["status"])
            return .json(
                200,
                encoding: try await engine.setTemplateStatus(id: id, status: templateRequest.status, account: account))
        default:
            return .json(200, encoding: ["templates": try await engine.templates(account: account)])
        }
    }
}
