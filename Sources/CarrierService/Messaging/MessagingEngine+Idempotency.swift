import Foundation
import GRDB

extension MessagingEngine {
    /// Returns the response stored for an `Idempotency-Key`, if any.
    func storedResponse(key: String, account: String) async throws(ServiceError) -> Reply? {
        try await read { db in try Self.fetchStored(db, key: key, account: account) }
    }

    /// Stores the first response for an `Idempotency-Key`.
    /// - Returns: The stored response: `reply`, or the one a concurrent request with the same key stored first.
    func storeResponse(_ reply: Reply, key: String, account: String) async throws(ServiceError) -> Reply {
        let text = String(decoding: reply.body, as: UTF8.self)
        let now = Self.now()
        let stored = try await write { db -> Reply? in
            try db.execute(
                sql: """
                    INSERT INTO idempotency_key (account_id, key, status, response, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (account_id, key) DO NOTHING
                    """, arguments: [account, key, reply.status, text, now])
            return try Self.fetchStored(db, key: key, account: account)
        }
        return stored ?? reply
    }

    private static func fetchStored(_ db: Database, key: String, account: String) throws -> Reply? {
        let row = try Row.fetchOne(
            db, sql: "SELECT status, response FROM idempotency_key WHERE account_id = ? AND key = ?",
            arguments: [account, key])
        guard let row, let status: Int = row["status"], let response: String = row["response"] else { return nil }
        return Reply(status: status, body: Data(response.utf8))
    }
}
