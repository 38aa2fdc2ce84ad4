import CSQLiteTuning
import CarrierCore
import CarrierRuntime
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization
import Testing

@testable import CarrierService

/// The per-account token bucket behind 429 `rate-limited`, on a clock the test holds.
struct AccountRateLimiterTests {
    @Test func aBurstOfTheRateThenTheRefill() {
        let limiter = AccountRateLimiter(requestsPerSecond: 3)
        let burst = (0..<4).map { _ in limiter.allow(account: "a", now: 100) }
        #expect(burst == [true, true, true, false])
        #expect(limiter.allow(account: "b", now: 100), "another account has its own bucket")
        #expect(!limiter.allow(account: "a", now: 100.2), "0.6 of a token after 200 ms")
        #expect(limiter.allow(account: "a", now: 100.34))
        #expect(!limiter.allow(account: "a", now: 100.34))
        let afterAWhile = (0..<4).map { _ in limiter.allow(account: "a", now: 200) }
        #expect(afterAWhile == [true, true, true, false], "the bucket holds the burst, never more")
    }

    @Test func aRateBelowOneStillLetsOneRequestThrough() {
        let limiter = AccountRateLimiter(requestsPerSecond: 0.2)
        #expect(limiter.allow(account: "a", now: 0))
        #expect(!limiter.allow(account: "a", now: 4.9))
        #expect(limiter.allow(account: "a", now: 5.1))
    }
}

struct MessageStatusTests {
    @Test(arguments: [
        (MessageStatus.queued, MessageStatus.sent, true), (.sent, .delivered, true), (.delivered, .read, true),
        (.delivered, .sent, false), (.read, .delivered, false), (.sent, .failed, true), (.queued, .undelivered, true),
        (.delivered, .failed, false), (.failed, .delivered, false), (.undelivered, .sent, false),
        (.received, .delivered, false), (.sent, .sent, false),
    ])
    func order(from: MessageStatus, to: MessageStatus, allowed: Bool) {
        #expect(from.canAdvance(to: to) == allowed)
    }
}

struct SendRequestTests {
    @Test(arguments: [
        ("+12345", true), ("+12345678901234567", true), ("+1234", false), ("+123456789012345678", false),
        ("12345678", false), ("+1234a678", false), ("+", false),
    ])
    func e164(_ value: String, valid: Bool) {
        #expect(SendRequest.isE164(value) == valid)
    }

