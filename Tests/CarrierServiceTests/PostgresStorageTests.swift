import CarrierRuntime
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CarrierService

/// The PostgreSQL backend's own parts on a real server: URL parsing, migrations, the admin, identity and query
/// stores. The rest of the contract runs through the whole service suite on PostgreSQL.
@Suite struct PostgresStorageTests {
    static func open() async throws -> PostgresServiceDatabase {
        var logger = Logger(label: "pg-tests")
        logger.logLevel = .warning
        return try await PostgresServiceDatabase.open(url: try await PostgresTestCluster.freshDatabaseURL(), logger: logger)
    }

    @Test func databaseURLsAreParsedStrictlyAndNeverEchoThePassword() throws {
        let location = try PostgresLocation(url: "postgres://app:s3cr%40t@db.internal:6543/carrier?sslmode=require")
        #expect(location.host == "db.internal" && location.port == 6543 && location.username == "app")
        #expect(location.password == "s3cr@t" && location.database == "carrier" && location.sslMode == "require")
        #expect(!location.redacted.contains("s3cr"))
        for bad in [
            "mysql://a@b/c", "postgres://a@b/", "postgres://b/c", "postgres://a@b/c?sslmode=maybe",
            "postgres://a:pw@b/c?search_path=x",
        ] {
            #expect(throws: ServiceError.self) { try PostgresLocation(url: bad) }
            do {
                _ = try PostgresLocation(url: bad)
            } catch {
                #expect(error.code == "invalid-database-url")
                #expect(!error.message.contains("pw"))
            }
        }
    }

    @Test func anUnreachableServerIsAStorageErrorWithoutThePassword() async throws {
        do {
            _ = try await PostgresServiceDatabase.open(
                url: "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable", logger: Logger(label: "t"))
            Issue.record("opened a database nobody serves")
        } catch let error as ServiceError {
            #expect(error.code == "storage-error")
            #expect(!error.message.contains("topsecret"))
        }
    }

    @Test func migrationsRunOnceAndConcurrentOpensAgree() async throws {
        let url = try await PostgresTestCluster.freshDatabaseURL()
        let logger = Logger(label: "pg-tests")
        // Two instances starting together: the advisory lock lets one migrate, the other finds it done.
        async let first = PostgresServiceDatabase.open(url: url, logger: logger)
        async let second = PostgresServiceDatabase.open(url: url, logger: logger)
        let (a, b) = try await (first, second)
        defer {
            a.close()
            b.close()
        }
        #expect(try await PostgresSchema.migrate(a).isEmpty)
        let applied = try await a.read { connection in
            var ids: [String] = []
            for try await id in try await connection.query("SELECT id FROM carrier_migration ORDER BY id", logger: Logger(label: "t"))
                .decode(String.self)
            {
                ids.append(id)
            }
            return ids
        }
        #expect(applied == PostgresSchema.migrations.map(\.id))
    }

