import CarrierRuntime
import GRDB
import Synchronization

/// Column names are snake_case in SQLite and camelCase in Swift and in the JSON API.
protocol SnakeCaseRecord: Codable, FetchableRecord, PersistableRecord {}

extension SnakeCaseRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy {
        .custom { column in ColumnNames.codingKey(forColumn: column) }
    }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy {
        .custom { key in ColumnNames.column(for: key.stringValue) }
    }
}

/// camelCase key <-> snake_case column, memoized: GRDB asks for every column of every row, and converting
/// afresh each time was a tenth of the service's CPU per request.
enum ColumnNames {
    private static let columns = Mutex<[String: String]>([:])
    private static let keys = Mutex<[String: String]>([:])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func column(for key: String) -> String {
        if let hit = columns.withLock({ $0[key] }) { return hit }
        var out = ""
        for c in key.unicodeScalars {
            if ("A"..."Z").contains(c) {
                out += "_" + String(c).lowercased()
            } else {
                out.unicodeScalars.append(c)
            }
        }
        columns.withLock { $0[key] = out }
        return out
    }

    static func codingKey(forColumn column: String) -> any CodingKey {
        if let hit = keys.withLock({ $0[column] }) { return Key(stringValue: hit) }
        var out = ""
        var upper = false
        for c in column.unicodeScalars {
            if c == "_" {
                upper = true
            } else {
                out += upper ? String(c).uppercased() : String(c)
                upper = false
            }
        }
        keys.withLock { $0[column] = out }
        return Key(stringValue: out)
    }
}

/// A row of `messaging_channel`, unique by (account, id). `settings` never holds a resolved secret: channels from
/// the configuration file keep their references, channels from the API their secret values encrypted
/// (``SecretBox``) and other values as given.
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
    /// Sends per second the dispatcher allows (nil: the definition's `ratePerSecond`, if any).
    var ratePerSecond: Double?
    /// Validity of the channel's messages when `/send` gives none (nil: `defaultValiditySeconds`).
    var validitySeconds: Int?
    /// `config` (the operator's file: references allowed) or `api`.
    var source: String = "api"
    /// Hex SHA-256 of the token in the channel's webhook URL, when it has one.
    var inboundTokenHash: String? = nil
    /// The webhook token itself, sealed with the secrets key (AES-GCM), so carriers can be given the channel's full
    /// webhook URL for delivery reports; nil without a secrets key or a token.
    var inboundTokenSealed: String? = nil
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
    /// The inbox queue: the channel's `defaultQueue` when the conversation began inbound.
    var queue: String?
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
    /// URL strings, or items with the details `/send` gave (`contentType`, `filename`, `caption`).
    var media: [MediaItem]
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
    // Outbound messages only (the outbox):
    /// When the client asked for it to go out (Unix seconds), for a scheduled message.
    var scheduledFor: Double?
    /// Not handed to the carrier by then, the message expires (its validity).
    var expiresAt: Double?
    /// The message's validity in seconds, for carriers that take one.
    var validitySeconds: Int?
    /// Attempts made so far.
    var attempts: Int = 0
    /// When the next attempt is due, while one is planned.
    var nextAttemptAt: Double?
    var templateLanguage: String?
    var templateVariables: [String]?
    /// Where this message's status changes are also pushed (`POST /send` `callbackUrl`), signed with the account's
    /// callback secret.
    var callbackUrl: String? = nil
    /// Which status changes go to `callbackUrl`: `all` (nil means all), `final` or `none`.
    var deliveryReport: String? = nil
    /// The provider's own status word from the last status callback (kept even when it maps to nothing).
    var providerStatus: String?
    /// At most 10 string pairs given to `/send`.
    var metadata: [String: String]?
    /// At most 10 lower-cased tags given to `/send`.
    var tags: [String]?
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
