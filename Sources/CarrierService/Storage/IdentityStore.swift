/// The storage boundary of contacts' identity and the list queries: the account-wide opt-out list and the cursor
/// pages of `GET /messages` and `GET /conversations`.
///
/// Every method is one transaction; value types in, value types out. Pages are newest first by id (ids are
/// time-ordered), and a cursor is the last id of the previous page, so a page never skips or repeats a row that
/// was inserted meanwhile.
protocol IdentityStore: Sendable {
    /// The account's opt-outs, by kind then address, after `cursor` (the `kind/address` of the last row seen).
    func optOuts(account: String, kind: OptOutKind?, after cursor: String?, limit: Int) async throws -> [OptOutRecord]
    /// Adds an opt-out (one already on the list is kept as it was); returns the stored entry.
    func addOptOut(account: String, _ record: OptOutRecord) async throws -> OptOutRecord
    /// Removes an opt-out; false when there was none.
    func removeOptOut(account: String, kind: OptOutKind, address: String) async throws -> Bool
    /// Messages of the account matching `filter`, newest first, ids below `cursor`.
    func messages(account: String, filter: MessageFilter, after cursor: String?, limit: Int) async throws
        -> [MessageRecord]
    /// Conversations of the account matching `filter`, newest first, ids below `cursor`.
    func conversations(account: String, filter: ConversationFilter, after cursor: String?, limit: Int) async throws
        -> [ConversationRecord]
}

/// One entry of the account's opt-out list.
struct OptOutRecord: Codable, Sendable, Equatable {
    var kind: OptOutKind
    /// E.164, or a short code / sender name as the contact wrote from.
    var address: String
    /// `keyword` (the contact wrote STOP) or `api`.
    var source: String
    var createdAt: Double
}

/// The query parameters of `GET /messages`; nil means any.
struct MessageFilter: Sendable, Equatable {
    var channelId: String?
    var status: String?
    var tag: String?
    var direction: String?
    /// Created at or after (Unix seconds).
    var since: Double?
    /// Created before (Unix seconds).
    var until: Double?
}

/// The query parameters of `GET /conversations`; nil means any.
struct ConversationFilter: Sendable, Equatable {
    var status: String?
    var assignee: String?
    var channelId: String?
    var queue: String?
}
