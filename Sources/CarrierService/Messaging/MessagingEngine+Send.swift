import CarrierRuntime
import Foundation

extension MessagingEngine {
    /// A `scheduledFor` this close (or in the past) means "now".
    static let scheduleNowSeconds: Double = 600
    /// The furthest ahead a message may be scheduled.
    static let scheduleMaxSeconds: Double = 35 * 86_400

    /// Validates and stores one outbound message with its dispatch job, then waits for its first attempt at most
    /// `sendWaitMs`.
    /// - Parameters:
    ///   - request: The decoded `POST /send` body.
    ///   - account: The API key's account.
    ///   - idempotencyKey: The request's `Idempotency-Key`, bound to the message it creates; reused with a
    ///     request that differs in any member, it is refused (422 `idempotency-key-reused`).
    /// - Returns: 200 when the carrier took the message, 502 when it refused it for good, 202 while it is
    ///   `queued` or `scheduled`; a repeated idempotent request gets the stored message's current state the same way.
    /// - Throws: ``ServiceError`` for validation, opt-out, window, template and idempotency errors.
    func send(
        _ request: SendRequest, account: String, idempotencyKey: String? = nil
    ) async throws(ServiceError) -> Reply {
        let fieldErrors = request.validate()
        if !fieldErrors.isEmpty { throw .validation(fieldErrors) }
        let channelId = request.channelId ?? ""
        let to = request.to ?? ""
        let now = Self.now()
        let requestedTime = request.scheduledFor.flatMap(SendRequest.parseRFC3339)
        if let when = requestedTime, when - now > Self.scheduleMaxSeconds {
            throw ServiceError(
                status: 400, code: "scheduled-too-far", message: "scheduledFor may be at most 35 days ahead")
        }
        let scheduledFor = requestedTime.flatMap { $0 - now <= Self.scheduleNowSeconds ? nil : $0 }

        let (channel, _) = try await cachedChannel(account: account, id: channelId)
        if let callbackUrl = request.callbackUrl { try await prepareCallback(callbackUrl, account: account) }
        let templateName = request.templateName.flatMap { $0.isEmpty ? nil : $0 }
        try checkCarrierLimits(request, channel: channel, templateName: templateName)
        let requestedValidity = request.validity ?? channel.validitySeconds
        let validity = requestedValidity ?? configuration.defaultValiditySeconds
        let dueAt = scheduledFor ?? now
        let lease: (owner: String, until: Double)? =
            scheduledFor == nil && configuration.dispatcher
            ? (dispatcher.owner, now + configuration.leaseSeconds) : nil
        let lookup = SendLookup(
            account: account, channelId: channelId, contact: to, optOutKind: .of(channel: channel.channel),
            tags: Array(Set(request.tags ?? [])).sorted(), templateName: templateName,
            templateLanguage: request.templateLang, readsWindow: channel.channel == "whatsapp" && templateName == nil)
        let gateway = self.gateway
        let bodySegments =
            templateName == nil ? request.body.map { gateway.segments(for: $0, carrier: channel.provider) } : nil
        let idempotency = idempotencyKey.map {
            IdempotencyBinding(
                key: $0, requestHash: request.digest,
                rememberedSince: now - configuration.idempotencyKeyHours * 3600)
        }
        let messageId = Self.newId("msg")

        let outcome: AcceptOutcome
        do {
            outcome = try await store.accept(lookup, idempotency: idempotency) { facts in
                if facts.optedOut {
                    throw ServiceError(
                        status: 403, code: "opted-out", message: "the recipient has opted out of this channel")
                }
                var body = request.body
                if let templateName {
                    guard let template = facts.templates.first(where: { $0.status == "approved" }) else {
                        throw ServiceError(
                            status: 422, code: "unknown-template",
                            message: "no approved template '\(templateName)'"
                                + (request.templateLang.map { " (\($0))" } ?? ""))
                    }
                    guard gateway.supportsTemplates(carrier: channel.provider) else {
                        throw ServiceError(
                            status: 422, code: "templates-unsupported",
                            message: "carrier '\(channel.provider)' does not support template messages")
                    }
                    body = try TemplateFiller.fill(template.body, variables: request.templateVars ?? [])
                }
                if lookup.readsWindow && (facts.windowExpiresAt ?? 0) <= now {
                    throw ServiceError(
                        status: 422, code: "window-closed",
                        message: "no inbound message in the last 24 hours: only template messages may be sent")
                }
                let template = templateName.flatMap { name in facts.templates.first { $0.status == "approved" } }
                var message = MessageRecord(
                    id: messageId, accountId: account, conversationId: "", channelId: channel.id,
                    direction: "outbound", fromAddress: channel.address, toAddress: to, body: body,
                    media: request.mediaItems,
                    status: (scheduledFor == nil ? MessageStatus.queued : .scheduled).rawValue,
                    providerMessageId: nil, templateName: template?.name,
                    segments: bodySegments ?? body.map { gateway.segments(for: $0, carrier: channel.provider) } ?? 1,
                    errorCode: nil, errorMessage: nil, reference: request.reference, confirmed: false, createdAt: now,
                    updatedAt: now)
                message.scheduledFor = scheduledFor
                message.expiresAt = dueAt + Double(validity)
                message.validitySeconds = requestedValidity
                message.nextAttemptAt = dueAt
                message.templateLanguage = template?.language
                message.templateVariables = template == nil ? nil : request.templateVars ?? []
                message.callbackUrl = request.callbackUrl
                message.deliveryReport = request.deliveryReport
                message.metadata = request.metadata
                message.tags = request.tags
                return OutboundDraft(message: message, dueAt: dueAt, lease: lease)
            }
        } catch {
            throw storageFailure(error, writing: true)
        }

        if case .accepted(let message, _) = outcome {
            metrics.message(
                channel: channel.channel, inbound: false, status: MessageStatus(rawValue: message.status) ?? .queued)
        }
        switch outcome {
        case .existing(let message):
            return Self.sendReply(message)
        case .accepted(let message, leased: false):
            if message.status == MessageStatus.queued.rawValue { dispatcher.wake() }
            return Self.sendReply(message)
        case .accepted(let message, leased: true):
            let job = ClaimedJob(message: message, attempts: 0, owner: dispatcher.owner)
            let attempted = await dispatcher.firstAttempt(job)
            return Self.sendReply(attempted ?? message)
        }
    }

