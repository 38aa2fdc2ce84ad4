import CarrierCore

/// What one inbound webhook request turned into: zero or more events, and the reply the carrier expects.
public struct InboundResult: Sendable, Hashable {
    public var events: [NormalizedEvent]
    /// True when the request was recognised as an event to acknowledge and ignore.
    public var ignored: Bool
    public var reply: HTTPResponse

    public init(events: [NormalizedEvent], ignored: Bool = false, reply: HTTPResponse) {
        self.events = events
        self.ignored = ignored
        self.reply = reply
    }
}