    @Test func readsEveryMember() throws {
        let body = #"""
            {"channelId":"ch-1","to":"+447700900123","body":"h\u00e9llo \"you\"","mediaUrls":["https://a/b.jpg"],
             "templateName":"otp","templateLang":"en","templateVars":["1","2"],"reference":null,
             "scheduledFor":"2026-12-24T09:00:00+01:00","validity":600}
            """#
        let request = try SendRequest(json: Array(body.utf8))
        #expect(
            request
                == SendRequest(
                    channelId: "ch-1", to: "+447700900123", body: "h\u{e9}llo \"you\"", mediaUrls: ["https://a/b.jpg"],
                    templateName: "otp", templateLang: "en", templateVars: ["1", "2"], reference: nil,
                    scheduledFor: "2026-12-24T09:00:00+01:00", validity: 600))
        #expect(SendRequest.parseRFC3339(request.scheduledFor ?? "") == 1_798_099_200, "09:00 at +01:00 is 08:00 UTC")
    }

    @Test func refusesUnknownMembersNamingEach() throws {
        let body = #"{"channelId":"ch-1","to":"+447700900123","body":"x","extra":{"x":[1]},"metdata":{}}"#
        #expect {
            _ = try SendRequest(json: Array(body.utf8))
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.status == 400 && error.errors?.map(\.attribute) == ["extra", "metdata"]
                && error.errors?.allSatisfy { $0.code == "unknown-field" } == true
        }
    }

    @Test func theDigestIgnoresNothingButKeyOrder() throws {
        let one = try SendRequest(json: Array(#"{"to":"+15550001111","channelId":"c","body":"x"}"#.utf8))
        let same = try SendRequest(json: Array(#"{ "channelId": "c", "body": "x", "to": "+15550001111" }"#.utf8))
        let other = try SendRequest(json: Array(#"{"channelId":"c","body":"y","to":"+15550001111"}"#.utf8))
        #expect(one.digest == same.digest)
        #expect(one.digest != other.digest)
        // Length-prefixed: moving text between members changes the digest.
        #expect(SendRequest(channelId: "ab", to: "c").digest != SendRequest(channelId: "a", to: "bc").digest)
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"), ("[1]", "must be a JSON object"), (#"{"to":5}"#, "'to' must be a string"),
        (#"{"mediaUrls":"x"}"#, "'mediaUrls' must be an array of strings"),
        (#"{"templateVars":["a",1]}"#, "'templateVars' must be an array of strings"), ("", "not valid JSON"),
    ])
    func refusesBadBodiesAsBadJSON(_ body: String, message: String) {
        #expect {
            _ = try SendRequest(json: Array(body.utf8))
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.code == "bad-json" && error.status == 400 && error.message.contains(message)
        }
    }

    @Test func responseJSONMatchesWhatJSONEncoderWrites() throws {
        let responses = [
            SendResponse(
                ok: true, messageId: "msg_1", conversationId: "conv_1", providerMessageId: "SM/1\"x",
                status: "sent", segments: 2),
            SendResponse(
                ok: false, messageId: "msg_2", conversationId: "conv_2", providerMessageId: nil, status: "failed",
                segments: 1,
                error: .init(
                    code: "carrier-error", message: "line\nbreak \u{1F600}", carrierCode: "21211", retryable: true)),
            SendResponse(
                ok: false, messageId: "m", conversationId: "c", providerMessageId: nil, status: "failed", segments: 1,
                error: .init(code: "carrier-error", message: "x", carrierCode: nil, retryable: false)),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for response in responses {
            let ours = try JSONSerialization.jsonObject(with: response.json) as? NSDictionary
            let foundation = try JSONSerialization.jsonObject(with: encoder.encode(response)) as? NSDictionary
            #expect(ours != nil)
            #expect(ours == foundation)
            #expect(try JSONDecoder().decode(SendResponse.self, from: response.json) == response)
        }
    }

    @Test func templateFilling() throws {
        #expect(
            try TemplateFiller.fill("Hi {{1}}, order {{2}} {{ 1 }}", variables: ["Ann", "7"]) == "Hi Ann, order 7 Ann")
        #expect(try TemplateFiller.fill("{{x}} stays", variables: []) == "{{x}} stays")
        #expect(throws: ServiceError.self) { try TemplateFiller.fill("{{2}}", variables: ["a"]) }
    }
}

struct SecretResolverTests {
    @Test func resolvesReferences() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: file)
        let resolver = SecretResolver(environment: ["TOKEN": "from-env"])
        #expect(try resolver.resolve("env:TOKEN", name: "token") == "from-env")
        #expect(try resolver.resolve("file:" + file.path, name: "token") == "from-file")
        #expect(try resolver.resolve("literal:env:x", name: "token") == "env:x")
        #expect(try resolver.resolve("plain", name: "token") == "plain")
    }

    @Test func missingReferenceNamesTheSettingOnly() {
        let resolver = SecretResolver(environment: [:])
        #expect {
            try resolver.resolve(settings: ["apiToken": "env:MISSING_TOKEN"])
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.code == "secret-unresolved" && error.message.contains("apiToken")
        }
    }

    @Test func apiKeysAreStoredHashed() {
        #expect(
            MessagingEngine.hashKey("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

struct ConfigurationTests {
    @Test func decodesWithDefaults() throws {
        let json = #"{"apiKeys":{"env:KEY":{"account":"a","scopes":["messaging"]}}}"#
        let configuration = try JSONDecoder().decode(ServiceConfiguration.self, from: Data(json.utf8))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databasePath == "carrier.sqlite")
        #expect(configuration.apiKeys["env:KEY"]?.scopes == ["messaging"])
        #expect(configuration.channels.isEmpty)
        #expect(configuration.carrierConcurrency == 512)
        #expect(configuration.problems.isEmpty)
    }

    @Test func namesEveryOutOfRangeValue() throws {
        let json = #"{"port":70000,"maxSendAttempts":0,"idleTimeoutSeconds":0,"carrierConcurrency":0}"#
        let configuration = try JSONDecoder().decode(ServiceConfiguration.self, from: Data(json.utf8))
        let problems = configuration.problems.joined(separator: "\n")
        for field in ["port", "maxSendAttempts", "idleTimeoutSeconds", "carrierConcurrency"] {
            #expect(problems.contains(field), "no problem reported for \(field)")
        }
        #expect(configuration.problems.count == 4)
    }
}

@Suite struct TimeOrderedIDTests {
    @Test func hasThePrefixAndTheVersion7Layout() {
        let id = TimeOrderedID.make(prefix: "msg")
        let uuid = String(id.dropFirst(4))
        #expect(id.hasPrefix("msg_"))
        #expect(UUID(uuidString: uuid) != nil)
        let version = uuid[uuid.index(uuid.startIndex, offsetBy: 14)]
        let variant = uuid[uuid.index(uuid.startIndex, offsetBy: 19)]
        #expect(version == "7")
        #expect("89ab".contains(variant))
        #expect(uuid == uuid.lowercased())
    }

    @Test func laterMillisecondsSortAfterEarlierOnes() {
        var generator = SystemRandomNumberGenerator()
        var previous = ""
        for millisecond: UInt64 in [1, 2, 255, 256, 65_535, 1_700_000_000_000, 1_700_000_000_001] {
            let id = TimeOrderedID.make(prefix: "conv", milliseconds: millisecond, using: &generator)
            #expect(id > previous, "\(id) should sort after \(previous)")
            previous = id
        }
    }

    @Test func idsStayUniqueAcrossRandomPoolRefills() {
        // Two random words per id and 512 words per refill: 5,000 ids cross the refill about twenty times.
        let ids = (0..<5_000).map { _ in TimeOrderedID.make(prefix: "msg", now: Date(timeIntervalSince1970: 1)) }
        #expect(Set(ids).count == ids.count)
        var generator = PooledRandom()
        let words = (0..<2_000).map { _ in generator.next() }
        #expect(Set(words).count == words.count)
    }

    @Test func idsInOneMillisecondDiffer() {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<10_000).map { _ in TimeOrderedID.make(prefix: "msg", milliseconds: 42, using: &generator) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_00000000-002a-7") })
    }
}

@Suite struct GroupCommitWriterTests {
    struct Refused: Error {}

    /// A writer over a new file holding `t (x INTEGER PRIMARY KEY)`.
    static func writerOverTable() async throws -> (DatabasePool, GroupCommitWriter) {
        let pool = try DatabasePool(path: try TestServer.temporaryDatabasePath())
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY)") }
        return (pool, GroupCommitWriter(pool: pool))
    }

    /// Runs `work(x)` for every x in `values` as concurrent writes (so batches mix them); which ones succeeded.
    static func writeConcurrently(
        _ values: ClosedRange<Int>, through writer: GroupCommitWriter,
        _ work: @escaping @Sendable (Int, Database) throws -> Void
    ) async -> [Int: Bool] {
        await withTaskGroup(of: (Int, Bool).self) { group in
            for x in values {
                group.addTask {
                    do {
                        try await writer.write { db in try work(x, db) }
                        return (x, true)
                    } catch {
                        return (x, false)
                    }
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (x, ok) in group { outcomes[x] = ok }
            return outcomes
        }
    }

    static func storedValues(_ pool: DatabasePool) async throws -> [Int] {
        try await pool.read { db in try Int.fetchAll(db, sql: "SELECT x FROM t ORDER BY x") }
    }

    @Test func aFailingRequestRollsBackOnlyItsOwnChanges() async throws {
        let (pool, writer) = try await Self.writerOverTable()
        let outcomes = await Self.writeConcurrently(1...200, through: writer) { x, db in
            try db.execute(sql: "INSERT INTO t (x) VALUES (?)", arguments: [x])
            if x % 3 == 0 { throw Refused() }
        }
        #expect(outcomes.filter { $0.value }.count == 134)
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 3 != 0) })
        #expect(try await Self.storedValues(pool) == (1...200).filter { $0 % 3 != 0 })
        await writer.finish()
        await #expect(throws: (any Error).self) {
            try await writer.write { db in try db.execute(sql: "INSERT INTO t (x) VALUES (1000)") }
        }
    }

    @Test func refusalsBeforeAnyChangeNeedNoSecondRun() async throws {
        let (pool, writer) = try await Self.writerOverTable()
        let runs = Counter()
        let outcomes = await Self.writeConcurrently(1...200, through: writer) { x, db in
            runs.value.withLock { $0 += 1 }
            // Reads, then refuses: the way /send refuses an opted-out recipient.
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM t")
            if x % 3 == 0 { throw Refused() }
            try db.execute(sql: "INSERT INTO t (x) VALUES (?)", arguments: [x])
        }
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 3 != 0) })
        #expect(try await Self.storedValues(pool) == (1...200).filter { $0 % 3 != 0 })
        // Every request's work ran once: no batch had to be run again with savepoints.
        #expect(runs.value.withLock { $0 } == 200)
        await writer.finish()
    }

    @Test func aDatabaseErrorInOneRequestLeavesTheOthersCommitted() async throws {
        let (pool, writer) = try await Self.writerOverTable()
        let outcomes = await Self.writeConcurrently(1...100, through: writer) { x, db in
            try db.execute(sql: "INSERT INTO t (x) VALUES (?)", arguments: [x])
            // A second insert of the same key fails inside SQLite after the first one changed a row.
            if x % 10 == 0 { try db.execute(sql: "INSERT INTO t (x) VALUES (?)", arguments: [x]) }
        }
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 10 != 0) })
        #expect(try await Self.storedValues(pool) == (1...100).filter { $0 % 10 != 0 })
        await writer.finish()
    }
}

extension TestServer {
    /// The messaging engine over a new database file, without HTTP: for tests of engine rules the API does not
    /// reach on demand (retention, parts that never complete).
    static func engine(
        configuration: (String) -> ServiceConfiguration = { ServiceConfiguration(databasePath: $0) }
    ) throws -> (DatabasePool, GroupCommitWriter, MessagingEngine) {
        let path = try temporaryDatabasePath()
        let pool = try ServiceDatabase.open(path: path)
        let writer = GroupCommitWriter(pool: pool)
        let engine = MessagingEngine(
            database: pool, writer: writer, gateway: FakeGateway(), configuration: configuration(path),
            resolver: SecretResolver(), logger: Logger(label: "carrier-service-tests"))
        return (pool, writer, engine)
    }
}

@Suite struct RetentionTests {
    @Test func removesOnlyExpiredKeysAndCallbacksInChunks() async throws {
        let (pool, writer, engine) = try TestServer.engine { path in
            ServiceConfiguration(databasePath: path, idempotencyKeyHours: 24, pendingStatusHours: 168)
        }
        let now = 2_000_000_000.0
        let oldKeys = MessagingEngine.retentionChunk * 2 + 5
        try await pool.write { db in
            for k in 0..<oldKeys {
                try db.execute(
                    sql: "INSERT INTO idempotency_key (account_id, key, status, response, created_at) VALUES ('a', ?, 200, '{}', ?)",
                    arguments: ["old-\(k)", now - 25 * 3600])
            }
            try db.execute(
                sql: "INSERT INTO idempotency_key (account_id, key, status, response, created_at) VALUES ('a', 'fresh', 200, '{}', ?)", arguments: [now - 3600])
            for (id, age) in [("p-old", 169.0), ("p-fresh", 167.0)] {
                try db.execute(
                    sql: """
                        INSERT INTO pending_status (account_id, channel_id, provider_message_id, status, received_at)
                        VALUES ('a', 'ch', ?, 'delivered', ?)
                        """, arguments: [id, now - age * 3600])
            }
        }
        let removed = try await engine.removeExpired(now: now)
        #expect(removed.idempotencyKeys == oldKeys)
        #expect(removed.pendingStatuses == 1)
        let (keys, pending) = try await pool.read { db in
            (
                try String.fetchAll(db, sql: "SELECT key FROM idempotency_key"),
                try String.fetchAll(db, sql: "SELECT provider_message_id FROM pending_status")
            )
        }
        #expect(keys == ["fresh"])
        #expect(pending == ["p-fresh"])
        let again = try await engine.removeExpired(now: now)
        #expect(again.isEmpty)
        await writer.finish()
    }
}

@Suite struct MessagePartTests {
    @Test func partsThatNeverCompleteAreStoredMarkedAfterTheWait() async throws {
        let (pool, writer, engine) = try TestServer.engine()
        let channel = ChannelRecord(
            id: "ch", accountId: "a", channel: "sms", provider: "fake", address: "+15550000001", settings: [:],
            defaultQueue: nil, createdAt: 0, updatedAt: 0)
        let now = 2_000_000_000.0
        try await pool.write { db in
            for (number, text) in [(1, "first "), (3, "third")] {
                let event = NormalizedEvent.MessageReceived(
                    carrier: "fake", from: "+447700900001", text: text, providerMessageId: "p\(number)",
                    part: ("9", 3, number))
                try SQLiteInboundStore.applyReceived(event, channel: channel, db: db, now: now)
            }
        }
        func stored() async throws -> [MessageRecord] {
            try await pool.read { db in try MessageRecord.fetchAll(db) }
        }
        #expect(try await stored().isEmpty)
        // Not yet: part 2 may still come.
        #expect(try await engine.removeExpired(now: now + 60).incompleteMessages == 0)
        #expect(try await stored().isEmpty)
        let result = try await engine.removeExpired(now: now + MessagingEngine.partWaitSeconds + 1)
        #expect(result.incompleteMessages == 1)
        let messages = try await stored()
        #expect(messages.map(\.body) == ["first third"])
        #expect(messages.first?.errorCode == "parts-missing")
        #expect(messages.first?.errorMessage == "2 of 3 parts arrived")
        #expect(messages.first?.providerMessageId == "p1")
        // The assembled parts are kept for a while (a resent part is recognised), then deleted.
        let later = now + MessagingEngine.partWaitSeconds + MessagingEngine.assembledPartKeepSeconds + 2
        _ = try await engine.removeExpired(now: later)
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM message_part") } == 0)
        #expect(try await stored().count == 1)
        await writer.finish()
    }
}

@Suite struct WALCheckpointerTests {
    @Test func copiesCommittedPagesIntoTheDatabaseFile() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE t (x TEXT)")
            for index in 0..<2_000 {
                try db.execute(
                    sql: "INSERT INTO t (x) VALUES (?)", arguments: [String(repeating: "\(index)", count: 20)])
            }
        }
        func fileSize() throws -> Int {
            try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        }
        let before = try fileSize()
        let checkpointer = try WALCheckpointer(path: path, interval: .milliseconds(10)) { _ in }
        var after = before
        for _ in 0..<200 where after <= before + 100_000 {
            try await Task.sleep(for: .milliseconds(10))
            after = try fileSize()
        }
        await checkpointer.finish()
        #expect(after > before + 100_000, "the data pages should have been copied from the WAL into the file")
        let count = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") }
        #expect(count == 2_000)
    }
}

/// Closes connections from synchronous code (GRDB's `close()` has no async form).
private func closeConnections(_ queue: DatabaseQueue, _ pool: DatabasePool) throws {
    try queue.close()
    try pool.close()
}

@Suite struct ServiceDatabaseTests {
    @Test func connectionsRunWithoutSQLitesOwnMutexAndWithDurableCommits() throws {
        let pool = try ServiceDatabase.open(path: TestServer.temporaryDatabasePath())
        let (mutex, synchronous, journal) = try pool.write { db in
            (
                sqlite3_db_mutex(db.sqliteConnection), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
        // Multi-thread mode (GRDB serializes each connection): SQLite hands out no per-connection mutex.
        #expect(mutex == nil)
        #expect(synchronous == 2)  // FULL
        #expect(journal == "wal")
    }

    @Test func theWritersLogWritesAreBufferedAndEveryCommitIsSeenByOtherConnections() async throws {
        let path = try TestServer.temporaryDatabasePath()
        let pool = try ServiceDatabase.open(path: path)
        let writerBuffered = try await pool.writeWithoutTransaction { db in
            carrier_sqlite_wal_writes_buffered(db.sqliteConnection)
        }
        #expect(writerBuffered == 1)
        let other = try DatabaseQueue(path: path)
        let otherBuffered = try await other.read { db in carrier_sqlite_wal_writes_buffered(db.sqliteConnection) }
        #expect(otherBuffered == 0)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY, pad TEXT)") }
        // Small commits, then one larger than the 1 MiB buffer: each is visible to a reader of the pool and to a
        // separate connection as soon as it has committed.
        for x in 1...50 {
            try await pool.write { db in try db.execute(sql: "INSERT INTO t VALUES (?, 'p')", arguments: [x]) }
            #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT max(x) FROM t") } == x)
            #expect(try await other.read { db in try Int.fetchOne(db, sql: "SELECT max(x) FROM t") } == x)
        }
        try await pool.write { db in
            for x in 51...2_000 {
                try db.execute(
                    sql: "INSERT INTO t VALUES (?, ?)", arguments: [x, String(repeating: "z", count: 1_000)])
            }
        }
        #expect(try await other.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") } == 2_000)
        try closeConnections(other, pool)
        let reopened = try DatabaseQueue(path: path)
        let (integrity, rows) = try await reopened.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM t")
            )
        }
        #expect(integrity == "ok")
        #expect(rows == 2_000)
    }

    @Test func aVersion1DatabaseKeepsItsMessagesAndGetsThePartialIndexes() throws {
        let path = try TestServer.temporaryDatabasePath()
        do {
            let queue = try DatabaseQueue(path: path)
            try ServiceDatabase.migrator.migrate(queue, upTo: "v1")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO conversation (id, account_id, channel_id, contact_address, status, created_at,
                            updated_at) VALUES ('c1', 'a', 'ch', '+1555', 'open', 1, 1);
                        INSERT INTO message (id, account_id, conversation_id, channel_id, direction, media, status,
                            provider_message_id, created_at, updated_at) VALUES
                            ('m1', 'a', 'c1', 'ch', 'outbound', '[]', 'sent', 'SM1', 1, 1),
                            ('m2', 'a', 'c1', 'ch', 'outbound', '[]', 'queued', NULL, 2, 2),
                            ('m3', 'a', 'c1', 'ch', 'inbound', '[]', 'received', 'MO1', 3, 3);
                        """)
            }
        }
        let pool = try ServiceDatabase.open(path: path)
        try pool.read { db in
            let indexes = try Row.fetchAll(
                db, sql: "SELECT name, sql FROM sqlite_master WHERE name IN ('message_provider_id', 'message_replies')")
            #expect(indexes.count == 2)
            for index in indexes { #expect((index["sql"] as String).contains("WHERE"), "\(index)") }
            let sent = try String.fetchOne(
                db, sql: SQLiteInboundStore.sentMessageByProviderIdSQL, arguments: ["a", "SM1"])
            #expect(sent == "m1")
            let replies = try MessageRecord.fetchAll(db, sql: SQLiteMessageQueryStore.repliesSQL, arguments: ["a", 10])
            #expect(replies.map(\.id) == ["m3"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message") == 3)
        }
    }
}

