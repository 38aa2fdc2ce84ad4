import CarrierRuntime
import GRDB

/// The data part of migration `v8-identity`: phone numbers stored before addresses were normalized
/// (`15557770001`, `whatsapp:+15557770001`) become E.164, and opt-outs move to the per-account, per-kind list.
///
/// Without the channel's definition only the generic rules apply (``PhoneAddress/normalize(_:rule:)`` with no
/// rule): a `whatsapp:` prefix, spacing and bare digits. Two conversations that turn out to be the same contact are
/// merged into the one already in E.164 (else the oldest): messages move over, unread counts add up, the later
/// window and activity win.
enum IdentityMigration {
    static func normalizeStoredAddresses(_ db: Database) throws {
        for column in ["from_address", "to_address"] {
            let rows = try Row.fetchAll(db, sql: "SELECT DISTINCT \(column) FROM message WHERE \(column) IS NOT NULL")
            for row in rows {
                let raw: String = row[0]
                let normalized = PhoneAddress.normalize(raw, rule: nil)
                guard normalized != raw else { continue }
                try db.execute(
                    sql: "UPDATE message SET \(column) = ? WHERE \(column) = ?", arguments: [normalized, raw])
            }
        }
        try mergeConversations(db)
        let parts = try Row.fetchAll(db, sql: "SELECT id, contact_address FROM message_part")
        for row in parts {
            let raw: String = row[1]
            let normalized = PhoneAddress.normalize(raw, rule: nil)
            guard normalized != raw else { continue }
            try db.execute(
                sql: "UPDATE OR IGNORE message_part SET contact_address = ? WHERE id = ?",
                arguments: [normalized, row[0] as Int64])
        }
        let optOuts = try Row.fetchAll(
            db,
            sql: """
                SELECT o.account_id, c.channel, o.contact_address, o.created_at FROM message_opt_out o
                JOIN messaging_channel c ON c.account_id = o.account_id AND c.id = o.channel_id
                """)
        for row in optOuts {
            let channel: String = row[1]
            try db.execute(
                sql: """
                    INSERT INTO contact_opt_out (account_id, kind, contact_address, source, created_at)
                    VALUES (?, ?, ?, 'keyword', ?) ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    row[0] as String, OptOutKind.of(channel: channel).rawValue,
                    PhoneAddress.normalize(row[2], rule: nil), row[3] as Double,
                ])
        }
        try db.execute(sql: "DROP TABLE message_opt_out")
    }

    private static func mergeConversations(_ db: Database) throws {
        let conversations = try Row.fetchAll(
            db, sql: "SELECT id, account_id, channel_id, contact_address FROM conversation ORDER BY created_at, id")
        var kept: [String: String] = [:]
        // First pass: the conversation each (account, channel, normalized contact) keeps, oldest first.
        for row in conversations {
            let contact: String = row[3]
            let key = "\(row[1] as String)\u{0}\(row[2] as String)\u{0}\(PhoneAddress.normalize(contact, rule: nil))"
            if kept[key] == nil, contact == PhoneAddress.normalize(contact, rule: nil) { kept[key] = row[0] }
        }
        for row in conversations {
            let id: String = row[0]
            let contact: String = row[3]
            let normalized = PhoneAddress.normalize(contact, rule: nil)
            guard normalized != contact else { continue }
            let key = "\(row[1] as String)\u{0}\(row[2] as String)\u{0}\(normalized)"
            guard let target = kept[key] else {
                kept[key] = id
                try db.execute(
                    sql: "UPDATE conversation SET contact_address = ? WHERE id = ?", arguments: [normalized, id])
                continue
            }
            try db.execute(
                sql: "UPDATE message SET conversation_id = ? WHERE conversation_id = ?", arguments: [target, id])
            try db.execute(
                sql: """
                    UPDATE conversation SET
                        unread_count = unread_count + (SELECT unread_count FROM conversation WHERE id = ?2),
                        window_expires_at = max(COALESCE(window_expires_at, 0),
                            COALESCE((SELECT window_expires_at FROM conversation WHERE id = ?2), 0)),
                        last_message_at = max(COALESCE(last_message_at, 0),
                            COALESCE((SELECT last_message_at FROM conversation WHERE id = ?2), 0))
                    WHERE id = ?1
                    """, arguments: [target, id])
            try db.execute(sql: "DELETE FROM conversation WHERE id = ?", arguments: [id])
        }
        try db.execute(sql: "UPDATE conversation SET window_expires_at = NULL WHERE window_expires_at = 0")
        try db.execute(sql: "UPDATE conversation SET last_message_at = NULL WHERE last_message_at = 0")
    }
}
