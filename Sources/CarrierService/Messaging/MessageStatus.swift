/// The message status values and the order in which they may change.
///
/// Delivery reports arrive out of order, so a status only moves forward:
/// `scheduled < queued < sent < delivered < read`. `failed` and `undelivered` are terminal and may only follow
/// `scheduled`, `queued` or `sent`; `canceled` and `expired` only a message not yet handed to the carrier
/// (`scheduled` or `queued`). `received` is for inbound messages and never changes.
enum MessageStatus: String, CaseIterable, Sendable {
    case scheduled, queued, sent, delivered, read, failed, undelivered, canceled, expired, received

    private var rank: Int? {
        switch self {
        case .scheduled: 0
        case .queued: 1
        case .sent: 2
        case .delivered: 3
        case .read: 4
        case .failed, .undelivered, .canceled, .expired, .received: nil
        }
    }

    var isTerminal: Bool { [.failed, .undelivered, .canceled, .expired].contains(self) }

    /// Returns a Boolean value that indicates whether a message in this status may move to `next`.
    func canAdvance(to next: MessageStatus) -> Bool {
        guard let current = rank else { return false }
        switch next {
        case .canceled, .expired: return current <= 1
        case .failed, .undelivered: return current <= 2
        default:
            guard let nextRank = next.rank else { return false }
            return nextRank > current
        }
    }
}
