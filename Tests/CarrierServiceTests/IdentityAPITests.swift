import CarrierRuntime
import Foundation
import GRDB
import Testing

@testable import CarrierService

/// Issue #15 with the fake gateway: opt-out routes, statuses the definition does not map, metadata and tags, the
/// list endpoints with cursors, the migration of stored addresses, and the error catalogue.
@Suite(.timeLimit(.minutes(1)))
struct IdentityAPITests {
    static let contact = "+15557654321"

    @Test func optOutRoutesAndTheirAttacks() async throws {
        try await TestServer.with { server in
            let added = try await server.call("POST", "/opt-outs", json: ["kind": "sms", "address": "1 555 765 4321"])
            #expect(added.status == 201, "\(added.text)")
            #expect(added.json["address"] as? String == Self.contact)
            #expect(added.json["source"] as? String == "api")
            let blocked = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            #expect(blocked.errorCode == "opted-out")
            // Another kind is another list.
            #expect(try await server.call("GET", "/opt-outs?kind=whatsapp").json["optOuts"] as? [Any] != nil)
            #expect(
                (try await server.call("GET", "/opt-outs?kind=whatsapp").json["optOuts"] as? [Any])?.isEmpty == true)
            // Bad input.
            let badKind = try await server.call("POST", "/opt-outs", json: ["kind": "fax", "address": Self.contact])
            #expect(badKind.errorCode == "invalid-kind")
            let badNumber = try await server.call("POST", "/opt-outs", json: ["kind": "sms", "address": "hello"])
            #expect(badNumber.errorCode == "invalid-phone-number")
            let extra = try await server.call(
                "POST", "/opt-outs", json: ["kind": "sms", "address": Self.contact, "note": "x"])
            #expect(extra.errorCode == "unknown-field")
            let badQuery = try await server.call("GET", "/opt-outs?kinds=sms")
            #expect(badQuery.errorCode == "unknown-field")
            // No key, or a messaging-only key, cannot lift an opt-out.
            let path = "/opt-outs/sms/%2B15557654321"
            #expect(try await server.call("DELETE", path, apiKey: nil).status == 401)
            #expect(try await server.call("DELETE", path, apiKey: TestServer.messagingKey).errorCode == "forbidden")
            #expect(try await server.call("DELETE", path).status == 200)
            #expect(try await server.call("DELETE", path).errorCode == "unknown-opt-out")
            let sent = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            #expect(sent.status == 200, "\(sent.text)")
        }
    }

    @Test func anotherAccountSeesNoneOfTheList() async throws {
        var configuration = TestServer.configuration(databasePath: try TestServer.temporaryDatabasePath())
        configuration.apiKeys["literal:other-key"] = .init(account: "acct-2", scopes: ["messaging", "admin"])
        let server = try await TestServer.start(
            gateway: FakeGateway(), databasePath: configuration.databasePath, configuration: configuration)
        defer { Task { await server.stop() } }
        _ = try await server.call("POST", "/opt-outs", json: ["kind": "sms", "address": Self.contact])
        let sent = try await server.send(["channelId": "ch-sms", "to": "+15550001234", "body": "tagged"])
        let id = try #require(sent.json["messageId"] as? String)
        let theirs = try await server.call("GET", "/opt-outs", apiKey: "other-key")
        #expect((theirs.json["optOuts"] as? [Any])?.isEmpty == true)
        let removal = try await server.call("DELETE", "/opt-outs/sms/%2B15557654321", apiKey: "other-key")
        #expect(removal.errorCode == "unknown-opt-out")
        #expect(
            (try await server.call("GET", "/messages", apiKey: "other-key").json["messages"] as? [Any])?.isEmpty
                == true)
        #expect(
            (try await server.call("GET", "/conversations", apiKey: "other-key").json["conversations"] as? [Any])?
                .isEmpty == true)
        #expect(try await server.call("GET", "/messages/\(id)", apiKey: "other-key").status == 404)
        await server.stop()
    }

    @Test func unmappedStatusKeepsTheStatusAndRecordsTheProvidersWord() async throws {
        try await TestServer.with { server in
            let sent = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "hi"])
            let id = try #require(sent.json["messageId"] as? String)
            let providerId = try #require(sent.json["providerMessageId"] as? String)
            let buffered = try await server.webhook(
                "ch-sms",
                [
                    "type": "status", "id": providerId, "status": "failed", "providerStatus": "buffered",
                    "unmapped": true,
                ])
            #expect(buffered.status == 200)
            let kept = try await server.message(id)
            #expect(kept["status"] as? String == "sent")
            #expect(kept["providerStatus"] as? String == "buffered")
            _ = try await server.webhook(
                "ch-sms", ["type": "status", "id": providerId, "status": "delivered", "providerStatus": "delivered"])
            let delivered = try await server.message(id)
            #expect(delivered["status"] as? String == "delivered")
            #expect(delivered["providerStatus"] as? String == "delivered")
        }
    }

    @Test func metadataAndTagsAreStoredReturnedSentAndFiltered() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let sent = try await server.send([
                "channelId": "ch-sms", "to": Self.contact, "body": "hi", "metadata": ["order": "42"],
                "tags": ["Promo", "spring"],
            ])
            #expect(sent.status == 200, "\(sent.text)")
            let id = try #require(sent.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["metadata"] as? [String: String] == ["order": "42"])
            #expect(stored["tags"] as? [String] == ["promo", "spring"])
            #expect(gateway.sent.last?.message.metadata == ["order": "42"])
            #expect(gateway.sent.last?.message.tags == ["promo", "spring"])
            _ = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "untagged"])
            let tagged = try await server.call("GET", "/messages?tag=PROMO")
            #expect((tagged.json["messages"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            let tooMany = try await server.send([
                "channelId": "ch-sms", "to": Self.contact, "body": "x",
                "metadata": Dictionary(uniqueKeysWithValues: (0..<11).map { ("k\($0)", "v") }),
            ])
            #expect(tooMany.errorCode == "too-much-metadata")
            let tags = try await server.send([
                "channelId": "ch-sms", "to": Self.contact, "body": "x", "tags": (0..<11).map { "t\($0)" },
            ])
            #expect(tags.errorCode == "too-many-tags")
            let nonString = try await server.send([
                "channelId": "ch-sms", "to": Self.contact, "body": "x", "metadata": ["n": 1],
            ])
            #expect(nonString.errorCode == "invalid-metadata")
            let typo = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x", "tgas": []])
            #expect(typo.errorCode == "unknown-field")
            #expect((typo.json["error"] as? [String: Any])?["attribute"] as? String == "tgas")
        }
    }

    @Test func listsPageWithCursors() async throws {
        try await TestServer.with { server in
            var ids: [String] = []
            for n in 0..<5 {
                let sent = try await server.send(["channelId": "ch-sms", "to": "+1555000100\(n)", "body": "m\(n)"])
                ids.append(try #require(sent.json["messageId"] as? String))
            }
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let path = "/messages?direction=outbound&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await server.call("GET", path)
                #expect(page.status == 200, "\(page.text)")
                seen += (page.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            let conversations = try await server.call("GET", "/conversations?status=open&limit=3")
            #expect((conversations.json["conversations"] as? [Any])?.count == 3)
            #expect(conversations.json["nextCursor"] as? String != nil)
            let future = try await server.call("GET", "/messages?since=2100-01-01T00:00:00Z")
            #expect((future.json["messages"] as? [Any])?.isEmpty == true)
            #expect(try await server.call("GET", "/messages?limit=0").errorCode == "invalid-limit")
            #expect(try await server.call("GET", "/messages?direction=up").errorCode == "invalid-direction")
            #expect(try await server.call("GET", "/messages?since=yesterday").errorCode == "invalid-date")
            #expect(try await server.call("GET", "/conversations?status=gone").errorCode == "invalid-status")
            #expect(try await server.call("GET", "/conversations?owner=me").errorCode == "unknown-field")
        }
    }

    /// A database from before v8: contacts stored as Vonage and Twilio wrote them are merged and normalized.
    @Test func migrationNormalizesStoredAddresses() throws {
        let path = try TestServer.temporaryDatabasePath()
        let pool = try DatabasePool(path: path)
        var migrator = ServiceDatabase.migrator
        try migrator.migrate(pool, upTo: "v6-tenant-isolation")
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO messaging_channel (id, account_id, channel, provider, address, settings, created_at,
                        updated_at) VALUES ('vn', 'a', 'sms', 'vonage', '+15550000003', '{}', 1, 1);
                    INSERT INTO conversation (id, account_id, channel_id, contact_address, status, unread_count,
                        window_expires_at, last_message_at, created_at, updated_at)
                        VALUES ('c1', 'a', 'vn', '15553334444', 'open', 2, NULL, 10, 1, 10),
                               ('c2', 'a', 'vn', '+15553334444', 'open', 0, NULL, 20, 2, 20),
                               ('c3', 'a', 'vn', 'whatsapp:+15557770001', 'open', 1, 99, 5, 3, 5);
                    INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address,
                        to_address, media, status, created_at, updated_at)
                        VALUES ('m1', 'a', 'c1', 'vn', 'inbound', '15553334444', '15550000003', '[]', 'received', 1, 1),
                               ('m2', 'a', 'c2', 'vn', 'outbound', '+15550000003', '+15553334444', '[]', 'sent', 2, 2);
                    INSERT INTO message_opt_out (account_id, channel_id, contact_address, created_at)
                        VALUES ('a', 'vn', '15553334444', 1);
                    """)
        }
        migrator = ServiceDatabase.migrator
        try migrator.migrate(pool)
        try pool.read { db in
            let conversations = try Row.fetchAll(
                db, sql: "SELECT id, contact_address, unread_count, last_message_at FROM conversation ORDER BY id")
            // c1 (15553334444) is merged into c2, which already had the E.164 form; c3 is renamed.
            #expect(conversations.map { $0[0] as String } == ["c2", "c3"])
            #expect(conversations.map { $0[1] as String } == ["+15553334444", "+15557770001"])
            #expect(conversations[0][2] as Int == 2)
            #expect(conversations[0][3] as Double == 20)
            let messages = try Row.fetchAll(
                db, sql: "SELECT conversation_id, from_address, to_address FROM message ORDER BY id")
            #expect(messages.map { $0[0] as String } == ["c2", "c2"])
            #expect(messages[0][1] as String == "+15553334444")
            #expect(messages[0][2] as String == "+15550000003")
            let optOuts = try Row.fetchAll(db, sql: "SELECT account_id, kind, contact_address FROM contact_opt_out")
            #expect(
                optOuts.map { "\($0[0] as String)/\($0[1] as String)/\($0[2] as String)" } == ["a/sms/+15553334444"])
            #expect(try db.tableExists("message_opt_out") == false)
        }
    }
}
