import CarrierRuntime
import Foundation
import Logging
import Synchronization

/// Sends what the outbox holds: claims due jobs with a lease, makes one attempt each through the gateway, and
/// records the attempt and what follows from it (``RetryRules``).
///
/// `POST /send` hands its own first attempt straight to ``attempt(_:)`` (the job was leased to this dispatcher in the
/// accepting transaction); everything else, retries, scheduled messages and jobs whose lease ran out, comes
/// through the claim loop in ``run()``. Concurrency is bounded by `carrierConcurrency` attempts in flight.
final class Dispatcher: Sendable {
    /// Resolves a channel (and its settings) for a job; `unknown-channel` when it was deleted.
    typealias ChannelLookup = @Sendable (ChannelKey) async throws(ServiceError) -> ChannelWithSettings

    let store: any OutboxStore
    let gateway: any CarrierGateway
    let configuration: ServiceConfiguration
    let channels: ChannelLookup
    let logger: Logger
    let metrics: ServiceMetrics
    /// This instance's name on the leases it takes.
    let owner: String
    let pacer: any PaceStore
    private let wakeSignal = WakeSignal()
    private let firstAttemptDeadlines: FirstAttemptDeadlines
    private let state = Mutex(State())

    private struct State {
        var inFlight = 0
        /// Whether the claim loop runs (for `GET /ready`).
        var running = false
        /// Paced channels found without a token, until when: their jobs are not claimed before then.
        var pacedUntil: [ChannelKey: Double] = [:]
    }

    /// Jobs claimed in one transaction at most.
    static let claimBatch = 256
    /// The claim loop looks at the outbox at least this often, even without a wake-up.
    static let pollSeconds = 0.5