@Suite struct DirectStatementTests {
    @Test func bindsEveryKindOfValueAndReportsSQLiteErrors() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, d DOUBLE, o TEXT)")
            for key in ["a", "é\u{1F600}"] {
                var insert = try DirectStatement(
                    db, sql: "INSERT INTO t (k, n, d, o) VALUES (?, ?, ?, ?) RETURNING k, d")
                insert.bind(key)
                insert.bind(42)
                insert.bind(2.5)
                insert.bind(nil as String?)
                #expect(try insert.step())
                #expect(insert.text(0) == key)
                #expect(insert.double(1) == 2.5)
                insert.reset()
            }
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM t WHERE k = 'é\u{1F600}'"))
            #expect(row["n"] as Int? == 42)
            #expect(row["d"] as Double? == 2.5)
            #expect(row["o"] as String? == nil)

            var duplicate = try DirectStatement(db, sql: "INSERT INTO t (k) VALUES (?)")
            duplicate.bind("a")
            #expect {
                _ = try duplicate.step()
            } throws: { error in
                (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
            }
            // The cached statement is usable again after the failure.
            var again = try DirectStatement(db, sql: "INSERT INTO t (k) VALUES (?)")
            again.bind("b")
            #expect(try again.step() == false)
            again.reset()
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 3)
        }
    }
}

