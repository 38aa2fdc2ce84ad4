import CarrierRuntime
import Foundation
import Logging
import Synchronization

/// Delivers customer webhooks: claims due deliveries with a lease (``WebhookStore``), signs each attempt (Standard
/// Webhooks, ``WebhookSignature``), posts it through libcurl, and records the outcome and what follows:
///
/// - 2xx: delivered.
/// - 410 Gone: the endpoint is disabled (`gone`) and its pending deliveries fail.
/// - anything else, or no answer within 10 seconds: retried after `webhookRetrySeconds` (5 s, 5 min, 30 min, 2 h,
///   5 h, 10 h, 10 h by default), each wait stretched by a random 0-20 % (jitter), while the event is younger than
///   `webhookMaxAgeSeconds` (24 h); then failed. An endpoint with no success for that long is disabled (`failing`).
///
/// Modelled on ``Dispatcher``: a claim loop woken by new events or finished attempts, `webhookConcurrency`
/// attempts in flight at most; leases make a delivery survive a crash (the next start releases them).
final class WebhookDeliverer: Sendable {
    let store: any WebhookStore
    let transport: any HTTPTransport
    let configuration: ServiceConfiguration
    let secretBox: @Sendable () -> SecretBox?
    let logger: Logger
    /// This instance's name on the leases it takes.
    let owner: String
    private let wakeSignal = WakeSignal()
    private let inFlight = Mutex(0)

    /// No answer within this long is a failed attempt.
    static let timeoutMs = 10_000
    static let claimBatch = 256
    static let pollSeconds = 0.25
    /// Sent with every delivery (and nothing else of ours: no credentials, no cookies).
    static let userAgent = "carrier-webhooks/1"

    init(
        store: any WebhookStore, transport: any HTTPTransport, configuration: ServiceConfiguration,
        secretBox: @escaping @Sendable () -> SecretBox?, logger: Logger
    ) {
        self.store = store
        self.transport = transport
        self.configuration = configuration
        self.secretBox = secretBox
        self.logger = logger
        owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(TimeOrderedID.make(prefix: "w"))"
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Wakes the claim loop (an event was queued, or a delivery was replayed).
    func wake() { wakeSignal.signal() }

    /// Claims and delivers until the task is cancelled; then waits for attempts in flight (at most the timeout)
    /// and releases the leases still held.
    func run() async {
        while !Task.isCancelled {
            let free = configuration.webhookConcurrency - inFlight.withLock { $0 }
            var claimedFull = false
            if free > 0 {
                let now = Self.now()
                let limit = min(free, Self.claimBatch)
                do {
                    let claimed = try await store.claimDue(
                        owner: owner, now: now, leaseUntil: now + Double(Self.timeoutMs) / 1000 + 60, limit: limit)
                    for delivery in claimed {
                        inFlight.withLock { $0 += 1 }
                        Task { await self.deliver(delivery) }
                    }
                    claimedFull = claimed.count == limit
                } catch {
                    logger.error("webhook claim failed", metadata: ["error": "\(error)"])
                }
            }
            if claimedFull { continue }
            await wakeSignal.wait(seconds: await secondsUntilNextDue())
        }
        let deadline = Self.now() + Double(Self.timeoutMs) / 1000 + 1
        while inFlight.withLock({ $0 }) > 0 && Self.now() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        do {
            try await store.releaseLeases(owner: owner)
        } catch {
            logger.warning("webhook leases not released", metadata: ["error": "\(error)"])
        }
    }

    private func secondsUntilNextDue() async -> Double {
        let now = Self.now()
        guard let next = try? await store.nextDueAt(now: now) else { return Self.pollSeconds }
        return min(Self.pollSeconds, max(0.001, next - now))
    }

    /// One attempt of a claimed delivery and its record.
    private func deliver(_ claimed: ClaimedDelivery) async {
        defer {
            inFlight.withLock { $0 -= 1 }
            wakeSignal.signal()
        }
        let delivery = claimed.delivery
        var secrets: [String] = []
        if let box = secretBox() {
            for sealed in claimed.sealedSecrets {
                if let secret = try? box.open(
                    sealed, account: delivery.accountId, channel: claimed.secretScope, name: "secret")
                {
                    secrets.append(secret)
                }
            }
        }
        guard !secrets.isEmpty else {
            logger.error("webhook secret unreadable", metadata: ["delivery": "\(delivery.id)"])
            await finish(claimed, .failed(httpStatus: nil, error: "secret-unreadable", latencyMs: 0), .healthy)
            return
        }
        let body = Array(delivery.payload.utf8)
        let timestamp = Int(Self.now())
        var headers = [
            HTTPHeader("Content-Type", "application/json"), HTTPHeader("User-Agent", Self.userAgent),
        ]
        for (name, value) in WebhookSignature.headers(
            id: delivery.eventId, timestamp: timestamp, body: body, secrets: secrets)
        {
            headers.append(HTTPHeader(name, value))
        }
        let request = HTTPRequest(method: "POST", url: delivery.url, headers: headers, body: body)
        let started = ContinuousClock.now
        let result = await transport.send(request, timeouts: Timeouts(connectMs: 5000, totalMs: Self.timeoutMs))
        let elapsed = (ContinuousClock.now - started).components
        let latency = ((Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15) * 10).rounded() / 10
        let now = Self.now()
        let status: Int?
        let error: String
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            await finish(claimed, .delivered(httpStatus: response.status, latencyMs: latency), .healthy)
            return
        case .success(let response) where response.status == 410:
            await finish(
                claimed, .failed(httpStatus: 410, error: "gone", latencyMs: latency), .disable(reason: "gone"))
            return
        case .success(let response):
            status = response.status
            error = "http-\(response.status)"
        case .failure(let failure):
            status = nil
            error = failure.kind == .refused ? "destination-not-allowed" : failure.code
        }
        let rules = WebhookRetryRules(configuration: configuration)
        let outcome = rules.outcome(
            attempt: delivery.attempts + 1, createdAt: delivery.createdAt, now: now, httpStatus: status,
            error: error, latencyMs: latency, random: Double.random(in: 0..<1))
        await finish(claimed, outcome, rules.endpointHealth(failingSince: claimed.failingSince, now: now))
    }

