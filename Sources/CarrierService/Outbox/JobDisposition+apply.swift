extension JobDisposition {
    /// What happens to the job once its disposition is applied.
    enum JobChange: Equatable {
        /// The job is done: remove it.
        case done
        /// The job is due again then (lease released).
        case dueAgain(Double)
    }

    /// Applies the disposition to the message, the rule every outbox store follows: statuses only move forward, a
    /// scheduled message that was tried is queued, errors and the next attempt are recorded.
    /// - Returns: what the store does with the job.
    func apply(to message: inout MessageRecord, now: Double) -> JobChange {
        let current = MessageStatus(rawValue: message.status) ?? .queued
        defer { message.updatedAt = now }
        switch self {
        case .accepted(let providerId, let status):
            message.providerMessageId = providerId ?? message.providerMessageId
            if current.canAdvance(to: status) { message.status = status.rawValue }
            message.nextAttemptAt = nil
            return .done
        case .finished(let status, let errorCode, let errorMessage, let providerId):
            message.providerMessageId = providerId ?? message.providerMessageId
            if current.canAdvance(to: status) { message.status = status.rawValue }
            message.errorCode = errorCode
            message.errorMessage = errorMessage
            message.nextAttemptAt = nil
            return .done
        case .retry(let dueAt, let errorCode, let errorMessage):
            if current == .scheduled { message.status = MessageStatus.queued.rawValue }
            message.errorCode = errorCode
            message.errorMessage = errorMessage
            message.nextAttemptAt = dueAt
            return .dueAgain(dueAt)
        case .postpone(let dueAt):
            if current == .scheduled { message.status = MessageStatus.queued.rawValue }
            message.nextAttemptAt = dueAt
            return .dueAgain(dueAt)
        }
    }
}