    /// A rolling upgrade: instances of the previous version keep serving while a new one migrates. The index rebuild
    /// of `v2-lookup-indexes` once ran in a transaction, where `DROP INDEX` queued for the table's exclusive lock behind
    /// any open transaction and every later read and write of messages queued behind it (a send, a webhook) until the
    /// index was built. Now it builds online: the migration waits for the open transaction, writes go on meanwhile.
    /// A half-built index left by an earlier, killed attempt (invalid) is replaced.
    @Test func theIndexMigrationLetsOtherInstancesWriteWhileItWaits() async throws {
        let url = try await PostgresTestCluster.freshDatabaseURL()
        let logger = {
            var logger = Logger(label: "pg-tests")
            logger.logLevel = .warning
            return logger
        }()
        let migrating = try await PostgresServiceDatabase.open(url: url, migrate: false, logger: logger)
        let oldInstance = try await PostgresServiceDatabase.open(url: url, migrate: false, logger: logger)
        defer {
            migrating.close()
            oldInstance.close()
        }
        #expect(try await PostgresSchema.migrate(migrating, upTo: "v1") == ["v1"])
        try await oldInstance.read { connection in
            try await connection.query(
                """
                INSERT INTO conversation (id, account_id, channel_id, contact_address, status, unread_count,
                    last_message_at, created_at, updated_at)
                SELECT 'conv-' || n, 'acct', 'sms1', '+1555000100' || n, 'open', 0, 1, 1, 1 FROM generate_series(0, 6) AS n
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO message (id, account_id, conversation_id, channel_id, direction, body, media, status,
                    provider_message_id, created_at, updated_at)
                SELECT 'msg-' || n, 'acct', 'conv-' || (n % 7), 'sms1', 'outbound', 'hi', '[]', 'sent', 'p-' || n, n, n
                FROM generate_series(1, 2000) AS n
                """, logger: logger)
            // What a migration killed while building leaves behind: an index marked invalid, under the build name.
            _ = try? await connection.query(
                "CREATE UNIQUE INDEX CONCURRENTLY message_provider_id_build ON message (channel_id)", logger: logger)
        }
        // An old instance's transaction in flight when the migration starts.
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let (opened, opener) = AsyncStream<Void>.makeStream()
        let inFlight = Task {
            try await oldInstance.transaction { connection in
                try await connection.query("SELECT count(*) FROM message", logger: logger)
                opener.yield()
                for await _ in release { break }
            }
        }
        for await _ in opened { break }
        let migration = Task { try await PostgresSchema.migrate(migrating, upTo: "v2-lookup-indexes") }
        // Until the migration waits for that transaction (on a lock).
        var waiting = false
        for _ in 0..<200 where !waiting {
            waiting = try await oldInstance.read { connection in
                for try await count in try await connection.query(
                    """
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                        AND wait_event_type = 'Lock' AND query ILIKE '%INDEX%'
                    """, logger: logger
                ).decode(Int.self) {
                    return count > 0
                }
                return false
            }
            if !waiting { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(waiting, "the migration never waited for the transaction in flight")
        // Meanwhile the old instance stores a message and finds one by provider id, each given a second at most.
        do {
            try await oldInstance.transaction { connection in
                try await connection.query("SET LOCAL lock_timeout = '1s'", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO message (id, account_id, conversation_id, channel_id, direction, body, media, status,
                        provider_message_id, created_at, updated_at)
                    VALUES ('msg-new', 'acct', 'conv-1', 'sms1', 'outbound', 'hi', '[]', 'queued', NULL, 5000, 5000)
                    """, logger: logger)
                try await connection.query(
                    "SELECT id FROM message WHERE provider_message_id = 'p-7' AND account_id = 'acct'", logger: logger)
            }
        } catch {
            Issue.record("a write during the migration failed: \(String(reflecting: error))")
        }
        releaser.yield()
        try await inFlight.value
        #expect(try await migration.value == ["v2-lookup-indexes"])
        let indexes = try await oldInstance.read { connection in
            var found: [String: String] = [:]
            for try await (name, definition, valid) in try await connection.query(
                """
                SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'message'::regclass
                    AND c.relname LIKE ANY (ARRAY['message_provider_id%', 'message_conversation%'])
                """, logger: logger
            ).decode((String, String, Bool).self) {
                found[name] = valid ? definition : "invalid"
            }
            return found
        }
        #expect(indexes.keys.sorted() == ["message_conversation", "message_provider_id"], "\(indexes)")
        #expect(
            indexes["message_provider_id"]?.contains(
                "(provider_message_id, account_id) WHERE (provider_message_id IS NOT NULL)") == true, "\(indexes)")
        #expect(
            indexes["message_conversation"]?.contains("(conversation_id, account_id, created_at)") == true,
            "\(indexes)")
        #expect(
            try await PostgresSchema.migrate(migrating) == [
                "v3-send-result-function", "v4-status-functions", "v5-received-function", "v6-status-event-function",
                "v7-received-event-function",
            ])
        #expect(try await PostgresSchema.migrate(migrating).isEmpty)
    }

    /// Webhook lookups (an incoming message seen before, the message a delivery report names) and a conversation's
    /// messages use their own index, not the account's list: with one account holding every message, reading that
    /// list grew with the table for each webhook.
    @Test func lookupsByProviderIdAndConversationDoNotReadTheAccountsList() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let logger = Logger(label: "pg-tests")
        let plans = try await database.transaction { connection -> [String: String] in
            try await connection.query(
                """
                INSERT INTO conversation (id, account_id, channel_id, contact_address, status, unread_count,
                    last_message_at, created_at, updated_at)
                VALUES ('conv-1', 'acct', 'sms1', '+15550001001', 'open', 0, 1, 1, 1)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO message (id, account_id, conversation_id, channel_id, direction, body, media, status,
                    provider_message_id, created_at, updated_at)
                SELECT 'msg-' || n, 'acct', 'conv-1', 'sms1', CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
                    'hi', '[]', 'sent', 'p-' || n, n, n
                FROM generate_series(1, 3000) AS n
                """, logger: logger)
            let queries = [
                "received": """
                SELECT 1 FROM message WHERE provider_message_id = 'p-7' AND account_id = 'acct'
                    AND channel_id = 'sms1' AND direction = 'inbound'
                """,
                "status": """
                SELECT * FROM message WHERE account_id = 'acct' AND provider_message_id = 'p-8'
                    AND direction = 'outbound' LIMIT 1 FOR UPDATE
                """,
                "conversation": """
                SELECT * FROM message WHERE conversation_id = 'conv-1' AND account_id = 'acct'
                ORDER BY created_at, id
                """,
            ]
            var plans: [String: String] = [:]
            for (name, sql) in queries {
                var lines: [String] = []
                for try await line in try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN " + sql), logger: logger
                ).decode(String.self) {
                    lines.append(line)
                }
                plans[name] = lines.joined(separator: "\n")
            }
            return plans
        }
        for name in ["received", "status"] {
            let plan = plans[name] ?? ""
            #expect(plan.contains("message_provider_id"), "\(name): \(plan)")
            #expect(!plan.contains("message_account_list"), "\(name): \(plan)")
        }
        let conversation = plans["conversation"] ?? ""
        #expect(!conversation.contains("message_account_list"), "\(conversation)")
    }

    @Test func channelsKeepUniquenessPerAccountAndUpsertsAreIdempotent() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let store = PostgresAdminStore(database: database)
        var channel = ChannelRecord(
            id: "ch", accountId: "a", channel: "sms", provider: "p", address: "+15550000001", settings: ["k": "v"],
            defaultQueue: nil, createdAt: 1, updatedAt: 1)
        #expect(try await store.createChannel(channel) == .stored)
        #expect(try await store.createChannel(channel) == .idTaken)
        var other = channel
        other.id = "ch2"
        #expect(try await store.createChannel(other) == .addressTaken)
        other.accountId = "b"
        #expect(try await store.createChannel(other) == .stored)
        // The same configuration loaded by two instances at once: both succeed, one row, createdAt kept.
        channel.updatedAt = 5
        channel.settings = ["k": "w"]
        async let x = store.upsertChannel(channel)
        async let y = store.upsertChannel(channel)
        #expect(try await [x, y] == [.stored, .stored])
        let stored = try #require(try await store.channel(id: "ch", account: "a"))
        #expect(stored.createdAt == 1 && stored.updatedAt == 5 && stored.settings == ["k": "w"])
        #expect(try await store.channel(id: "ch", account: "b") == nil)
        #expect(try await store.channels(account: "a").map(\.id) == ["ch"])
        var clash = channel
        clash.id = "ch3"
        #expect(try await store.upsertChannel(clash) == .addressTaken)
        #expect(try await store.deleteChannel(id: "ch", account: "b") == false)
        #expect(try await store.deleteChannel(id: "ch", account: "a"))

        try await store.upsertAPIKeys([StoredAPIKey(hash: "h", account: "a", scopes: "admin")], now: 1)
        try await store.upsertAPIKeys([StoredAPIKey(hash: "h", account: "a", scopes: "admin,messaging")], now: 2)
        #expect(try await store.apiKey(hash: "h")?.scopes == "admin,messaging")
        #expect(try await store.apiKey(hash: "nope") == nil)

        let template = TemplateRecord(
            id: "t1", accountId: "a", name: "otp", language: "en", category: nil, body: "{{1}}", status: "pending",
            createdAt: 1, updatedAt: 1)
        #expect(try await store.createTemplate(template))
        #expect(try await store.createTemplate(template) == false)
        #expect(try await store.setTemplateStatus("approved", templateId: "t1", account: "b", now: 2) == nil)
        #expect(try await store.setTemplateStatus("approved", templateId: "t1", account: "a", now: 2)?.status == "approved")
    }

    @Test func optOutsPageByCursor() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let store = PostgresIdentityStore(database: database)
        for address in ["+15550000003", "+15550000001", "+15550000002"] {
            _ = try await store.addOptOut(
                account: "a", OptOutRecord(kind: .sms, address: address, source: "api", createdAt: 1))
        }
        let again = try await store.addOptOut(
            account: "a", OptOutRecord(kind: .sms, address: "+15550000001", source: "keyword", createdAt: 9))
        #expect(again.source == "api" && again.createdAt == 1)
        let first = try await store.optOuts(account: "a", kind: .sms, after: nil, limit: 2)
        #expect(first.map(\.address) == ["+15550000001", "+15550000002"])
        let rest = try await store.optOuts(account: "a", kind: nil, after: "sms/+15550000002", limit: 2)
        #expect(rest.map(\.address) == ["+15550000003"])
        #expect(try await store.optOuts(account: "b", kind: nil, after: nil, limit: 10).isEmpty)
        #expect(try await store.removeOptOut(account: "a", kind: .sms, address: "+15550000001"))
        #expect(try await store.removeOptOut(account: "a", kind: .sms, address: "+15550000001") == false)
    }

    @Test func thePaceIsSharedByEveryTaker() async throws {
        let database = try await Self.open()
        defer { database.close() }
        // Two instances' pacers on one row: one send per 10 s means one token, then both wait for the refill
        // (bounds wide enough for a loaded machine).
        let one = PostgresPaceStore(database: database)
        let two = PostgresPaceStore(database: database)
        let key = ChannelKey(account: "a", channelId: "c")
        let waits = [
            try await one.take(key, rate: 0.1, now: 0), try await two.take(key, rate: 0.1, now: 0),
            try await one.take(key, rate: 0.1, now: 0),
        ]
        #expect(waits[0] == 0)
        #expect(waits[1] > 5 && waits[1] <= 10)
        #expect(waits[2] > 5 && waits[2] <= 10)
        // Another channel has its own bucket.
        #expect(try await two.take(ChannelKey(account: "a", channelId: "d"), rate: 0.1, now: 0) == 0)
    }

    /// A send's result is stored in one round trip only when nothing it depends on changed since the claim; in every
    /// other case the function changes nothing and the store's transaction decides (here: a delivery report waiting
    /// for the provider id is applied).
    @Test func aSendResultTakesOneStatementOnlyWhenNothingItDependsOnChanged() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let logger = database.logger
        let store = PostgresOutboxStore(database: database)
        func queued(_ id: String) async throws -> ClaimedJob {
            let message = MessageRecord(
                id: id, accountId: "acct", conversationId: "conv", channelId: "sms", direction: "outbound",
                fromAddress: "+15550000001", toAddress: "+15551230000", body: "hi", media: [], status: "queued",
                providerMessageId: nil, templateName: nil, segments: 1, errorCode: nil, errorMessage: nil,
                reference: nil, confirmed: false, createdAt: 10, updatedAt: 10)
            try await database.read { connection in
                try await connection.query(try PostgresRowEncoder.insert(message, into: "message"), logger: logger)
                try await connection.query(
                    """
                    INSERT INTO outbox_job (message_id, account_id, channel_id, due_at, lease_owner, lease_until,
                        created_at)
                    VALUES (\(id), 'acct', 'sms', 10, 'me', 1e12, 10)
                    """, logger: logger)
            }
            return ClaimedJob(message: message, attempts: 0, owner: "me")
        }
        func inOneStatement(_ job: ClaimedJob, providerId: String) async throws -> Bool {
            var message = job.message
            message.attempts = 1
            _ = JobDisposition.accepted(providerMessageId: providerId, status: .sent).apply(to: &message, now: 20)
            let attempt = AttemptRecord(
                number: 1, startedAt: 19, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 3)
            let statement = PostgresSendStatements.StoreResultIfUnchanged(
                job: job, attempt: attempt, dueAgain: nil, message: message, carrierReplyExcerpt: nil)
            return try await database.read { connection in
                var stored = false
                for try await done in try await connection.execute(statement, logger: logger) { stored = done }
                return stored
            }
        }
        func row(_ id: String) async throws -> (status: String, provider: String?, jobs: Int, attempts: Int) {
            try await database.read { connection in
                for try await found in try await connection.query(
                    """
                    SELECT status, provider_message_id,
                        (SELECT count(*)::int FROM outbox_job WHERE message_id = \(id)),
                        (SELECT count(*)::int FROM send_attempt WHERE message_id = \(id))
                    FROM message WHERE id = \(id)
                    """, logger: logger
                ).decode((String, String?, Int, Int).self) {
                    return found
                }
                throw ServiceError.storage("no message \(id)")
            }
        }
        try await database.sql(
            """
            INSERT INTO conversation (id, account_id, channel_id, contact_address, status, unread_count,
                last_message_at, created_at, updated_at)
            VALUES ('conv', 'acct', 'sms', '+15551230000', 'open', 0, 1, 1, 1)
            """)

        // Nothing changed: stored at once.
        let plain = try await queued("m-plain")
        #expect(try await inOneStatement(plain, providerId: "p-plain"))
        #expect(try await row("m-plain") == ("sent", "p-plain", 0, 1))

        // The lease was taken over, a report moved the status, an endpoint wants the change: nothing is changed.
        let lost = try await queued("m-lost")
        try await database.sql("UPDATE outbox_job SET lease_owner = 'another' WHERE message_id = 'm-lost'")
        let moved = try await queued("m-moved")
        try await database.sql("UPDATE message SET status = 'delivered' WHERE id = 'm-moved'")
        let watched = try await queued("m-watched")
        try await database.sql(
            """
            INSERT INTO webhook_endpoint (id, account_id, url, events, secret, created_at, updated_at)
            VALUES ('we-1', 'acct', 'https://example.com/hook', '["message.status"]', 'whsec', 1, 1)
            """)
        #expect(try await !inOneStatement(lost, providerId: "p-lost"))
        #expect(try await !inOneStatement(moved, providerId: "p-moved"))
        #expect(try await !inOneStatement(watched, providerId: "p-watched"))
        #expect(try await row("m-lost") == ("queued", nil, 1, 0))
        #expect(try await row("m-moved") == ("delivered", nil, 1, 0))
        #expect(try await row("m-watched") == ("queued", nil, 1, 0))
        try await database.sql("DELETE FROM webhook_endpoint")

        // A delivery report waits for the provider id: nothing is changed, and the transaction applies the report.
        let early = try await queued("m-early")
        try await database.sql(
            """
            INSERT INTO pending_status (account_id, channel_id, provider_message_id, status, received_at)
            VALUES ('acct', 'sms', 'p-early', 'delivered', 15)
            """)
        #expect(try await !inOneStatement(early, providerId: "p-early"))
        #expect(try await row("m-early") == ("queued", nil, 1, 0))
        let finished = try await store.finish(
            early,
            attempt: AttemptRecord(
                number: 1, startedAt: 19, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 3),
            disposition: .accepted(providerMessageId: "p-early", status: .sent), carrierReplyExcerpt: nil, now: 20)
        #expect(finished.status == "delivered")
        #expect(try await row("m-early") == ("delivered", "p-early", 0, 1))

        // Through the store, the common case stores the same as the transaction would.
        let viaStore = try await queued("m-store")
        let stored = try await store.finish(
            viaStore,
            attempt: AttemptRecord(
                number: 1, startedAt: 19, outcome: "retryable", httpStatus: 500, errorCode: "E500", latencyMs: 3),
            disposition: .retry(dueAt: 30, errorCode: "E500", errorMessage: "busy"), carrierReplyExcerpt: "{}",
            now: 20)
        #expect(stored.status == "queued" && stored.errorCode == "E500" && stored.nextAttemptAt == 30)
        #expect(try await row("m-store") == ("queued", nil, 1, 1))
    }

    /// A delivery report naming the carrier's id is written in one round trip only when what the rules read still
    /// holds: the message as read and no endpoint wanting the status change, or still no message with that id.
    @Test func aDeliveryReportTakesOneStatementOnlyWhenWhatTheRulesReadStillHolds() async throws {
        let database = try await Self.open()
        defer { database.close() }
        try await database.insertSentMessage(callbackUrl: nil)
        let seen = SentMessageStatus(
            id: "m-1", status: "sent", providerMessageId: "p-1", errorCode: nil, errorMessage: nil, updatedAt: 10)
        var delivered = seen
        delivered.status = "delivered"
        delivered.updatedAt = 20
        func update(_ seen: SentMessageStatus) -> PostgresInboundStatements.ApplyStatusIfUnchanged {
            PostgresInboundStatements.ApplyStatusIfUnchanged(
                account: "acct", providerId: "p-1", seen: seen, message: delivered, providerStatus: "DELIVRD",
                statusChanged: true)
        }

        // Read before another report moved it on: nothing written.
        var stale = seen
        stale.updatedAt = 9
        #expect(try await !database.done(update(stale)))
        // An endpoint wants the status change: nothing written (the transaction writes the event).
        try await database.sql(
            """
            INSERT INTO webhook_endpoint (id, account_id, url, events, secret, created_at, updated_at)
            VALUES ('we-1', 'acct', 'https://example.com/hook', '["message.status"]', 'whsec', 1, 1)
            """)
        #expect(try await !database.done(update(seen)))
        #expect(try await database.count("SELECT count(*)::int FROM message WHERE status = 'sent'") == 1)
        try await database.sql("DELETE FROM webhook_endpoint")
        // As read: written.
        #expect(try await database.done(update(seen)))
        #expect(
            try await database.count(
                "SELECT count(*)::int FROM message WHERE status = 'delivered' AND updated_at = 20 AND provider_status = 'DELIVRD'"
            ) == 1)

        // A report for an id no message has yet is kept; once a message has the id, nothing is kept.
        func pending(_ providerId: String) -> PostgresInboundStatements.KeepPendingIfUnknown {
            PostgresInboundStatements.KeepPendingIfUnknown(
                pending: PendingStatusRecord(
                    id: nil, accountId: "acct", channelId: "sms", providerMessageId: providerId, reference: nil,
                    status: "delivered", errorCode: nil, errorMessage: nil, receivedAt: 30))
        }
        #expect(try await database.done(pending("p-later")))
        #expect(try await !database.done(pending("p-1")))
        #expect(try await database.count("SELECT count(*)::int FROM pending_status") == 1)
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM pending_status WHERE provider_message_id = 'p-later'
                """) == 1)
    }

    /// An incoming message is stored in one round trip only when nothing but it and its conversation is written:
    /// a resend of a stored provider id is done without writing; a part, an opt-out keyword or a replay hash leave
    /// it to the transaction, and an enabled webhook endpoint to the path with events (the next test).
    @Test func anIncomingMessageTakesOneStatementOnlyWhenNothingElseIsWritten() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let logger = database.logger
        let channel = ChannelRecord(
            id: "sms", accountId: "acct", channel: "sms", provider: "fake", address: "+15550000001", settings: [:],
            defaultQueue: nil, createdAt: 0, updatedAt: 0)
        func webhook(_ event: NormalizedEvent.MessageReceived, hash: String? = nil, now: Double = 10)
            -> InboundWebhook
        {
            InboundWebhook(channel: channel, events: [.received(event)], requestHash: hash, now: now)
        }
        func store(_ webhook: InboundWebhook) async throws -> Bool {
            try await PostgresInboundStore.storeReceivedAtOnce(webhook, database: database)
        }
        let hello = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900001", text: "hello", providerMessageId: "mo-1")

        #expect(try await store(webhook(hello)))
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM message m JOIN conversation c ON c.id = m.conversation_id
                WHERE m.provider_message_id = 'mo-1' AND m.direction = 'inbound' AND m.body = 'hello'
                    AND c.contact_address = '+447700900001' AND c.unread_count = 1 AND c.last_message_at = 10
                """) == 1)
        // The carrier resends it: done, nothing written.
        #expect(try await store(webhook(hello, now: 11)))
        #expect(try await database.count("SELECT count(*)::int FROM message") == 1)
        #expect(try await database.count("SELECT count(*)::int FROM conversation WHERE unread_count = 1") == 1)
        // A second message from the contact joins the conversation.
        let again = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900001", text: "again", providerMessageId: "mo-2")
        #expect(try await store(webhook(again, now: 12)))
        #expect(try await database.count("SELECT count(*)::int FROM conversation WHERE unread_count = 2") == 1)
        #expect(try await database.count("SELECT count(DISTINCT conversation_id)::int FROM message") == 1)

        // Left to the transaction, nothing written: a replay hash, a part, an opt-out keyword, an empty id.
        let stop = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900002", text: "STOP", providerMessageId: "mo-3", optOut: "stop")
        var part = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900002", text: "one", providerMessageId: "mo-4")
        part.partTotal = 2
        let noId = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900002", text: "x", providerMessageId: "")
        let unhashed = NormalizedEvent.MessageReceived(carrier: "fake", from: "+447700900002", text: "y")
        #expect(try await !store(webhook(unhashed, hash: "h1")))
        #expect(try await !store(webhook(part)))
        #expect(try await !store(webhook(stop)))
        #expect(try await !store(webhook(noId)))
        // An enabled endpoint wants `message.received`: the statement without events writes nothing.
        try await database.sql(
            """
            INSERT INTO webhook_endpoint (id, account_id, url, events, secret, created_at, updated_at)
            VALUES ('we-1', 'acct', 'https://example.com/hook', '["message.received"]', 'whsec', 1, 1)
            """)
        let third = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900003", text: "third", providerMessageId: "mo-5")
        let plan = try #require(MessagingEngine.planReceived(third, channel: channel, alreadyStored: false, now: 13))
        let simple = PostgresInboundStatements.StoreReceivedIfSimple(
            message: plan.message, lockKey: "received-mo-5", conversationId: "conv-3", touch: plan.conversation)
        let written = try await database.read { connection in
            for try await done in try await connection.execute(simple, logger: logger) { return done }
            return true
        }
        #expect(!written)
        #expect(try await database.count("SELECT count(*)::int FROM message") == 2)
        #expect(try await database.count("SELECT count(*)::int FROM conversation") == 1)
    }

    /// A delivery report whose status change has endpoints and a callback URL to tell writes the status and one
    /// delivery per target in one statement, with the message's next event sequence; an endpoint added or an event
    /// written since the read leaves it to the transaction.
    @Test func aDeliveryReportWithSomeoneToTellWritesItsDeliveriesInTheSameStatement() async throws {
        let database = try await Self.open()
        defer { database.close() }
        try await database.insertSentMessage(callbackUrl: "https://example.com/cb")
        try await database.sql(
            """
            INSERT INTO webhook_endpoint (id, account_id, url, events, secret, created_at, updated_at)
            VALUES ('we-1', 'acct', 'https://example.com/status', '["message.status"]', 'whsec', 1, 1),
                ('we-2', 'acct', 'https://example.com/mo', '["message.received"]', 'whsec', 2, 2)
            """)
        let channel = ChannelRecord(
            id: "sms", accountId: "acct", channel: "sms", provider: "fake", address: "+15550000001", settings: [:],
            defaultQueue: nil, createdAt: 0, updatedAt: 0)
        func report(_ status: String, now: Double) -> InboundWebhook {
            InboundWebhook(
                channel: channel,
                events: [.status(.init(carrier: "fake", providerMessageId: "p-1", status: status))],
                requestHash: nil, now: now)
        }

        #expect(try await PostgresInboundStore.applyStatusAtOnce(report("delivered", now: 20), database: database))
        #expect(
            try await database.count(
                "SELECT count(*)::int FROM message WHERE status = 'delivered' AND updated_at = 20 AND event_sequence = 1"
            ) == 1)
        // One delivery for the subscribed endpoint, one for the callback URL; none for the MO-only endpoint.
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM webhook_delivery
                WHERE message_id = 'm-1' AND sequence = 1 AND event_type = 'message.status' AND status = 'pending'
                    AND payload LIKE '%"sequence":1%' AND payload LIKE '%"status":"delivered"%'
                    AND ((endpoint_id = 'we-1' AND url = 'https://example.com/status')
                        OR (endpoint_id IS NULL AND url = 'https://example.com/cb'))
                """) == 2)
        #expect(try await database.count("SELECT count(*)::int FROM webhook_delivery") == 2)

        // Read before an endpoint was added: nothing written.
        let seen = SentMessageStatus(
            id: "m-1", status: "delivered", providerMessageId: "p-1", errorCode: nil, errorMessage: nil, updatedAt: 20)
        var read = seen
        read.status = "read"
        read.updatedAt = 30
        func update(sequence: Int, endpoints: [String]) -> PostgresInboundStatements.ApplyStatusWithEvent {
            PostgresInboundStatements.ApplyStatusWithEvent(
                account: "acct", providerId: "p-1", seen: seen, seenEventSequence: sequence, seenEndpointIds: endpoints,
                message: read, providerStatus: nil, eventId: "evt-2", payload: "{}", now: 30,
                targets: [("whd-x", "we-1", "https://example.com/status")])
        }
        #expect(try await !database.done(update(sequence: 1, endpoints: ["we-1"])))
        // Read before the last event: nothing written.
        #expect(try await !database.done(update(sequence: 0, endpoints: ["we-2", "we-1"])))
        #expect(try await database.count("SELECT count(*)::int FROM message WHERE status = 'delivered'") == 1)
        #expect(try await database.count("SELECT count(*)::int FROM webhook_delivery") == 2)
        // As read (endpoints in any order): written, sequence 2.
        #expect(try await database.done(update(sequence: 1, endpoints: ["we-2", "we-1"])))
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM message WHERE status = 'read' AND event_sequence = 2
                """) == 1)
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM webhook_delivery WHERE id = 'whd-x' AND sequence = 2
                """) == 1)
    }

    /// With an enabled endpoint, an incoming message is read for (its conversation, the endpoints) and then written
    /// with its `message.received` deliveries in one statement, whose body names the conversation; a conversation or
    /// endpoints other than those read leave it to the transaction; with the endpoints gone, the message is stored
    /// without events and the store stops taking that path.
    @Test func anIncomingMessageWithEndpointsWritesItsDeliveriesAfterOneRead() async throws {
        let database = try await Self.open()
        defer { database.close() }
        let logger = database.logger
        try await database.sql(
            """
            INSERT INTO webhook_endpoint (id, account_id, url, events, secret, created_at, updated_at)
            VALUES ('we-1', 'acct', 'https://example.com/mo', '["message.received"]', 'whsec', 1, 1),
                ('we-2', 'acct', 'https://example.com/status', '["message.status"]', 'whsec', 2, 2)
            """)
        let channel = ChannelRecord(
            id: "sms", accountId: "acct", channel: "sms", provider: "fake", address: "+15550000001", settings: [:],
            defaultQueue: nil, createdAt: 0, updatedAt: 0)
        let subscribed = PostgresInboundStore.SubscribedAccounts()
        func store(_ text: String, id: String, now: Double) async throws -> Bool {
            let event = NormalizedEvent.MessageReceived(
                carrier: "fake", from: "+447700900001", text: text, providerMessageId: id)
            return try await PostgresInboundStore.storeReceivedAtOnce(
                InboundWebhook(channel: channel, events: [.received(event)], requestHash: nil, now: now),
                database: database, subscribed: subscribed)
        }

        #expect(try await store("hello", id: "mo-1", now: 10))
        #expect(subscribed.contains("acct"))
        #expect(try await store("again", id: "mo-2", now: 11))
        #expect(try await store("again", id: "mo-2", now: 12))  // a resend: done, nothing written
        #expect(try await database.count("SELECT count(*)::int FROM conversation WHERE unread_count = 2") == 1)
        #expect(try await database.count("SELECT count(*)::int FROM message WHERE event_sequence = 1") == 2)
        // One delivery per message, for the endpoint subscribed to message.received, naming the conversation.
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM webhook_delivery d JOIN message m ON m.id = d.message_id
                WHERE d.endpoint_id = 'we-1' AND d.event_type = 'message.received' AND d.sequence = 1
                    AND d.payload LIKE '%"conversationId":"' || m.conversation_id || '"%'
                    AND d.payload LIKE '%"body":"' || m.body || '"%'
                """) == 2)
        #expect(try await database.count("SELECT count(*)::int FROM webhook_delivery") == 2)

        // Read before the conversation existed, or with other endpoints: nothing written.
        let plan = try #require(
            MessagingEngine.planReceived(
                NormalizedEvent.MessageReceived(
                    carrier: "fake", from: "+447700900001", text: "late", providerMessageId: "mo-3"),
                channel: channel, alreadyStored: false, now: 20))
        func write(conversation: String, endpoints: [String]) async throws -> Bool {
            var message = plan.message
            message.conversationId = conversation
            let statement = PostgresInboundStatements.StoreReceivedWithEvent(
                message: message, lockKey: "received-mo-3", touch: plan.conversation, seenEndpointIds: endpoints,
                eventId: "evt-3", payload: "{}", targets: [("whd-3", "we-1", "https://example.com/mo")])
            return try await database.read { connection in
                for try await done in try await connection.execute(statement, logger: logger) { return done }
                return false
            }
        }
        #expect(try await !write(conversation: "conv-new", endpoints: ["we-1", "we-2"]))
        let conversation = try await database.read { connection -> String in
            for try await id in try await connection.query("SELECT id FROM conversation", logger: logger)
                .decode(String.self)
            {
                return id
            }
            return ""
        }
        #expect(try await !write(conversation: conversation, endpoints: ["we-1"]))
        #expect(try await database.count("SELECT count(*)::int FROM message") == 2)
        #expect(try await write(conversation: conversation, endpoints: ["we-2", "we-1"]))
        #expect(try await database.count("SELECT count(*)::int FROM webhook_delivery WHERE id = 'whd-3'") == 1)

        // The endpoints gone: stored without events, and the store goes back to the path without them.
        try await database.sql("UPDATE webhook_endpoint SET enabled = false")
        #expect(try await store("quiet", id: "mo-4", now: 30))
        #expect(!subscribed.contains("acct"))
        #expect(
            try await database.count(
                """
                SELECT count(*)::int FROM message WHERE body = 'quiet' AND event_sequence = 0
                """) == 1)
        #expect(try await database.count("SELECT count(*)::int FROM webhook_delivery") == 3)
    }
}

extension PostgresServiceDatabase {
    /// Runs `query` for its effect.
    fileprivate func sql(_ query: PostgresQuery) async throws {
        try await read { connection in _ = try await connection.query(query, logger: logger) }
    }

    /// The integer `query` selects (-1 without a row).
    fileprivate func count(_ query: PostgresQuery) async throws -> Int {
        try await read { connection in
            for try await n in try await connection.query(query, logger: logger).decode(Int.self) { return n }
            return -1
        }
    }

    /// What a statement answering true or false answered (false without a row).
    fileprivate func done<S: PostgresPreparedStatement>(_ statement: S) async throws -> Bool where S.Row == Bool {
        try await read { connection in
            var done = false
            for try await row in try await connection.execute(statement, logger: logger) { done = row }
            return done
        }
    }

    /// Conversation `conv` and its outbound message `m-1` (`sent`, carrier id `p-1`, updated at 10) of account
    /// `acct` on channel `sms`.
    fileprivate func insertSentMessage(callbackUrl: String?) async throws {
        try await sql(
            """
            INSERT INTO conversation (id, account_id, channel_id, contact_address, status, unread_count,
                last_message_at, created_at, updated_at)
            VALUES ('conv', 'acct', 'sms', '+15551230000', 'open', 0, 1, 1, 1)
            """)
        try await sql(
            """
            INSERT INTO message (id, account_id, conversation_id, channel_id, direction, body, media, status,
                provider_message_id, callback_url, created_at, updated_at)
            VALUES ('m-1', 'acct', 'conv', 'sms', 'outbound', 'hi', '[]', 'sent', 'p-1', \(callbackUrl), 10, 10)
            """)
    }
}