@Suite struct LineLogHandlerTests {
    /// Reads what is available on `fd` without blocking.
    static func available(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func requestLinesWaitForTheBatchWarningsGoOutAtOnceInOrder() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        let sink = LogSink(descriptor: fds[1], interval: 3_600)
        var logger = Logger(label: "carrier.test") { LineLogHandler(label: $0, sink: sink) }
        logger.logLevel = .info
        logger.info("POST /inbound/tw1 200 0.4ms")
        #expect(Self.available(fds[0]).isEmpty)
        logger.warning("disk almost full", metadata: ["free": "1%", "at": "/var"])
        let lines = Self.available(fds[0]).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix(" info carrier.test: POST /inbound/tw1 200 0.4ms"))
        #expect(lines[1].hasSuffix(" warning carrier.test: disk almost full at=/var free=1%"))
        let stamp = try #require(lines[0].split(separator: " ").first)
        #expect(stamp.count == 24 && stamp.hasSuffix("Z") && stamp.contains("T"))
        logger.debug("not at this level")
        logger.info("last")
        sink.flush()
        #expect(Self.available(fds[0]).hasSuffix(" info carrier.test: last\n"))
    }
}

@Suite struct QueryPlanTests {
    /// The plan SQLite picks for `sql` (parameters bound to placeholders), as one string.
    static func plan(_ db: Database, _ sql: String, arguments: StatementArguments) throws -> String {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
            .map { $0["detail"] as String? ?? "" }.joined(separator: " | ")
    }

