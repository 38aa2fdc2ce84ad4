import Foundation
import GRDB

extension MessagingEngine {
    /// What an `Idempotency-Key` says about a request.
    enum IdempotencyClaim: Sendable {
        /// First use: go ahead, then ``finishIdempotent(_:key:account:)``.
        case claimed
        /// A request with this key finished: answer with its response.
        case done(Reply)
        /// A request with this key is being sent right now.
        case inProgress
    }

    /// How long an unfinished claim blocks the key; after that it is taken as abandoned (crash mid-send).
    static let idempotencyClaimSeconds: Double = 120

    /// Claims a key before sending, so that two concurrent requests with it cannot both send.
    func claimIdempotent(key: String, account: String) async throws(ServiceError) -> IdempotencyClaim {
        let now = Self.now()
        let rememberedSeconds = configuration.idempotencyKeyHours * 3600
        return try await write { db -> IdempotencyClaim in
            let row = try Row.fetchOne(
                db, sql: "SELECT status, response, created_at FROM idempotency_key WHERE account_id = ? AND key = ?",
                arguments: [account, key])
            if let row, let status: Int = row["status"] {
                let createdAt: Double = row["created_at"] ?? 0
                // A key older than `idempotencyKeyHours` is forgotten even before the sweep deletes it.
                let remembered = now - createdAt < rememberedSeconds
                if status != 0, remembered, let response: String = row["response"] {
                    return .done(Reply(status: status, body: Data(response.utf8)))
                }
                if status == 0 && now - createdAt < Self.idempotencyClaimSeconds { return .inProgress }
            }
            try db.execute(
                sql: """
                    INSERT INTO idempotency_key (account_id, key, status, response, created_at) VALUES (?, ?, 0, '', ?)
                    ON CONFLICT (account_id, key) DO UPDATE SET status = 0, response = '', created_at = excluded.created_at
                    """, arguments: [account, key, now])
            return .claimed
        }
    }

    /// Stores the response of a claimed key (status 0 in the table means "in progress").
    func finishIdempotent(_ reply: Reply, key: String, account: String) async throws(ServiceError) {
        let text = String(decoding: reply.body, as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: "UPDATE idempotency_key SET status = ?, response = ? WHERE account_id = ? AND key = ?",
                arguments: [reply.status, text, account, key])
        }
    }

    /// Releases a claim whose request failed before anything was stored, so a corrected retry can go ahead.
    func releaseIdempotent(key: String, account: String) async {
        _ = try? await write { db in
            try db.execute(
                sql: "DELETE FROM idempotency_key WHERE account_id = ? AND key = ? AND status = 0",
                arguments: [account, key])
        }
    }
}
