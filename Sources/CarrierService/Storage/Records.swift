import GRDB

/// Column names are snake_case in SQLite and camelCase in Swift and in the JSON API.
protocol SnakeCaseRecord: Codable, FetchableRecord, PersistableRecord {}

extension SnakeCaseRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

/// A row of `messaging_channel`. `settings` holds secret references, never resolved values.
struct ChannelRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "messaging_channel"
    var id: String
    var accountId: String
    var channel: String
    var provider: String
    var address: String
    var settings: [String: String]
    var defaultQueue: String?
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `conversation`: one thread per channel and contact.
struct ConversationRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "conversation"
    var id: String
    var accountId: String
    var channelId: String
    var contactAddress: String
    /// `open`, `assigned`, `closed` or `snoozed`.
    var status: String
    var assignee: String?
    var unreadCount: Int
    /// Unix seconds; WhatsApp free-form messages are allowed until then (24 h after the last inbound message).
    var windowExpiresAt: Double?
    var lastMessageAt: Double?
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `message`.
struct MessageRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "message"
    var id: String
    var accountId: String
    var conversationId: String
    var channelId: String
    /// `outbound` or `inbound`.
    var direction: String
    var fromAddress: String?
    var toAddress: String?
    var body: String?
    var media: [String]
    var status: String
    var providerMessageId: String?
    var templateName: String?
    var segments: Int?
    var errorCode: String?
    var errorMessage: String?
    var reference: String?
    /// Inbound replies only: the client confirmed it has fetched the message.
    var confirmed: Bool
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `message_template`.
struct TemplateRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "message_template"
    var id: String
    var accountId: String
    var name: String
    var language: String
    var category: String?
    /// Text with `{{1}}`, `{{2}}`, ... placeholders.
    var body: String
    /// `approved`, `pending` or `rejected`.
    var status: String
    var createdAt: Double
    var updatedAt: Double
}

/// A row of `pending_status`: a status callback for a message whose provider id is not known (yet).
struct PendingStatusRecord: SnakeCaseRecord, Sendable, Equatable {
    static let databaseTableName = "pending_status"
    var id: Int64?
    var accountId: String
    var channelId: String
    var providerMessageId: String?
    var reference: String?
    var status: String
    var errorCode: String?
    var errorMessage: String?
    var receivedAt: Double
}
