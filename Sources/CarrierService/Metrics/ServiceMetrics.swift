import CoreMetrics
import Foundation
import NIOHTTP1
import Prometheus
import Synchronization

/// The service's metrics, written through the swift-metrics API into a Prometheus registry of this service's own
/// (so that two services in one process, as in the tests, count apart) and exported by `GET /metrics`.
///
/// Labels only ever hold values from closed sets: route templates, HTTP statuses, channel kinds (`sms`, `mms`,
/// `whatsapp`, `rcs`), directions, message statuses, outcomes and carrier ids from the operator's definitions.
/// Never a phone number, a body, an account, a channel id or a secret. The counters of the hot paths (requests by
/// route and status) are made at start and picked by index, so counting a request builds no labels.
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Statuses whose request counters are made at start; others are made on first use.
    private static let commonStatuses = [
        200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503,
    ]
    /// The route label of requests that matched no route.
    static let unmatchedRoute = "unmatched"
    static let channelKinds = ["sms", "mms", "whatsapp", "rcs", "other"]
    static let directions = ["inbound", "outbound"]
    static let attemptOutcomes = ["ok", "retryable", "permanent", "ambiguous"]

    /// `[route index][common status index]`; the last route index is ``unmatchedRoute``.
    private let requests: [[CoreMetrics.Counter]]
    private let otherStatuses = Mutex<[Int: CoreMetrics.Counter]>([:])
    private let requestDurations: [CoreMetrics.Timer]
    /// `[channel kind][direction][MessageStatus index]`.
    private let messages: [[[CoreMetrics.Counter]]]
    /// `[channel kind][stop, start]`.
    private let optOuts: [[CoreMetrics.Counter]]
    private let carriers = Mutex<[String: CarrierMetrics]>([:])
    /// Customer webhook deliveries: `[delivered, failed]`.
    private let webhookDeliveries: [CoreMetrics.Counter]
    /// Carrier webhooks rejected (bad signature, unknown channel, ...), by the error's code, made on first use.
    private let inboundRejections = Mutex<[String: CoreMetrics.Counter]>([:])
    private let commitDuration: CoreMetrics.Timer
    private let commitBatchSize: CoreMetrics.Recorder
    private let queueDepth: CoreMetrics.Gauge
    private let oldestDueAge: CoreMetrics.Gauge
    private let tableReloads: [CoreMetrics.Counter]
    private let tableCarriers: CoreMetrics.Gauge

    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        factory.valueHistogramBuckets["carrier_db_commit_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        self.registry = registry
        self.factory = factory
        let routeLabels =
            Route.allCases.map { ($0.spec.template, $0.spec.method.rawValue) } + [(Self.unmatchedRoute, "")]
        requests = routeLabels.map { route, method in
            Self.commonStatuses.map { status in
                CoreMetrics.Counter(
                    label: "carrier_http_requests_total",
                    dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            }
        }
        requestDurations = routeLabels.map { route, method in
            CoreMetrics.Timer(
                label: "carrier_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
                factory: factory)
        }
        messages = Self.channelKinds.map { kind in
            Self.directions.map { direction in
                MessageStatus.allCases.map { status in
                    CoreMetrics.Counter(
                        label: "carrier_messages_total",
                        dimensions: [("channel", kind), ("direction", direction), ("status", status.rawValue)],
                        factory: factory)
                }
            }
        }
        optOuts = Self.channelKinds.map { kind in
            ["stop", "start"].map { action in
                CoreMetrics.Counter(
                    label: "carrier_opt_outs_total", dimensions: [("channel", kind), ("action", action)],
                    factory: factory)
            }
        }
        webhookDeliveries = ["delivered", "failed"].map { outcome in
            CoreMetrics.Counter(
                label: "carrier_webhook_deliveries_total", dimensions: [("outcome", outcome)], factory: factory)
        }
        commitDuration = CoreMetrics.Timer(label: "carrier_db_commit_duration_seconds", factory: factory)
        commitBatchSize = CoreMetrics.Recorder(label: "carrier_db_commit_batch_size", factory: factory)
        queueDepth = CoreMetrics.Gauge(label: "carrier_outbox_depth", factory: factory)
        oldestDueAge = CoreMetrics.Gauge(label: "carrier_outbox_oldest_due_age_seconds", factory: factory)
        tableReloads = ["ok", "refused"].map { result in
            CoreMetrics.Counter(
                label: "carrier_table_reloads_total", dimensions: [("result", result)], factory: factory)
        }
        tableCarriers = CoreMetrics.Gauge(label: "carrier_table_carriers", factory: factory)
    }

    // MARK: Requests

    /// Counts one answered request. `route` is nil for a request that matched no route.
    func request(_ route: Route?, status: Int, duration: Duration) {
        let index = route?.rawValue ?? Route.allCases.count
        requestDurations[index].recordNanoseconds(Self.nanoseconds(duration))
        if let statusIndex = Self.commonStatuses.firstIndex(of: status) {
            requests[index][statusIndex].increment()
            return
        }
        let counter = otherStatuses.withLock { cache in
            let key = index * 1000 + status
            if let counter = cache[key] { return counter }
            let (template, method) =
                route.map { ($0.spec.template, $0.spec.method.rawValue) } ?? (Self.unmatchedRoute, "")
            let counter = CoreMetrics.Counter(
                label: "carrier_http_requests_total",
                dimensions: [("route", template), ("method", method), ("status", String(status))], factory: factory)
            cache[key] = counter
            return counter
        }
        counter.increment()
    }

    // MARK: Messages

    /// Counts a message entering `status` (`queued` when accepted, `sent`/`failed`/... after its attempts,
    /// `received` inbound, and status callbacks).
    func message(channel: String, inbound: Bool, status: MessageStatus) {
        guard let statusIndex = MessageStatus.allCases.firstIndex(of: status) else { return }
        messages[Self.kindIndex(channel)][inbound ? 0 : 1][statusIndex].increment()
    }

    /// Counts a STOP (`stop: true`) or START keyword that changed nothing or the opt-out list.
    func optOut(channel: String, stop: Bool) {
        optOuts[Self.kindIndex(channel)][stop ? 0 : 1].increment()
    }

    /// Counts one carrier webhook refused with `code` (a stable error code, never request data).
    func inboundRejected(code: String) {
        let counter = inboundRejections.withLock { cache in
            if let counter = cache[code] { return counter }
            let counter = CoreMetrics.Counter(
                label: "carrier_inbound_rejected_total", dimensions: [("code", code)], factory: factory)
            cache[code] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts one delivery to a customer's webhook endpoint (for the webhooks feature).
    func webhookDelivery(delivered: Bool) {
        webhookDeliveries[delivered ? 0 : 1].increment()
    }

    // MARK: Carriers

    /// Counts one send attempt to `carrier` (an id from the adapter table) and its latency.
    /// - Parameter outcome: `ok`, `retryable`, `permanent` or `ambiguous`.
    func attempt(carrier: String, outcome: String, latency: Duration) {
        let metrics = carriers.withLock { cache in
            if let metrics = cache[carrier] { return metrics }
            let metrics = CarrierMetrics(carrier: carrier, factory: factory)
            cache[carrier] = metrics
            return metrics
        }
        metrics.latency.recordNanoseconds(Self.nanoseconds(latency))
        if let index = Self.attemptOutcomes.firstIndex(of: outcome) { metrics.outcomes[index].increment() }
    }

    // MARK: Database, outbox, table

    /// Records one group commit: its duration and how many requests' writes it carried.
    func commit(duration: Duration, batchSize: Int) {
        commitDuration.recordNanoseconds(Self.nanoseconds(duration))
        commitBatchSize.record(batchSize)
    }

    /// Sets the outbox gauges (read just before each scrape).
    func outbox(depth: Int, oldestDueAgeSeconds: Double) {
        queueDepth.record(depth)
        oldestDueAge.record(oldestDueAgeSeconds)
    }

    func tableReload(succeeded: Bool, carriers: Int?) {
        tableReloads[succeeded ? 0 : 1].increment()
        if let carriers { tableCarriers.record(carriers) }
    }

    func tableLoaded(carriers: Int) { tableCarriers.record(carriers) }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: Helpers

    private static func kindIndex(_ channel: String) -> Int {
        switch channel {
        case "sms": 0
        case "mms": 1
        case "whatsapp": 2
        case "rcs": 3
        default: 4
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The metrics of one carrier, made on its first attempt (carriers can be added by a reload).
private final class CarrierMetrics: Sendable {
    let outcomes: [CoreMetrics.Counter]
    let latency: CoreMetrics.Timer

    init(carrier: String, factory: PrometheusMetricsFactory) {
        outcomes = ServiceMetrics.attemptOutcomes.map { outcome in
            CoreMetrics.Counter(
                label: "carrier_send_attempts_total", dimensions: [("carrier", carrier), ("outcome", outcome)],
                factory: factory)
        }
        latency = CoreMetrics.Timer(
            label: "carrier_send_duration_seconds", dimensions: [("carrier", carrier)], factory: factory)
    }
}
