import CarrierRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Routes the JSON API and the carrier webhooks to the ``MessagingEngine``.
///
/// A single responder (rather than Hummingbird's router) keeps every answer, including 404 and 405, in the
/// `{"error":{...}}` shape, and logs exactly one line per request, without bodies or header values.
struct ServiceResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// Largest request body accepted (webhooks included).
    static let maxBodyBytes = 1 << 20

    let engine: MessagingEngine
    let publicBaseURL: String
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let path = request.uri.path
        let reply: Reply
        do {
            let buffer = try await request.collectBody(upTo: Self.maxBodyBytes)
            let body = Data(buffer.readableBytesView)
            reply = try await route(request, body: body)
        } catch let error as ServiceError {
            reply = Self.errorReply(error)
        } catch {
            reply = Self.errorReply(ServiceError(status: 413, code: "bad-request", message: "the body is too large"))
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(reply.status)",
                "ms": "\(String(format: "%.1f", milliseconds))",
            ])
        var fields = HTTPFields()
        for header in reply.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// A response before it becomes a Hummingbird ``Response``.
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
                var code: String
                var message: String
                var errors: [ServiceError.FieldError]?
            }
            var error: Inner
        }
        return .json(
            error.status, encoding: Body(error: .init(code: error.code, message: error.message, errors: error.errors)))
    }

    // MARK: Routing

    private func route(_ request: Request, body: Data) async throws(ServiceError) -> Reply {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        let method = request.method
        switch segments.first {
        case "health" where segments.count == 1:
            guard method == .get else { throw .methodNotAllowed }
            return .json(200, encoding: ["status": "ok"])
        case "inbound" where segments.count == 2:
            // GET too: query-string callbacks (Kannel, Vonage) and subscription checks (Meta's hub.challenge).
            guard method == .post || method == .get else { throw .methodNotAllowed }
            return try await inbound(request, channelId: segments[1], body: body)
        case "send" where segments.count == 1:
            guard method == .post else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return try await send(request, body: body, account: identity.account)
        case "messages" where segments.count == 2:
            guard method == .get else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: try await engine.message(id: segments[1], account: identity.account))
        case "conversations" where segments.count == 2 && method == .patch:
            let identity = try await authenticate(request, scope: "messaging")
            let update = try Self.decode(ConversationUpdate.self, from: body)
            return .json(
                200, encoding: try await engine.updateConversation(id: segments[1], update, account: identity.account))
        case "conversations" where segments.count == 2 || (segments.count == 3 && segments[2] == "messages"):
            guard method == .get else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            if segments.count == 3 {
                let messages = try await engine.conversationMessages(id: segments[1], account: identity.account)
                return .json(200, encoding: ["messages": messages])
            }
            return .json(200, encoding: try await engine.conversation(id: segments[1], account: identity.account))
        case "replies" where segments.count == 1:
            guard method == .get else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            let limit = try Self.limit(from: request.uri.query)
            return .json(200, encoding: ["messages": try await engine.replies(account: identity.account, limit: limit)])
        case "replies" where segments.count == 2 && segments[1] == "confirm":
            guard method == .post else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            struct Confirm: Decodable { var ids: [String] }
            let confirm = try Self.decode(Confirm.self, from: body)
            let count = try await engine.confirmReplies(ids: confirm.ids, account: identity.account)
            return .json(200, encoding: ["confirmed": count])
        case "pending-statuses" where segments.count == 1:
            guard method == .get else { throw .methodNotAllowed }
            let identity = try await authenticate(request, scope: "messaging")
            return .json(200, encoding: ["pending": try await engine.pendingStatuses(account: identity.account)])
        case "channels":
            let identity = try await authenticate(request, scope: "admin")
            return try await channels(request, segments: segments, body: body, account: identity.account)
        case "templates":
            let identity = try await authenticate(request, scope: "admin")
            return try await templates(request, segments: segments, body: body, account: identity.account)
        default:
            throw .routeNotFound
        }
    }

    private func authenticate(_ request: Request, scope: String) async throws(ServiceError) -> APIKeyIdentity {
        guard let name = HTTPField.Name("x-api-key"), let key = request.headers[name], !key.isEmpty,
            let identity = try await engine.authenticate(key: key)
        else { throw .unauthorized }
        guard identity.scopes.contains(scope) else { throw .forbidden(scope: scope) }
        return identity
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws(ServiceError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
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

    private func send(_ request: Request, body: Data, account: String) async throws(ServiceError) -> Reply {
        let sendRequest = try Self.decode(SendRequest.self, from: body)
        guard let key = HTTPField.Name("idempotency-key").flatMap({ request.headers[$0] }) else {
            let reply = try await engine.send(sendRequest, account: account)
            return .json(reply.status, reply.body)
        }
        switch try await engine.claimIdempotent(key: key, account: account) {
        case .done(let stored):
            return .json(stored.status, stored.body)
        case .inProgress:
            throw ServiceError(
                status: 409, code: "idempotency-in-progress",
                message: "a request with this Idempotency-Key is being processed; retry later")
        case .claimed:
            do {
                let reply = try await engine.send(sendRequest, account: account)
                try await engine.finishIdempotent(reply, key: key, account: account)
                return .json(reply.status, reply.body)
            } catch {
                await engine.releaseIdempotent(key: key, account: account)
                throw error
            }
        }
    }

    private func inbound(_ request: Request, channelId: String, body: Data) async throws(ServiceError) -> Reply {
        let pathAndQuery = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
        let headers = request.headers.map { HTTPHeader($0.name.canonicalName, $0.value) }
        let carrierRequest = CarrierRuntime.HTTPRequest(
            method: request.method.rawValue, url: pathAndQuery, headers: headers, body: [UInt8](body))
        let reply = try await engine.inbound(
            channelId: channelId, request: carrierRequest, publicURL: publicBaseURL + pathAndQuery)
        return Reply(status: reply.status, headers: reply.headers, body: Data(reply.body))
    }

    private func channels(
        _ request: Request, segments: [String], body: Data, account: String
    ) async throws(ServiceError) -> Reply {
        switch (request.method, segments.count) {
        case (.get, 1):
            let all = try await engine.channels(account: account)
            return .json(200, encoding: ["channels": all.map { $0.redacted(gateway: engine.gateway) }])
        case (.post, 1):
            let channelRequest = try Self.decode(ChannelRequest.self, from: body)
            let created = try await engine.createChannel(channelRequest, account: account)
            return .json(201, encoding: created.redacted(gateway: engine.gateway))
        case (.get, 2):
            let channel = try await engine.channel(id: segments[1], account: account)
            return .json(200, encoding: channel.redacted(gateway: engine.gateway))
        case (.delete, 2):
            try await engine.deleteChannel(id: segments[1], account: account)
            return .json(200, encoding: ["deleted": segments[1]])
        case (_, 1), (_, 2):
            throw .methodNotAllowed
        default:
            throw .routeNotFound
        }
    }

    private func templates(
        _ request: Request, segments: [String], body: Data, account: String
    ) async throws(ServiceError) -> Reply {
        switch (request.method, segments.count) {
        case (.get, 1):
            return .json(200, encoding: ["templates": try await engine.templates(account: account)])
        case (.post, 1):
            let templateRequest = try Self.decode(TemplateRequest.self, from: body)
            return .json(201, encoding: try await engine.createTemplate(templateRequest, account: account))
        case (.patch, 2):
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
