import CarrierRuntime

/// What a new message changes in its conversation (found by account, channel and contact, or created).
struct ConversationTouch: Sendable, Equatable {
    var account: String
    var channelId: String
    var contact: String
    var now: Double
    /// Whether a closed conversation opens again.
    var reopens: Bool
    /// Unread messages added.
    var unreadIncrement: Int
    /// The WhatsApp window's new end (nil leaves it as it is).
    var windowExpiresAt: Double?
    /// The queue of a conversation this message begins.
    var queue: String?
}

/// A change to the account's opt-out list that an inbound keyword asks for.
enum OptOutChange: Sendable, Equatable {
    case add(kind: OptOutKind, address: String, source: String)
    case remove(kind: OptOutKind, address: String)
}

/// What storing one whole inbound message changes.
struct ReceivedPlan: Sendable {
    var optOut: OptOutChange?
    var conversation: ConversationTouch
    /// The message row; the store fills `conversationId`.
    var message: MessageRecord
}

/// What a status callback does, given the outbound message it names (if known yet).
enum StatusPlan: Sendable {
    /// Store the message's new state; `statusChanged` says whether a `message.status` event is due.
    case update(SentMessageStatus, providerStatus: String?, statusChanged: Bool)
    /// The message is not known (yet): keep the callback until it is.
    case keepPending(PendingStatusRecord)
    /// Nothing to store.
    case ignore
}

/// The inbound rules as pure functions: a store reads the facts (was this webhook seen, is this message stored,
/// which message a status names, which parts have arrived), asks these, and writes what they decide.
extension MessagingEngine {
    /// True when a webhook without provider ids, last seen at `seenAt`, is a replay to ignore.
    static func isReplay(seenAt: Double?, now: Double) -> Bool {
        guard let seenAt else { return false }
        return now - seenAt < replayWindowSeconds
    }

    /// A new message's change to its conversation: an inbound message reopens a closed conversation, adds one
    /// unread message and, on WhatsApp, opens the 24-hour window again.
    static func conversationTouch(
        account: String, channelId: String, contact: String, now: Double, inbound: Bool, whatsapp: Bool,
        queue: String? = nil
    ) -> ConversationTouch {
        ConversationTouch(
            account: account, channelId: channelId, contact: contact, now: now, reopens: inbound,
            unreadIncrement: inbound ? 1 : 0, windowExpiresAt: inbound && whatsapp ? now + windowSeconds : nil,
            queue: queue)
    }

    /// What storing a whole inbound message changes; nil when the channel already stored a message with its
    /// provider id (carriers resend a webhook they think failed: acknowledged again, not stored twice).
    /// `note` marks a message stored with parts missing.
    static func planReceived(
        _ event: NormalizedEvent.MessageReceived, channel: ChannelRecord, alreadyStored: Bool, now: Double,
        note: (code: String, message: String)? = nil
    ) -> ReceivedPlan? {
        if alreadyStored { return nil }
        // Opt-outs hold for the whole account and channel kind: a STOP on one SMS channel blocks them all.
        let kind = OptOutKind.of(channel: channel.channel)
        let optOut: OptOutChange? =
            switch event.optOut {
            case "stop": .add(kind: kind, address: event.from, source: "keyword")
            case "start": .remove(kind: kind, address: event.from)
            default: nil
            }
        let touch = conversationTouch(
            account: channel.accountId, channelId: channel.id, contact: event.from, now: now, inbound: true,
            whatsapp: channel.channel == "whatsapp", queue: channel.defaultQueue)
        let message = MessageRecord(
            id: newId("msg"), accountId: channel.accountId, conversationId: "", channelId: channel.id,
            direction: "inbound", fromAddress: event.from, toAddress: event.to ?? channel.address, body: event.text,
            media: event.media.map { MediaItem(url: $0) }, status: MessageStatus.received.rawValue,
            providerMessageId: event.providerMessageId,
            templateName: nil, segments: nil, errorCode: note?.code, errorMessage: note?.message, reference: nil,
            confirmed: false, createdAt: now, updatedAt: now)
        return ReceivedPlan(optOut: optOut, conversation: touch, message: message)
    }

    /// Applies a status callback to the message it names (`found`), or keeps it pending until that message is
    /// known.
    ///
    /// A provider status the definition does not map (`unmappedStatus`) is recorded as `providerStatus` and leaves
    /// the status as it was: `buffered` or `initiated` must not end a message that is delivered a moment later.
    /// Statuses only move forward (``advance(_:to:errorCode:errorMessage:now:)``).
    static func planStatus(
        _ event: NormalizedEvent.MessageStatus, found: SentMessageStatus?, account: String, channelId: String,
        now: Double
    ) -> StatusPlan {
        if var message = found {
            let statusBefore = message.status
            if message.providerMessageId == nil, let providerId = event.providerMessageId {
                message.providerMessageId = providerId
            }
            if event.unmappedStatus {
                message.updatedAt = now
            } else {
                advance(
                    &message, to: event.status, errorCode: event.errorCode, errorMessage: event.errorMessage, now: now)
            }
            return .update(message, providerStatus: event.providerStatus, statusChanged: message.status != statusBefore)
        }
        // An unmapped status changes nothing but the provider's word; there is nothing to keep for later.
        if event.unmappedStatus { return .ignore }
        return .keepPending(
            PendingStatusRecord(
                id: nil, accountId: account, channelId: channelId, providerMessageId: event.providerMessageId,
                reference: event.reference, status: event.status, errorCode: event.errorCode,
                errorMessage: event.errorMessage, receivedAt: now))
    }
}