    /// Refuses, before anything is stored, what the carrier would refuse: more media or segments than it takes, a
    /// kind it does not carry, a media type it does not take (400 with the problem's code, naming the limit).
    ///
    /// Media types are checked twice when the request gives content types: as given, and as the dispatcher will see
    /// them, since only the URLs are stored and sent (carriers read the type the URL serves), so the URL's own file
    /// extension must fit too. A refusal the first attempt would meet is met here instead.
    private func checkCarrierLimits(
        _ request: SendRequest, channel: ChannelRecord, templateName: String?
    ) throws(ServiceError) {
        var probe = OutboundMessage(
            channel: channel.channel, to: request.to ?? "", body: templateName == nil ? request.body : nil,
            mediaItems: request.mediaItems,
            template: templateName.map { OutboundMessage.Template(name: $0, language: request.templateLang) },
            metadata: request.metadata ?? [:], tags: request.tags ?? [])
        var problems = gateway.problems(of: probe, carrier: channel.provider)
            // Templates are checked against the account's approved templates and the carrier when stored.
            .filter { $0.code != "templates-unsupported" }
        if request.mediaItems.contains(where: { $0.contentType != nil }) {
            // Carriers that fetch the URL see its own type, not the one given: its extension, when known, must fit.
            let named = Set(problems.map { $0.attribute.prefix { $0 != "." } })
            probe.media = request.mediaItems.map { item in
                var bare = item
                bare.contentType = nil
                return bare
            }
            problems += gateway.problems(of: probe, carrier: channel.provider).filter {
                $0.code.hasPrefix("media-type-") && !named.contains($0.attribute.prefix { $0 != "." })
            }
        }
        guard !problems.isEmpty else { return }
        let names = ["media": request.mediaMember, "channel": "channelId", "template": "templateName"]
        throw .validation(
            problems.map {
                .invalid(names[$0.attribute] ?? Self.mediaAttribute($0.attribute, request), $0.code, $0.message)
            })
    }

    /// A runtime attribute `media[i]` or `media[i].contentType` in the request's own terms (`mediaUrls[i]` when the
    /// media came as `mediaUrls`, which carry no content type); any other attribute as it is.
    private static func mediaAttribute(_ attribute: String, _ request: SendRequest) -> String {
        guard attribute.hasPrefix("media["), let close = attribute.firstIndex(of: "]"),
            let index = Int(attribute[attribute.index(attribute.startIndex, offsetBy: 6)..<close])
        else { return attribute }
        let field = attribute[attribute.index(after: close)...].drop { $0 == "." }
        return request.mediaAttribute(index, field: field.isEmpty ? nil : String(field))
    }

    /// The `POST /send` answer for a message in its current state.
    static func sendReply(_ message: MessageRecord) -> Reply {
        let status = MessageStatus(rawValue: message.status) ?? .queued
        var response = SendResponse(
            ok: ![.failed, .undelivered, .expired, .canceled].contains(status), messageId: message.id,
            conversationId: message.conversationId, providerMessageId: message.providerMessageId,
            status: message.status, segments: message.segments ?? 1)
        switch status {
        case .scheduled, .queued:
            return Reply(status: 202, body: response.json)
        case .failed, .undelivered:
            let code = message.errorCode == "carrier-timeout" ? "carrier-timeout" : "carrier-error"
            response.error = .init(
                code: code, message: message.errorMessage ?? "the carrier refused the message",
                carrierCode: code == "carrier-error" ? message.errorCode : nil, retryable: false)
            return Reply(status: 502, body: response.json)
        default:
            return Reply(status: 200, body: response.json)
        }
    }

    /// `POST /messages/{id}/cancel`.
    /// - Throws: ``ServiceError`` `unknown-message`, or 409 `not-cancelable` once the message was claimed for
    ///   sending, handed to the carrier or finished.
    func cancel(messageId: String, account: String) async throws(ServiceError) -> MessageRecord {
        let canceled: MessageRecord?
        do {
            canceled = try await store.cancel(messageId: messageId, account: account, now: Self.now())
        } catch {
            throw storageFailure(error, writing: true)
        }
        guard let canceled else {
            throw ServiceError(
                status: 409, code: "not-cancelable",
                message: "only a scheduled or queued message not being sent right now can be canceled")
        }
        return canceled
    }

    /// `GET /messages/{id}/attempts`.
    func attempts(messageId: String, account: String) async throws(ServiceError) -> [AttemptRecord] {
        do {
            return try await store.attempts(messageId: messageId, account: account)
        } catch {
            throw storageFailure(error, writing: false)
        }
    }
}