    /// Each index on `conversation` is written by every new conversation (each outbound message to a new contact):
    /// only the ones a query uses are kept, and the account's list still reads its own index.
    @Test func conversationsKeepOnlyTheIndexesTheirQueriesUse() throws {
        let pool = try ServiceDatabase.open(path: TestServer.temporaryDatabasePath())
        try pool.read { db in
            let named = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversation' AND sql NOT NULL
                    """)
            #expect(named == ["conversation_account_list"])
            for (sql, arguments): (String, StatementArguments) in [
                ("SELECT * FROM conversation WHERE account_id = ? ORDER BY id DESC LIMIT 10", ["a"]),
                ("SELECT * FROM conversation WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT 10", ["a", "c"]),
            ] {
                let plan = try Self.plan(db, sql, arguments: arguments)
                #expect(plan.contains("INDEX conversation_account_list") && !plan.contains("TEMP B-TREE"), "\(plan)")
            }
            let contact = try Self.plan(
                db,
                "SELECT window_expires_at FROM conversation WHERE account_id = ? AND channel_id = ? AND contact_address = ?",
                arguments: ["a", "c", "+1"])
            #expect(contact.contains("INDEX sqlite_autoindex_conversation"), "\(contact)")
        }
    }

    @Test func webhookLookupsSearchTheProviderIdIndex() throws {
        let pool = try ServiceDatabase.open(path: TestServer.temporaryDatabasePath())
        try pool.read { db in
            let status = try Self.plan(db, SQLiteInboundStore.sentMessageByProviderIdSQL, arguments: ["a", "p"])
            #expect(status.contains("USING INDEX message_provider_id"), "\(status)")
            let duplicate = try Self.plan(db, SQLiteInboundStore.receivedMessageByProviderIdSQL, arguments: ["p", "a", "c"])
            #expect(duplicate.contains("USING INDEX message_provider_id"), "\(duplicate)")
            let pending = try Self.plan(
                db, "SELECT id FROM pending_status WHERE account_id = ? AND provider_message_id = ? ORDER BY id",
                arguments: ["a", "p"])
            #expect(pending.contains("INDEX pending_status_provider_id"), "\(pending)")
            // Retention deletes find old rows by age, not by scanning the table.
            let keys = try Self.plan(
                db, "SELECT rowid FROM idempotency_key WHERE created_at < ? LIMIT 10", arguments: [1.0])
            #expect(keys.contains("INDEX idempotency_key_created"), "\(keys)")
            let waiting = try Self.plan(
                db, "SELECT id FROM pending_status WHERE received_at < ? LIMIT 10", arguments: [1.0])
            #expect(waiting.contains("INDEX pending_status_received"), "\(waiting)")
            // Replies: the partial index, in its order (no sort of every unconfirmed reply).
            let replies = try Self.plan(db, SQLiteMessageQueryStore.repliesSQL, arguments: ["a", 10])
            #expect(replies.contains("USING INDEX message_replies"), "\(replies)")
            #expect(!replies.contains("TEMP B-TREE"), "\(replies)")
            // A conversation's messages: its own index, in order (not every message of the account, then a sort).
            let conversation = try Self.plan(db, SQLiteMessageQueryStore.conversationMessagesSQL, arguments: ["c", "a"])
            #expect(conversation.contains("USING INDEX message_conversation"), "\(conversation)")
            #expect(!conversation.contains("TEMP B-TREE"), "\(conversation)")
        }
    }
}

@Suite struct PostgresStatementNameTests {
    /// A connection keeps prepared statements by name: two statements sharing one would run each other's SQL.
    @Test func everyPreparedStatementHasItsOwnName() {
        typealias Inbound = PostgresInboundStatements
        typealias Send = PostgresSendStatements
        typealias Events = PostgresWebhookEventStatements
        let named: [(type: Any.Type, name: String)] = [
            (Inbound.ReceivedBefore.self, Inbound.ReceivedBefore.name),
            (Inbound.UpsertConversation.self, Inbound.UpsertConversation.name),
            (Inbound.InsertMessage.self, Inbound.InsertMessage.name),
            (Inbound.StoreReceivedIfSimple.self, Inbound.StoreReceivedIfSimple.name),
            (Inbound.ReceivedContext.self, Inbound.ReceivedContext.name),
            (Inbound.StoreReceivedWithEvent.self, Inbound.StoreReceivedWithEvent.name),
            (Inbound.UpdateStatus.self, Inbound.UpdateStatus.name),
            (Inbound.KeepPending.self, Inbound.KeepPending.name),
            (Inbound.ApplyStatusIfUnchanged.self, Inbound.ApplyStatusIfUnchanged.name),
            (Inbound.ApplyStatusWithEvent.self, Inbound.ApplyStatusWithEvent.name),
            (Inbound.KeepPendingIfUnknown.self, Inbound.KeepPendingIfUnknown.name),
            (Inbound.SentMessageByProviderId.self, Inbound.SentMessageByProviderId.name),
            (Inbound.SentMessageById.self, Inbound.SentMessageById.name),
            (Send.LockJob.self, Send.LockJob.name),
            (Send.AdvisoryLock.self, Send.AdvisoryLock.name),
            (Send.StoreResult.self, Send.StoreResult.name),
            (Send.StoreResultIfUnchanged.self, Send.StoreResultIfUnchanged.name),
            (Send.AcceptSend.self, Send.AcceptSend.name),
            (Events.NextSequence.self, Events.NextSequence.name),
            (Events.InsertDeliveries.self, Events.InsertDeliveries.name),
            (Events.Delivered.self, Events.Delivered.name),
        ]
        #expect(Set(named.map(\.name)).count == named.count)
        for (type, name) in named {
            // Named after the type, as the library's default (`String(reflecting:)`) would, without its cost.
            #expect(String(reflecting: type).hasSuffix("." + name), "\(type) is named \(name)")
        }
    }
}

@Suite struct ErrorBodyTests {
    /// The shape `JSONEncoder` wrote before the body was built by hand.
    struct Encoded: Encodable {
        struct Inner: Encodable {
            var type: String
            var code: String
            var message: String
            var attribute: String?
            var url: String
            var errors: [ServiceError.FieldError]?
        }
        var error: Inner
    }

    @Test(arguments: [
        ServiceError(status: 401, code: "unauthorized", message: "missing or unknown API key"),
        ServiceError(
            status: 400, code: "validation-failed", message: "2 problems: \"to\" and tab\there",
            errors: [
                .invalid("to", "invalid-address", "not E.164: \"+1 (555)\" \u{1F600}"),
                .init(type: "missing", code: "required", message: "line\nbreak \\ slash /", attribute: "body"),
            ]),
        ServiceError(
            status: 429, code: "rate-limited", message: "slow down", retryAfter: 3, attribute: "channelId"),
        ServiceError(status: 400, code: "validation-failed", message: "none", errors: []),
    ])
    func theHandBuiltBodyMeansWhatTheEncoderWrote(error: ServiceError) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let before = try encoder.encode(
            Encoded(
                error: .init(
                    type: error.type, code: error.code, message: error.message, attribute: error.attribute,
                    url: error.url, errors: error.errors)))
        let body = ServiceResponder.errorBody(error)
        let now = try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSDictionary)
        #expect(now == (try JSONSerialization.jsonObject(with: before) as? NSDictionary))
        // The same text but for the slashes the encoder escaped, keys in the same order.
        #expect(body == String(decoding: before, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/"))
        let reply = ServiceResponder.errorReply(error)
        #expect(reply.status == error.status)
        #expect(reply.headers.contains { $0.name == "Retry-After" } == (error.retryAfter != nil))
    }
}
