import Foundation
import NIOHTTP1

/// The list and opt-out endpoints: `GET /messages`, `GET /conversations`, `/opt-outs`.
extension ServiceResponder {
    /// The query string as name -> value (percent-decoded); a parameter not in `allowed`, or given twice, is refused.
    /// - Throws: ``ServiceError`` `unknown-field` naming the parameter, `duplicate-parameter`.
    static func queryParameters(_ query: String?, allowed: Set<String>) throws(ServiceError) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let raw = parts.count == 2 ? String(parts[1]) : ""
            let value = raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
            guard allowed.contains(name) else {
                throw .validation([.invalid(name, "unknown-field", "unknown query parameter '\(name)'")])
            }
            guard parameters[name] == nil else {
                throw .validation([.invalid(name, "duplicate-parameter", "query parameter '\(name)' is given twice")])
            }
            parameters[name] = value
        }
        return parameters
    }

    /// Decodes a JSON object body, refusing members not in `members` (`unknown-field`) rather than dropping them.
    static func decodeStrict<T: Decodable>(_ type: T.Type, from body: [UInt8], members: Set<String>)
        throws(ServiceError) -> T
    {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            let unknown = object.keys.filter { !members.contains($0) }.sorted()
            if !unknown.isEmpty {
                throw .validation(unknown.map { .invalid($0, "unknown-field", "unknown field '\($0)'") })
            }
        }
        return try decode(type, from: body)
    }

    /// `limit` (1 to 500, default 50) from parsed parameters.
    static func pageLimit(_ parameters: [String: String]) throws(ServiceError) -> Int {
        guard let text = parameters["limit"] else { return 50 }
        guard let limit = Int(text), (1...500).contains(limit) else {
            throw .validation([.invalid("limit", "invalid-limit", "limit must be an integer from 1 to 500")])
        }
        return limit
    }

    /// A time parameter: RFC 3339 with an offset, or Unix seconds.
    static func timeParameter(_ parameters: [String: String], _ name: String) throws(ServiceError) -> Double? {
        guard let text = parameters[name] else { return nil }
        if let seconds = Double(text) { return seconds }
        guard let time = SendRequest.parseRFC3339(text) else {
            throw .validation([
                .invalid(name, "invalid-date", "\(name) must be an RFC 3339 date-time with an offset or Unix seconds")
            ])
        }
        return time
    }

    func listMessages(_ request: ServiceRequest, account: String) async throws(ServiceError) -> Reply {
        let parameters = try Self.queryParameters(
            request.query,
            allowed: ["channelId", "status", "tag", "direction", "since", "until", "cursor", "limit"])
        if let direction = parameters["direction"], !["inbound", "outbound"].contains(direction) {
            throw .validation([
                .invalid("direction", "invalid-direction", "direction must be inbound or outbound")
            ])
        }
        if let status = parameters["status"], MessageStatus(rawValue: status) == nil {
            throw .validation([.invalid("status", "invalid-status", "status '\(status)' is not a message status")])
        }
        let filter = MessageFilter(
            channelId: parameters["channelId"], status: parameters["status"], tag: parameters["tag"]?.lowercased(),
            direction: parameters["direction"], since: try Self.timeParameter(parameters, "since"),
            until: try Self.timeParameter(parameters, "until"))
        let page = try await engine.listMessages(
            account: account, filter: filter, cursor: parameters["cursor"], limit: try Self.pageLimit(parameters))
        return .json(200, encoding: page)
    }

    func listConversations(_ request: ServiceRequest, account: String) async throws(ServiceError) -> Reply {
        let parameters = try Self.queryParameters(
            request.query, allowed: ["status", "assignee", "channelId", "queue", "cursor", "limit"])
        if let status = parameters["status"], !["open", "assigned", "closed", "snoozed"].contains(status) {
            throw .validation([
                .invalid("status", "invalid-status", "status must be open, assigned, closed or snoozed")
            ])
        }
        let filter = ConversationFilter(
            status: parameters["status"], assignee: parameters["assignee"], channelId: parameters["channelId"],
            queue: parameters["queue"])
        let page = try await engine.listConversations(
            account: account, filter: filter, cursor: parameters["cursor"], limit: try Self.pageLimit(parameters))
        return .json(200, encoding: page)
    }

    /// `GET` and `POST /opt-outs` (messaging scope), `DELETE /opt-outs/{kind}/{address}` (admin scope: taking a
    /// contact off the list lets messages reach someone who said STOP).
    func optOuts(_ request: ServiceRequest, segments: [String], identity: APIKeyIdentity) async throws(ServiceError)
        -> Reply
    {
        switch (request.method, segments.count) {
        case (.GET, 1):
            let parameters = try Self.queryParameters(request.query, allowed: ["kind", "cursor", "limit"])
            var kind: OptOutKind?
            if let text = parameters["kind"] {
                guard let parsed = OptOutKind(rawValue: text) else {
                    throw .validation([.invalid("kind", "invalid-kind", "kind must be one of sms, whatsapp, rcs")])
                }
                kind = parsed
            }
            let page = try await engine.optOuts(
                account: identity.account, kind: kind, cursor: parameters["cursor"],
                limit: try Self.pageLimit(parameters))
            return .json(200, encoding: page)
        case (.POST, 1):
            let body = try Self.decodeStrict(OptOutRequest.self, from: request.body, members: ["kind", "address"])
            return .json(201, encoding: try await engine.addOptOut(body, account: identity.account))
        case (.DELETE, 3):
            guard identity.scopes.contains("admin") else { throw .forbidden(scope: "admin") }
            let address = segments[2].removingPercentEncoding ?? segments[2]
            try await engine.removeOptOut(kind: segments[1], address: address, account: identity.account)
            return .json(200, encoding: ["deleted": address])
        case (_, 1), (_, 3):
            throw .methodNotAllowed
        default:
            throw .routeNotFound
        }
    }
}