    private func finish(_ claimed: ClaimedDelivery, _ outcome: DeliveryOutcome, _ health: EndpointHealth) async {
        do {
            try await store.finish(claimed, outcome: outcome, endpoint: health, now: Self.now())
        } catch {
            logger.error(
                "webhook result not stored; the delivery is claimed again when its lease runs out",
                metadata: ["delivery": "\(claimed.delivery.id)", "error": "\(error)"])
        }
    }
}

/// When a failed delivery is tried again, and when an endpoint has failed long enough to be disabled.
struct WebhookRetryRules: Sendable {
    var schedule: [Double]
    var maxAgeSeconds: Double

    init(configuration: ServiceConfiguration) {
        schedule = configuration.webhookRetrySeconds
        maxAgeSeconds = configuration.webhookMaxAgeSeconds
    }

    /// The outcome of failed attempt number `attempt` (1-based) of an event made at `createdAt`.
    func outcome(
        attempt: Int, createdAt: Double, now: Double, httpStatus: Int?, error: String, latencyMs: Double,
        random: Double
    ) -> DeliveryOutcome {
        guard attempt - 1 < schedule.count else {
            return .failed(httpStatus: httpStatus, error: error, latencyMs: latencyMs)
        }
        let dueAt = now + schedule[attempt - 1] * (1 + 0.2 * random)
        guard dueAt <= createdAt + maxAgeSeconds else {
            return .failed(httpStatus: httpStatus, error: error, latencyMs: latencyMs)
        }
        return .retry(dueAt: dueAt, httpStatus: httpStatus, error: error, latencyMs: latencyMs)
    }

    /// A failure of an endpoint failing since `failingSince`: disabled once that is `maxAgeSeconds` ago.
    func endpointHealth(failingSince: Double?, now: Double) -> EndpointHealth {
        guard let failingSince, now - failingSince >= maxAgeSeconds else { return .failing }
        return .disable(reason: "failing")
    }
}
