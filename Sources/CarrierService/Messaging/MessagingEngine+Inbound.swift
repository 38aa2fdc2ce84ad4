import CarrierRuntime
import Crypto
import Foundation
import Logging
import Synchronization

extension MessagingEngine {
    /// What one webhook changes in storage, and the reply to give once that is committed.
    struct InboundWork: Sendable {
        var reply: HTTPResponse
        var webhook: InboundWebhook
        /// What the metrics count once the webhook has committed.
        var events: [NormalizedEvent] { webhook.events }
        var channelKind: String { webhook.channel.channel }
    }

    /// Where a webhook is addressed: `/inbound/{account}/{channel}` or `/inbound/{account}/{channel}/{token}`.
    struct WebhookTarget: Sendable {
        var account: String
        var channelId: String
        var token: String?
    }

    /// Verifies, normalizes and applies one carrier webhook.
    /// - Parameters:
    ///   - target: The account, channel and token from the webhook URL.
    ///   - request: The request as received: method, path and query, headers, body bytes.
    ///   - publicURL: The URL the carrier called, for signature checks.
    /// - Returns: The reply the carrier definition asks for.
    /// - Throws: ``ServiceError`` `unknown-channel`, `bad-inbound-token`, or the gateway's ``InboundFailure``.
    func inbound(_ target: WebhookTarget, request: HTTPRequest, publicURL: String) async throws(ServiceError)
        -> HTTPResponse
    {
        let cached = try await cachedChannelWithSettings(account: target.account, id: target.channelId)
        let work = try prepareInbound(request, cached: cached, token: target.token, publicURL: publicURL)
        try await storage(writing: true) { try await inboundStore.apply(work.webhook) }
        webhooks.wake()
        countInbound(work.events, channel: work.channelKind)
        return work.reply
    }

    /// The same as ``inbound(_:request:publicURL:)`` without a task, for the webhook route's hot path:
    /// `completion` runs on the store's thread (SQLite: the writer's) (or at once on a verification error).
    /// - Returns: false, doing nothing, when the channel is not in the cache; the caller then uses the async form.
    func inboundWithoutTask(
        _ target: WebhookTarget, request: HTTPRequest, publicURL: String,
        completion: @escaping @Sendable (Result<HTTPResponse, ServiceError>) -> Void
    ) -> Bool {
        guard
            let cached = channelCache.value(
                for: Self.channelKey(account: target.account, id: target.channelId), now: Self.now())
        else { return false }
        let work: InboundWork
        do {
            work = try prepareInbound(request, cached: cached, token: target.token, publicURL: publicURL)
        } catch {
            completion(.failure(error))
            return true
        }
        let reply = work.reply
        let webhooks = self.webhooks
        inboundStore.apply(work.webhook) { result in
            webhooks.wake()
            if case .success = result { self.countInbound(work.events, channel: work.channelKind) }
            completion(result.map { reply }.mapError { self.storageFailure($0, writing: true) })
        }
        return true
    }

    /// How long a webhook without provider ids is remembered, so that the same request again is not stored again.
    static let replayWindowSeconds: Double = 24 * 60 * 60

    /// Checks the URL token, verifies and normalizes a webhook; the database work is left to the caller.
    private func prepareInbound(
        _ request: HTTPRequest, cached: ChannelWithSettings, token: String?, publicURL: String
    ) throws(ServiceError) -> InboundWork {
        let channel = cached.channel
        if cached.tokenRequired {
            // Compared as hashes: the comparison's time says nothing about the token.
            guard let token, let expected = channel.inboundTokenHash, Self.hashKey(token) == expected else {
                throw ServiceError(
                    status: 401, code: "bad-inbound-token",
                    message: "this channel's webhooks need its token in the URL: /inbound/{account}/{channel}/{token}")
            }
        }
        let result: InboundResult
        do {
            result = try gateway.normalize(
                request, carrier: channel.provider, settings: cached.settings, publicURL: publicURL)
        } catch {
            throw ServiceError(status: error.httpStatus, code: error.code, message: error.message)
        }
        let events = result.events.map { CarrierText.storable($0) }
        logUnmappedStatuses(events, carrier: channel.provider)
        let now = Self.now()
        // A webhook whose events carry no provider id cannot be recognised when it comes again (a replay, or the
        // carrier's resend): remember a hash of the request for a day instead.
        let unidentified = events.contains { event in
            switch event {
            case .received(let received): return (received.providerMessageId ?? "").isEmpty
            case .status(let status): return (status.providerMessageId ?? "").isEmpty
            }
        }
        let requestHash = unidentified ? Self.requestHash(request) : nil
        return InboundWork(
            reply: result.reply,
            webhook: InboundWebhook(channel: channel, events: events, requestHash: requestHash, now: now))
    }

