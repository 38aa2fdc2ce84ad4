import CarrierCore
import CarrierRuntime
import Foundation
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
                INSERT INTO message (\(Self.preparedColumns))
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

    /// The columns ``insertPrepared(_:)`` writes and ``init(prepared:)`` reads, in their order.
    static let preparedColumns = """
        id, account_id, conversation_id, channel_id, direction, from_address, to_address, body, media, status, \
        provider_message_id, template_name, segments, error_code, error_message, reference, confirmed, created_at, \
        updated_at, scheduled_for, expires_at, validity_seconds, attempts, next_attempt_at, template_language, \
        template_variables, callback_url, delivery_report, provider_status, metadata, tags
        """

    /// The message `id`, read with a cached statement by column position: the outbox claims and every status
    /// change read whole messages, where GRDB's query building and Codable decoding by column name cost about a fifth
    /// of the dispatcher's CPU.
    static func fetchPrepared(_ db: Database, id: String) throws -> MessageRecord? {
        var statement = try DirectStatement(db, sql: "SELECT \(preparedColumns) FROM message WHERE id = ?")
        statement.bind(id)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return try MessageRecord(prepared: statement)
    }

    /// The current row of a statement that selects ``preparedColumns`` first.
    /// - Throws: `DecodingError` when a JSON column does not hold what `insertPrepared` writes.
    init(prepared row: DirectStatement) throws {
        self.init(
            id: row.text(0) ?? "", accountId: row.text(1) ?? "", conversationId: row.text(2) ?? "",
            channelId: row.text(3) ?? "", direction: row.text(4) ?? "", fromAddress: row.text(5),
            toAddress: row.text(6), body: row.text(7), media: try Self.jsonArray(row.text(8)) ?? [],
            status: row.text(9) ?? "",
            providerMessageId: row.text(10), templateName: row.text(11), segments: row.int(12), errorCode: row.text(13),
            errorMessage: row.text(14), reference: row.text(15), confirmed: row.int(16) == 1,
            createdAt: row.double(17), updatedAt: row.double(18), scheduledFor: row.optionalDouble(19),
            expiresAt: row.optionalDouble(20), validitySeconds: row.int(21), attempts: row.int(22) ?? 0,
            nextAttemptAt: row.optionalDouble(23), templateLanguage: row.text(24),
            templateVariables: try Self.jsonArray(row.text(25)), callbackUrl: row.text(26),
            deliveryReport: row.text(27), providerStatus: row.text(28),
            metadata: try Self.jsonPairs(row.text(29)), tags: try Self.jsonArray(row.text(30)))
    }

    /// A JSON array column; nil when NULL, `[]` without decoding (most messages have no media).
    private static func jsonArray<Element: Decodable>(_ text: String?) throws -> [Element]? {
        guard let text else { return nil }
        return text == "[]" ? [] : try JSONDecoder().decode([Element].self, from: Data(text.utf8))
    }

    /// A JSON object column of string pairs; nil when NULL.
    private static func jsonPairs(_ text: String?) throws -> [String: String]? {
        try text.map { try JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
    }
}
