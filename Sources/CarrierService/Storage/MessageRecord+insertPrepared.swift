import CarrierCore
import GRDB

extension MessageRecord {
    /// Inserts the row with a cached prepared statement: the hot path of every send and every webhook, where
    /// GRDB's Codable persistence cost more than SQLite itself. Columns match ``MessageRecord``'s Codable form
    /// (`media` as a JSON array, `confirmed` as 0/1), so records read back the same either way.
    func insertPrepared(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address, to_address,
                    body, media, status, provider_message_id, template_name, segments, error_code, error_message,
                    reference, confirmed, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let mediaJSON = "[" + media.map(jsonStringLiteral).joined(separator: ",") + "]"
        try statement.execute(arguments: [
            id, accountId, conversationId, channelId, direction, fromAddress, toAddress, body, mediaJSON, status,
            providerMessageId, templateName, segments, errorCode, errorMessage, reference, confirmed, createdAt,
            updatedAt,
        ])
    }
}
