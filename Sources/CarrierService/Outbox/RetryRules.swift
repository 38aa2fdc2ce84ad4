import CarrierRuntime

/// What the outcome of one attempt means for its job: done, failed for good, or tried again later.
///
/// Pure rules, no storage: retryable outcomes (connection failures, 429, 5xx, the definition's retry codes) are
/// retried with exponential backoff and full jitter, or after the carrier's Retry-After, until the attempts, the
/// send age or the message's validity run out. A request that got no answer after it was written is never resent
/// unless the carrier deduplicates by our reference: the message fails as `carrier-timeout` instead.
struct RetryRules: Sendable {
    /// Attempts in all, the first included.
    var maxAttempts: Int
    var baseDelay: Double
    var maxDelay: Double
    /// A message not accepted this long after it became due fails.
    var maxAge: Double
    var deduplicatesByReference: Bool

    init(configuration: ServiceConfiguration, policy: CarrierSendPolicy) {
        let definitionAttempts = policy.maxRetries.map { $0 + 1 } ?? Int.max
        maxAttempts = max(1, min(configuration.maxSendAttempts, definitionAttempts))
        baseDelay = configuration.retryBaseDelaySeconds
        maxDelay = configuration.retryMaxDelaySeconds
        maxAge = configuration.maxSendAgeSeconds
        deduplicatesByReference = policy.deduplicatesByReference
    }

    /// - Parameters:
    ///   - attempt: The number of the attempt that gave `result` (1 for the first).
    ///   - random: A number in `0..<1` for the jitter.
    func disposition(
        for result: SendResult, attempt: Int, message: MessageRecord, now: Double, random: Double
    ) -> JobDisposition {
        switch result.outcome {
        case .ok:
            // The carrier's own "queued"/"accepted" is our `sent`: handed over. Only a delivery it reports at once
            // goes further.
            let reported = (result.status ?? result.providerStatus).flatMap { MessageStatus(rawValue: $0.lowercased()) }
            let status: MessageStatus = reported == .delivered || reported == .read ? reported! : .sent
            return .accepted(providerMessageId: result.providerMessageId, status: status)
        case .permanent:
            return .finished(
                status: .failed, errorCode: result.errorCode ?? "carrier-error", errorMessage: result.errorMessage,
                providerMessageId: result.providerMessageId)
        case .retryable:
            if result.deliveryUnknown == true && !deduplicatesByReference {
                return .finished(
                    status: .failed, errorCode: "carrier-timeout",
                    errorMessage: "no answer after the request was sent; not resent, as the carrier may have it",
                    providerMessageId: nil)
            }
            let giveUp = JobDisposition.finished(
                status: .failed, errorCode: result.errorCode ?? "carrier-error", errorMessage: result.errorMessage,
                providerMessageId: result.providerMessageId)
            let policy = RetryPolicy(maxRetries: maxAttempts - 1, baseDelay: baseDelay, maxDelay: maxDelay)
            guard let delay = policy.delay(forAttempt: attempt, retryAfter: result.retryAfterSeconds, random: random)
            else { return giveUp }
            guard now + delay < (message.scheduledFor ?? message.createdAt) + maxAge else { return giveUp }
            // A retry due after the validity is claimed when it runs out instead, and the message expires then.
            let dueAt = min(now + delay, message.expiresAt ?? .infinity)
            return .retry(dueAt: dueAt, errorCode: result.errorCode, errorMessage: result.errorMessage)
        }
    }
}
