import CarrierCore
import GRDB

extension MessageRecord {
    /// Inserts the row with a cached prepared statement bound directly (``DirectStatement``): the hot path of every
    /// send and every webhook, where GRDB's Codable persistence cost more than SQLite itself. Columns match
    /// ``MessageRecord``'s Codable form (`media` as a JSON array, `confirmed` as 0/1), so records read back the same
    /// either way.
    func insertPrepared(_ db: Database) throws {
        var statement = try DirectStatement(
            db,
            sql: """
                INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address, to_address,
                    body, media, status, provider_message_id, template_name, segments, error_code, error_message,
                    reference, confirmed, created_at, updated_at, scheduled_for, expires_at, validity_seconds,
                    attempts, next_attempt_at, template_language, template_variables, callback_url, delivery_report,
                    provider_status, metadata, tags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for text in [id, accountId, conversationId, channelId, direction, fromAddress, toAddress, body] {
            statement.bind(text)
        }
        statement.bind(MediaColumn.text(media))
        for text in [status, providerMessageId, templateName] { statement.bind(text) }
        statement.bind(segments)
        for text in [errorCode, errorMessage, reference] { statement.bind(text) }
        statement.bind(confirmed ? 1 : 0)
        statement.bind(createdAt)
        statement.bind(updatedAt)
        statement.bind(scheduledFor)
        statement.bind(expiresAt)
        statement.bind(validitySeconds)
        statement.bind(attempts)
        statement.bind(nextAttemptAt)
        statement.bind(templateLanguage)
        statement.bind(templateVariables.map(MediaColumn.text))
        statement.bind(callbackUrl)
        statement.bind(deliveryReport)
        statement.bind(providerStatus)
        statement.bind(metadata.map(Self.metadataText))
        statement.bind(tags.map(MediaColumn.text))
        try statement.execute()
    }

    /// A JSON object of the pairs, keys sorted (what GRDB's Codable encoding reads back).
    static func metadataText(_ pairs: [String: String]) -> String {
        "{"
            + pairs.sorted { $0.key < $1.key }.map { jsonStringLiteral($0.key) + ":" + jsonStringLiteral($0.value) }
            .joined(separator: ",") + "}"
    }
}