    init(
        store: any OutboxStore, pacer: any PaceStore = ChannelPacer(), gateway: any CarrierGateway,
        configuration: ServiceConfiguration, channels: @escaping ChannelLookup, logger: Logger,
        metrics: ServiceMetrics = ServiceMetrics()
    ) {
        self.metrics = metrics
        self.store = store
        self.pacer = pacer
        self.gateway = gateway
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
        self.firstAttemptDeadlines = FirstAttemptDeadlines(waitMs: configuration.sendWaitMs)
        self.owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(TimeOrderedID.make(prefix: "d"))"
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Whether the claim loop is running (or its task was just created: see ``willRun()``).
    var isRunning: Bool { state.withLock { $0.running } }

    /// Counts the claim loop as running from now, before its task gets a thread, so that `GET /ready` right after
    /// start-up does not see a dispatcher that is merely not scheduled yet.
    func willRun() { state.withLock { $0.running = true } }

    /// Wakes the claim loop (a job became due now).
    func wake() { wakeSignal.signal() }

    // MARK: Claim loop

    /// Claims and sends due jobs until the task is cancelled; then waits for attempts in flight (at most
    /// `leaseSeconds`) and releases the leases still held, so another instance (or the next start) takes them.
    func run() async {
        state.withLock { $0.running = true }
        defer { state.withLock { $0.running = false } }
        while !Task.isCancelled {
            let free = configuration.carrierConcurrency - state.withLock { $0.inFlight }
            var claimedFull = false
            if free > 0 {
                let now = Self.now()
                let limit = min(free, Self.claimBatch)
                let paced = state.withLock { state in
                    state.pacedUntil = state.pacedUntil.filter { $0.value > now }
                    return Array(state.pacedUntil.keys)
                }
                do {
                    let jobs = try await store.claimDue(
                        owner: owner, now: now, leaseUntil: now + configuration.leaseSeconds, limit: limit,
                        skippingChannels: paced)
                    for job in jobs { start(job) }
                    claimedFull = jobs.count == limit
                } catch {
                    logger.error("outbox claim failed", metadata: ["error": "\(error)"])
                }
            }
            if claimedFull { continue }
            await wakeSignal.wait(seconds: await secondsUntilNextDue())
        }
        await drain()
    }

    private func secondsUntilNextDue() async -> Double {
        let now = Self.now()
        guard let next = try? await store.nextDueAt(now: now) else { return Self.pollSeconds }
        return min(Self.pollSeconds, max(0.001, next - now))
    }

    private func start(_ job: ClaimedJob) {
        state.withLock { $0.inFlight += 1 }
        Task { _ = await self.attempt(job) }
    }

    /// Waits for attempts in flight to finish, then frees this instance's remaining leases.
    private func drain() async {
        let deadline = Self.now() + configuration.leaseSeconds
        while state.withLock({ $0.inFlight }) > 0 && Self.now() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        do {
            // Outside the cancelled claim loop's task: a pool may refuse a cancelled task a connection (PostgreSQL).
            let store = store
            let owner = owner
            try await Task { try await store.releaseLeases(owner: owner) }.value
        } catch {
            logger.warning("outbox leases not released", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Attempts

    /// Makes the first attempt of a job `POST /send` leased to this dispatcher and waits for it at most
    /// `sendWaitMs`.
    /// - Returns: the message after the attempt, or nil when it took longer (it goes on in the background).
    func firstAttempt(_ job: ClaimedJob) async -> MessageRecord? {
        state.withLock { $0.inFlight += 1 }
        guard configuration.sendWaitMs > 0 else {
            Task { _ = await self.attempt(job) }
            return nil
        }
        let waiter = FirstAttemptWaiter()
        return await withCheckedContinuation { continuation in
            waiter.arm(continuation)
            firstAttemptDeadlines.add(waiter)
            Task {
                let message = await self.attempt(job)
                waiter.resume(message)
            }
        }
    }

    /// One attempt (or the decision not to make one: expired, paced, channel gone) and its record.
    /// The caller counted it in `inFlight`.
    /// - Returns: the message as stored afterwards, or nil when storing failed (the lease runs out and the job is
    ///   claimed again).
    private func attempt(_ job: ClaimedJob) async -> MessageRecord? {
        defer {
            state.withLock { $0.inFlight -= 1 }
            wakeSignal.signal()
        }
        let message = job.message
        let now = Self.now()
        let key = ChannelKey(account: message.accountId, channelId: message.channelId)
        let channel: ChannelWithSettings
        do {
            channel = try await channels(key)
        } catch {
            if error.code == "unknown-channel" {
                return await finish(
                    job, nil,
                    .finished(
                        status: .failed, errorCode: "unknown-channel", errorMessage: "the channel was deleted",
                        providerMessageId: nil))
            }
            return await finish(job, nil, .postpone(dueAt: now + 5))
        }
        if let expiresAt = message.expiresAt, now >= expiresAt {
            return await finish(
                job, nil,
                .finished(
                    status: .expired, errorCode: "expired",
                    errorMessage: "not handed to the carrier within its validity", providerMessageId: nil),
                channelKind: channel.channel.channel)
        }
        let provider = channel.channel.provider
        let policy = gateway.sendPolicy(carrier: provider)
        if let rate = channel.channel.ratePerSecond ?? policy.ratePerSecond, rate > 0 {
            let wait: Double
            do {
                wait = try await pacer.take(key, rate: rate, now: now)
            } catch {
                logger.warning("channel pace not read", metadata: ["channel": "\(key.channelId)", "error": "\(error)"])
                wait = 1
            }
            if wait > 0 {
                state.withLock { $0.pacedUntil[key] = now + wait }
                return await finish(job, nil, .postpone(dueAt: now + wait))
            }
        }
        var outbound = Self.outboundMessage(message, channel: channel.channel, now: now)
        // Carriers send delivery reports only to a URL named in the request: the channel's own webhook URL, when
        // the service knows its public address, with the channel's token where its webhooks need one (known when it
        // was sealed with the secrets key or comes from the configuration file).
        if let base = configuration.publicBaseURL, !channel.tokenRequired || channel.inboundToken != nil {
            var url = (base.hasSuffix("/") ? String(base.dropLast()) : base)
                + "/inbound/\(Self.pathSegment(message.accountId))/\(Self.pathSegment(message.channelId))"
            if channel.tokenRequired, let token = channel.inboundToken { url += "/" + Self.pathSegment(token) }
            outbound.inboundUrl = url
            outbound.callbackUrl = url
        }
        let started = ContinuousClock.now
        var result = CarrierText.storable(await gateway.send(outbound, carrier: provider, settings: channel.settings))
        let duration = ContinuousClock.now - started
        let elapsed = duration.components
        // The carrier's own words stay out of the API (security issue #14); admins read a redacted excerpt.
        var excerpt: String?
        if result.outcome != .ok {
            let secretNames = gateway.secretSettings(carrier: provider)
            excerpt = CarrierText.storable(
                result.adminExcerpt(secrets: channel.settings.filter { secretNames.contains($0.key) }.map(\.value)))
            let failure = result.publicFailure
            result.errorMessage = failure.message
            result.errorCode = failure.code
        }
        let number = job.attempts + 1
        let record = AttemptRecord(
            number: number, startedAt: now,
            outcome: result.deliveryUnknown == true ? "ambiguous" : result.outcome.rawValue,
            httpStatus: result.httpStatus, errorCode: result.errorCode,
            latencyMs: (Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15).rounded() / 1)
        metrics.attempt(carrier: provider, outcome: record.outcome, latency: duration)
        let rules = RetryRules(configuration: configuration, policy: policy)
        var random = PooledRandom()  // the system generator costs a system call per number
        let disposition = rules.disposition(
            for: result, attempt: number, message: message, now: Self.now(),
            random: Double.random(in: 0..<1, using: &random))
        if case .retry(let dueAt, _, _) = disposition {
            logger.info(
                "send will be retried",
                metadata: [
                    "message": "\(message.id)", "carrier": "\(provider)", "attempt": "\(number)",
                    "in": "\(Int((dueAt - Self.now()) * 1000))ms",
                ])
        }
        return await finish(job, record, disposition, excerpt: excerpt, channelKind: channel.channel.channel)
    }

    private func finish(
        _ job: ClaimedJob, _ attempt: AttemptRecord?, _ disposition: JobDisposition, excerpt: String? = nil,
        channelKind: String = "other"
    ) async -> MessageRecord? {
        do {
            let stored = try await store.finish(
                job, attempt: attempt, disposition: disposition, carrierReplyExcerpt: excerpt, now: Self.now())
            switch disposition {
            case .accepted(_, let status), .finished(let status, _, _, _):
                metrics.message(channel: channelKind, inbound: false, status: status)
            case .retry, .postpone:
                break
            }
            return stored
        } catch {
            logger.error(
                "outbox result not stored; the job will be claimed again when its lease runs out",
                metadata: ["message": "\(job.message.id)", "error": "\(error)"])
            return nil
        }
    }

    /// A path segment percent-encoded (account and channel ids are free text).
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? text
    }

    /// The canonical message the runtime renders for the carrier.
    static func outboundMessage(_ message: MessageRecord, channel: ChannelRecord, now: Double) -> OutboundMessage {
        let template = message.templateName.map {
            OutboundMessage.Template(
                name: $0, language: message.templateLanguage, variables: message.templateVariables ?? [])
        }
        // Carriers that take a validity get what is left of it, only when the client or the channel asked for one.
        let validity = message.validitySeconds.flatMap { _ in message.expiresAt.map { max(1, Int($0 - now)) } }
        var outbound = OutboundMessage(
            channel: channel.channel, to: message.toAddress ?? "", from: channel.address,
            body: template == nil ? message.body : nil, mediaItems: message.media, template: template,
            validity: validity, reference: message.id, metadata: message.metadata ?? [:], tags: message.tags ?? [])
        // Our id stays `reference`, the key delivery reports are matched by; the client's goes to carriers that
        // have a field of their own for it.
        outbound.clientReference = message.reference
        return outbound
    }
}
