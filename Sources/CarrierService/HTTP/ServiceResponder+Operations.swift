import CarrierRuntime
import Foundation
import NIOHTTP1

extension ServiceResponder {
    /// `GET /ready`: 200 when the database answers, a table is loaded and the dispatcher runs (or is off by
    /// configuration); else 503 `not-ready` naming what is not.
    func ready() async -> Reply {
        var failing: [ServiceError.FieldError] = []
        do {
            try await engine.operations.ping()
        } catch {
            failing.append(
                .init(
                    type: "failed", code: "database-unreachable", message: "the database does not answer",
                    attribute: "database"))
        }
        if engine.gateway.carrierIds.isEmpty {
            failing.append(.init(type: "failed", code: "no-table", message: "no carrier is loaded", attribute: "table"))
        }
        let dispatcher: String
        if !engine.configuration.dispatcher {
            dispatcher = "disabled"
        } else if engine.dispatcher.isRunning {
            dispatcher = "running"
        } else {
            dispatcher = "stopped"
            failing.append(
                .init(
                    type: "failed", code: "dispatcher-stopped", message: "the dispatcher is not running",
                    attribute: "dispatcher"))
        }
        guard failing.isEmpty else {
            return Self.errorReply(
                ServiceError(status: 503, code: "not-ready", message: "the service is not ready", errors: failing))
        }
        struct Ready: Encodable {
            var status = "ready"
            var database = "ok"
            var carriers: Int
            var dispatcher: String
        }
        return .json(200, encoding: Ready(carriers: engine.gateway.carrierIds.count, dispatcher: dispatcher))
    }

    /// `GET /metrics`: the Prometheus text format, the outbox gauges read just before.
    func metricsReply() async -> Reply {
        let now = MessagingEngine.now()
        if let state = try? await engine.operations.outboxState(now: now) {
            engine.metrics.outbox(
                depth: state.depth, oldestDueAgeSeconds: state.oldestDueAt.map { max(0, now - $0) } ?? 0)
        }
        return Reply(
            status: 200, headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            body: Data(engine.metrics.exposition()))
    }

    /// `POST /admin/reload` and `GET /admin/table` (operator scope).
    func table(_ route: Route) async throws(ServiceError) -> Reply {
        if route == .adminReload {
            let info = try engine.reloadTable(trigger: "api")
            return .json(200, encoding: info)
        }
        guard let gateway = engine.reloadableGateway else {
            throw ServiceError(
                status: 409, code: "not-reloadable", message: "this service's carriers cannot be reloaded")
        }
        return .json(200, encoding: gateway.info)
    }
}
