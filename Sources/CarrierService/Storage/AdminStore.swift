/// The storage boundary of the account's set-up: API keys, channels and templates.
///
/// Every method is one transaction; value types in, value types out. Uniqueness (a channel id or a kind and
/// address within an account, a template's name and language) is checked inside the writing transaction and
/// answered as an outcome, so the rules word the error and two requests racing cannot both win.
protocol AdminStore: Sendable {
    /// Creates or updates the configured API keys (hashed), by hash.
    func upsertAPIKeys(_ keys: [StoredAPIKey], now: Double) async throws
    /// The key with this hash, or nil.
    func apiKey(hash: String) async throws -> StoredAPIKey?

    /// Inserts a channel unless the account has one with its id, or another with its kind and address.
    func createChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome
    /// Inserts or replaces a channel (keeping the stored `createdAt`) unless another channel of the account has its
    /// kind and address.
    func upsertChannel(_ record: ChannelRecord) async throws -> ChannelWriteOutcome
    /// Replaces a channel (keeping the stored `createdAt`) only when it is as it was read: stored with
    /// `updatedAt == ifUpdatedAt`. `.missing` when it was deleted, `.changedMeanwhile` when another update came first,
    /// `.addressTaken` when another channel of the account has its kind and address.
    func updateChannel(_ record: ChannelRecord, ifUpdatedAt: Double) async throws -> ChannelWriteOutcome
    /// The account's channel with this id, or nil.
    func channel(id: String, account: String) async throws -> ChannelRecord?
    /// The account's channels, oldest first.
    func channels(account: String) async throws -> [ChannelRecord]
    /// Sets a channel's webhook token hash; returns the updated channel, or nil when there is none.
    func setInboundToken(hash: String, sealed: String?, channelId: String, account: String, now: Double) async throws
        -> ChannelRecord?
    /// Deletes a channel (its conversations and messages stay); false when there was none.
    func deleteChannel(id: String, account: String) async throws -> Bool

    /// Inserts a template; false (nothing stored) when the account has one with its name and language.
    func createTemplate(_ record: TemplateRecord) async throws -> Bool
    /// The account's templates by name and language.
    func templates(account: String) async throws -> [TemplateRecord]
    /// Sets a template's approval status; returns the updated template, or nil when there is none.
    func setTemplateStatus(_ status: String, templateId: String, account: String, now: Double) async throws
        -> TemplateRecord?
}

/// An API key as stored: only its hash is kept.
struct StoredAPIKey: Sendable, Equatable {
    /// Hex SHA-256 of the key.
    var hash: String
    var account: String
    /// Comma-separated scopes.
    var scopes: String
}

/// What a channel write did.
enum ChannelWriteOutcome: Sendable, Equatable {
    case stored
    /// The account has a channel with this id (``AdminStore/createChannel(_:)`` only).
    case idTaken
    /// Another channel of the account has this kind and address.
    case addressTaken
    /// The channel is gone (``AdminStore/updateChannel(_:ifUpdatedAt:)`` only).
    case missing
    /// The channel changed after it was read (``AdminStore/updateChannel(_:ifUpdatedAt:)`` only).
    case changedMeanwhile
}
