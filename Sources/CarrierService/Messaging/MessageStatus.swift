/// The message status values and the order in which they may change.
///
/// Delivery reports arrive out of order, so a status only moves forward: `queued < sent < delivered < read`.
/// `failed` and `undelivered` are terminal and may only follow `queued` or `sent`. `received` is for inbound
/// messages and never changes.
enum MessageStatus: String, CaseIterable, Sendable {
    case queued, sent, delivered, read, failed, undelivered, received

    private var rank: Int? {
        switch self {
        case .queued: 0
        case .sent: 1
        case .delivered: 2
        case .read: 3
        case .failed, .undelivered, .received: nil
        }
    }

    var isTerminal: Bool { self == .failed || self == .undelivered }

    /// Returns a Boolean value that indicates whether a message in this status may move to `next`.
    func canAdvance(to next: MessageStatus) -> Bool {
        guard let current = rank else { return false }
        if next.isTerminal { return current <= 1 }
        guard let nextRank = next.rank else { return false }
        return nextRank > current
    }
}
