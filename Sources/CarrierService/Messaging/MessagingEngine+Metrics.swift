import CarrierRuntime

extension MessagingEngine {
    /// Counts the events of a webhook whose changes have committed: messages received, opt-out keywords, and
    /// status callbacks (as outbound messages entering that status).
    func countInbound(_ events: [NormalizedEvent], channel: String) {
        for event in events {
            switch event {
            case .received(let received):
                metrics.message(channel: channel, inbound: true, status: .received)
                if received.optOut == "stop" || received.optOut == "start" {
                    metrics.optOut(channel: channel, stop: received.optOut == "stop")
                }
            case .status(let status):
                if let status = MessageStatus(rawValue: status.status) {
                    metrics.message(channel: channel, inbound: false, status: status)
                }
            }
        }
    }
}