    /// Logs a provider status the definition does not map, once per carrier and value (the definition needs it).
    private func logUnmappedStatuses(_ events: [NormalizedEvent], carrier: String) {
        for case .status(let status) in events where status.unmappedStatus {
            let word = status.providerStatus ?? ""
            let first = loggedUnmappedStatuses.withLock { $0.count < 1000 && $0.insert(carrier + "/" + word).inserted }
            if first {
                logger.warning(
                    "provider status not in the definition's status map; the message keeps its status",
                    metadata: ["carrier": "\(carrier)", "providerStatus": "\(word.prefix(64))"])
            }
        }
    }

    /// Hex SHA-256 of the method, path and query, and body.
    static func requestHash(_ request: HTTPRequest) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(request.method.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: Data(request.url.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: request.body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The channel and its settings as the carrier needs them, from the cache when fresh.
    func cachedChannel(account: String, id: String) async throws(ServiceError) -> (ChannelRecord, [String: String]) {
        let cached = try await cachedChannelWithSettings(account: account, id: id)
        return (cached.channel, cached.settings)
    }

    /// The channel, its settings (configured channels' references resolved at start-up; API channels' secrets
    /// decrypted) and whether its webhooks need the token, from the cache when fresh.
    func cachedChannelWithSettings(account: String, id: String) async throws(ServiceError) -> ChannelWithSettings {
        let now = Self.now()
        let key = Self.channelKey(account: account, id: id)
        if let hit = channelCache.value(for: key, now: now) { return hit }
        let channel = try await storage(writing: false) { try await admin.channel(id: id, account: account) }
        guard let channel else { throw .notFound("unknown-channel", "no channel '\(id)' in this account") }
        let settings: [String: String]
        if channel.source == "config" {
            guard let resolved = secrets.withLock({ $0.operatorSettings[key] }) else {
                throw ServiceError(
                    status: 503, code: "channel-unavailable",
                    message: "channel '\(id)' came from a configuration file that no longer has it")
            }
            settings = resolved
        } else {
            settings = try openSettings(of: channel)
        }
        let signed = gateway.signsWebhooks(carrier: channel.provider, settings: settings)
        var token: String?
        if channel.source == "config" {
            token = secrets.withLock { $0.inboundTokens[key] }
        } else if let sealed = channel.inboundTokenSealed, let box = secretBox {
            token = try? box.open(sealed, account: channel.accountId, channel: channel.id, name: Self.inboundTokenSealName)
        }
        let cached = ChannelWithSettings(
            channel: channel, settings: settings, tokenRequired: channel.inboundTokenHash != nil || !signed,
            inboundToken: token)
        channelCache.store(cached, for: key, now: now)
        return cached
    }

    /// An API channel's settings with its secret values decrypted; other values are plain, never references.
    private func openSettings(of channel: ChannelRecord) throws(ServiceError) -> [String: String] {
        var settings = channel.settings
        for (name, value) in channel.settings where value.hasPrefix(SecretBox.prefix) {
            guard let box = secretBox else {
                throw ServiceError(
                    status: 500, code: "secret-unreadable",
                    message: "setting '\(name)' is encrypted and this server has no secretsKey")
            }
            settings[name] = try box.open(value, account: channel.accountId, channel: channel.id, name: name)
        }
        return settings
    }
}
