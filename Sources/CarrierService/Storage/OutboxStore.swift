/// The storage boundary of the outbound path: accepting messages into the outbox, claiming due jobs with a lease,
/// recording attempts and their outcomes, cancelling.
///
/// The messaging rules (``MessagingEngine``, ``Dispatcher``) decide; a store only reads and writes. Every method is
/// one transaction. SQLite (``SQLiteOutboxStore``) is the embedded backend; a shared database backend implements the
/// same protocol, which is why claims carry an owner and a lease rather than relying on one process owning the file.
protocol OutboxStore: Sendable {
    /// Reads what the send rules need (``SendFacts``), lets `decide` build the message, and stores the message and
    /// its dispatch job in the same transaction, so an opt-out or an inbound message landing in between is never
    /// missed. With an idempotency key, a key already bound to a message returns that message instead.
    /// - Throws: what `decide` throws (nothing is stored then), ``ServiceError`` `idempotency-key-reused` when the
    ///   key is bound to a request with another body, and storage errors.
    func accept(
        _ lookup: SendLookup, idempotency: IdempotencyBinding?,
        decide: @escaping @Sendable (SendFacts) throws -> OutboundDraft
    ) async throws -> AcceptOutcome

    /// Claims up to `limit` jobs due at `now` whose lease is free or ran out, leasing them to `owner` until
    /// `leaseUntil`, oldest due first; jobs of `skippingChannels` (paced) are left alone.
    func claimDue(owner: String, now: Double, leaseUntil: Double, limit: Int, skippingChannels: [ChannelKey])
        async throws -> [ClaimedJob]

    /// Records one finished attempt (when `attempt` is given) and applies `disposition` to the job and its message.
    /// Status callbacks that arrived before the provider id was known are applied too. `carrierReplyExcerpt`, the
    /// redacted words of a carrier that refused, is kept for admins.
    /// - Returns: the message as stored afterwards.
    func finish(
        _ job: ClaimedJob, attempt: AttemptRecord?, disposition: JobDisposition, carrierReplyExcerpt: String?,
        now: Double
    ) async throws -> MessageRecord

    /// Frees every lease `owner` holds (a clean shutdown) or, with nil, every lease (start-up of the only process
    /// using the file).
    func releaseLeases(owner: String?) async throws

    /// The earliest due time of any job not leased (or whose lease ran out), or nil when there is none.
    func nextDueAt(now: Double) async throws -> Double?

    /// Cancels a message that is scheduled or queued and not claimed right now.
    /// - Returns: the canceled message, or nil when the message exists but can no longer be canceled.
    /// - Throws: ``ServiceError`` `unknown-message`.
    func cancel(messageId: String, account: String, now: Double) async throws -> MessageRecord?

    /// The attempts made for one message of the account, oldest first.
    func attempts(messageId: String, account: String) async throws -> [AttemptRecord]
}

/// A channel as the dispatcher paces it: channel ids are only unique inside an account.
struct ChannelKey: Hashable, Sendable {
    var account: String
    var channelId: String
}

/// What the send rules look up in the accepting transaction.
struct SendLookup: Sendable {
    var account: String
    var channelId: String
    var contact: String
    /// The opt-out list the channel belongs to.
    var optOutKind: OptOutKind
    /// The message's tags, stored as rows too (for `GET /messages?tag=`).
    var tags: [String] = []
    /// A template message: its approved versions are read.
    var templateName: String?
    var templateLanguage: String?
    /// WhatsApp: the conversation's window is read.
    var readsWindow: Bool
}

/// What the accepting transaction found for a ``SendLookup``.
struct SendFacts: Sendable {
    var optedOut: Bool
    /// When the WhatsApp window of the conversation closes (nil when there is none).
    var windowExpiresAt: Double?
    /// The account's templates with the name (and language), oldest first.
    var templates: [TemplateRecord]
}

/// The idempotency key of a `POST /send` and a digest of its body.
struct IdempotencyBinding: Sendable {
    var key: String
    var requestHash: String
    /// A key first used before this time (Unix seconds) is forgotten: the request counts as new.
    var rememberedSince: Double
}

/// A message the rules accepted, with its job.
struct OutboundDraft: Sendable {
    /// The message row; the store fills `conversationId`.
    var message: MessageRecord
    /// When the first attempt is due.
    var dueAt: Double
    /// Leased at once to this owner until this time (the request's own first attempt), or not leased.
    var lease: (owner: String, until: Double)?
}

/// What ``OutboxStore/accept(_:idempotency:decide:)`` did.
enum AcceptOutcome: Sendable {
    /// Stored; the job is leased as the draft asked.
    case accepted(MessageRecord, leased: Bool)
    /// The idempotency key was bound to this message already.
    case existing(MessageRecord)
}

/// A job leased to a dispatcher, with what it needs to send.
struct ClaimedJob: Sendable {
    var message: MessageRecord
    /// Attempts made before this one.
    var attempts: Int
    var owner: String
}

/// What happens to a job after an attempt (or instead of one).
enum JobDisposition: Sendable {
    /// The carrier took it: `sent` (or the status its answer maps to), job done.
    case accepted(providerMessageId: String?, status: MessageStatus)
    /// Final failure: the job is done and the message ends in `status` (`failed` or `expired`) with `errorCode`.
    case finished(status: MessageStatus, errorCode: String, errorMessage: String?, providerMessageId: String?)
    /// Try again at `dueAt` (lease released).
    case retry(dueAt: Double, errorCode: String?, errorMessage: String?)
    /// Not attempted (pacing): due again at `dueAt`, attempt count unchanged.
    case postpone(dueAt: Double)
}

/// One try of a send, as `GET /messages/{id}/attempts` lists it. Never holds a secret or a carrier's reply body.
struct AttemptRecord: Codable, Sendable, Equatable {
    var number: Int
    var startedAt: Double
    /// `ok`, `retryable`, `permanent` or `ambiguous` (no answer after the request was written).
    var outcome: String
    var httpStatus: Int?
    /// The carrier's error code, or the transport's (`transport-timeout`, ...).
    var errorCode: String?
    var latencyMs: Double
}
