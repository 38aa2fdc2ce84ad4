import CarrierRuntime
import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

@testable import CarrierService

/// The outbox storage contract itself, on a real SQLite file and on a real PostgreSQL database: leases, their
/// expiry, release, cancel, pending statuses, idempotency keys, the operators' view and retention. Every case runs
/// on both backends; the cases at the end are about several instances sharing one PostgreSQL database.
@Suite struct OutboxStoreTests {
    /// The stores of one backend on a fresh database, and a way to write fixture rows with plain SQL.
    struct Stores {
        var outbox: any OutboxStore
        var operations: any OperationsStore
        var retention: any RetentionStore
        /// Runs one SQL statement (no parameters) on the database.
        var execute: @Sendable (String) async throws -> Void
        /// Runs a query whose answer is one integer.
        var count: @Sendable (String) async throws -> Int
        var close: @Sendable () -> Void = {}
    }

    static func stores(_ backend: TestBackend) async throws -> Stores {
        switch backend {
        case .sqlite:
            let pool = try ServiceDatabase.open(path: try TestServer.temporaryDatabasePath())
            let writer = GroupCommitWriter(pool: pool)
            return Stores(
                outbox: SQLiteOutboxStore(database: pool, writer: writer),
                operations: SQLiteOperationsStore(database: pool), retention: SQLiteRetentionStore(writer: writer),
                execute: { sql in try await writer.write { db in try db.execute(sql: sql) } },
                count: { sql in try await pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 } })
        case .postgres:
            let database = try await openPostgres(url: try await PostgresTestCluster.freshDatabaseURL())
            return postgresStores(database)
        }
    }

    static func openPostgres(url: String) async throws -> PostgresServiceDatabase {
        var logger = Logger(label: "outbox-store-tests")
        logger.logLevel = .error
        return try await PostgresServiceDatabase.open(url: url, logger: logger)
    }

    static func postgresStores(_ database: PostgresServiceDatabase) -> Stores {
        Stores(
            outbox: PostgresOutboxStore(database: database), operations: PostgresOperationsStore(database: database),
            retention: PostgresRetentionStore(database: database),
            execute: { sql in
                try await database.read { connection -> Void in
                    _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: database.logger)
                }
            },
            count: { sql in
                try await database.read { connection in
                    for try await value in try await connection.query(
                        PostgresQuery(unsafeSQL: sql), logger: database.logger
                    )
                    .decode(Int.self) {
                        return value
                    }
                    return -1
                }
            },
            close: { database.close() })
    }

    static func draft(id: String, dueAt: Double, lease: (owner: String, until: Double)?) -> OutboundDraft {
        var message = MessageRecord(
            id: id, accountId: "a", conversationId: "", channelId: "c", direction: "outbound",
            fromAddress: "+15550000001", toAddress: "+15550001111", body: "x", media: [],
            status: MessageStatus.queued.rawValue, providerMessageId: nil, templateName: nil, segments: 1,
            errorCode: nil, errorMessage: nil, reference: nil, confirmed: false, createdAt: 1000, updatedAt: 1000)
        message.expiresAt = 1_000_000
        return OutboundDraft(message: message, dueAt: dueAt, lease: lease)
    }

    static let lookup = SendLookup(
        account: "a", channelId: "c", contact: "+15550001111", optOutKind: .sms, templateName: nil,
        templateLanguage: nil,
        readsWindow: false)

    static func accept(
        _ store: any OutboxStore, id: String, dueAt: Double, lease: (owner: String, until: Double)?
    ) async throws {
        _ = try await store.accept(lookup, idempotency: nil) { _ in draft(id: id, dueAt: dueAt, lease: lease) }
    }

    @Test(arguments: TestBackend.allCases)
    func aLeasedJobIsClaimedByAnotherOwnerOnlyAfterItsLeaseRunsOut(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("dead-instance", 1100))
        let early = try await store.claimDue(
            owner: "other", now: 1050, leaseUntil: 1200, limit: 10, skippingChannels: [])
        #expect(early.isEmpty, "the lease of the first owner still holds")
        #expect(try await store.nextDueAt(now: 1050) == nil, "nothing claimable until the lease runs out")
        #expect(try await store.nextDueAt(now: 1101) == 1000, "then the job, due since 1000")
        let late = try await store.claimDue(
            owner: "other", now: 1101, leaseUntil: 1200, limit: 10, skippingChannels: [])
        #expect(late.map(\.message.id) == ["m1"])
        #expect(late.first?.owner == "other")
        let again = try await store.claimDue(
            owner: "third", now: 1150, leaseUntil: 1250, limit: 10, skippingChannels: [])
        #expect(again.isEmpty, "claimed once per lease")
    }

    /// What `/send` gave about each media item (type, file name, caption) is what a later claim reads back, and a
    /// bare URL stays a bare URL.
    /// The claim reads messages by column position (``MessageRecord/init(prepared:)``); every member must come back
    /// as stored and as GRDB's Codable read sees the same row, including NULLs and JSON columns; a body holding
    /// U+0000 comes back whole.
    @Test func aMessageReadByColumnPositionEqualsTheCodableRead() async throws {
        let pool = try ServiceDatabase.open(path: try TestServer.temporaryDatabasePath())
        let writer = GroupCommitWriter(pool: pool)
        var full = Self.draft(id: "full", dueAt: 1000, lease: nil).message
        full.body = "nul \u{0} inside, é"
        full.media = [MediaItem(url: "https://cdn.test/a.jpg"), MediaItem(url: "https://cdn.test/b", caption: "b")]
        full.providerMessageId = "p-1"
        full.templateName = "otp"
        full.errorCode = "e"
        full.errorMessage = "m"
        full.reference = "r"
        full.confirmed = true
        full.scheduledFor = 1500.25
        full.validitySeconds = 600
        full.attempts = 3
        full.nextAttemptAt = 1600.5
        full.templateLanguage = "en"
        full.templateVariables = ["1", "x"]
        full.callbackUrl = "https://app.test/cb"
        full.deliveryReport = "final"
        full.providerStatus = "DELIVRD"
        full.metadata = ["k": "v", "a": "\"q\""]
        full.tags = ["t1", "t2"]
        var bare = Self.draft(id: "bare", dueAt: 1000, lease: nil).message
        bare.expiresAt = nil
        bare.segments = nil
        bare.fromAddress = nil
        for message in [full, bare] {
            let store = SQLiteOutboxStore(database: pool, writer: writer)
            _ = try await store.accept(Self.lookup, idempotency: nil) { _ in
                OutboundDraft(message: message, dueAt: 1000, lease: nil)
            }
            let (positional, codable) = try await pool.read { db in
                (try MessageRecord.fetchPrepared(db, id: message.id), try MessageRecord.fetchOne(db, key: message.id))
            }
            var stored = message
            stored.conversationId = codable?.conversationId ?? "?"
            #expect(!stored.conversationId.isEmpty)
            #expect(positional == stored)
            // GRDB reads text up to the first NUL; every other member must agree.
            var (left, right) = (positional, codable)
            left?.body = nil
            right?.body = nil
            #expect(left == right)
        }
        #expect(try await pool.read { db in try MessageRecord.fetchPrepared(db, id: "none") } == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func mediaDetailsSurviveTheRoundTripThroughStorage(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let media = [
            MediaItem(url: "https://cdn.test/a.jpg"),
            MediaItem(
                url: "https://cdn.test/inv", contentType: "application/pdf", filename: "invoice \"42\".pdf",
                caption: "Invoice 42, é"),
        ]
        _ = try await stores.outbox.accept(Self.lookup, idempotency: nil) { _ in
            var draft = Self.draft(id: "m1", dueAt: 1000, lease: nil)
            draft.message.media = media
            return draft
        }
        let claimed = try await stores.outbox.claimDue(
            owner: "d", now: 1001, leaseUntil: 1100, limit: 10, skippingChannels: [])
        #expect(claimed.first?.message.media == media)
        #expect(try await stores.count("SELECT count(*) FROM message WHERE media LIKE '[\"https://cdn.test/a.jpg\",{%'") == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func claimsAreInDueOrderSkipPacedChannelsAndRespectTheLimit(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        for (n, due) in [(1, 1003.0), (2, 1001.0), (3, 1002.0), (4, 5000.0)] {
            try await Self.accept(store, id: "m\(n)", dueAt: due, lease: nil)
        }
        let paced = try await store.claimDue(
            owner: "d", now: 1010, leaseUntil: 1100, limit: 10,
            skippingChannels: [ChannelKey(account: "a", channelId: "c")])
        #expect(paced.isEmpty)
        let otherPaced = try await store.claimDue(
            owner: "d", now: 1010, leaseUntil: 1100, limit: 2,
            skippingChannels: [ChannelKey(account: "other", channelId: "c"), ChannelKey(account: "a", channelId: "x")])
        #expect(otherPaced.map(\.message.id) == ["m2", "m3"], "only the named (account, channel) pair is skipped")
        let rest = try await store.claimDue(owner: "d", now: 1010, leaseUntil: 1100, limit: 10, skippingChannels: [])
        #expect(rest.map(\.message.id) == ["m1"], "m4 is not due yet")
    }

    @Test(arguments: TestBackend.allCases)
    func releasingLeasesMakesJobsClaimableAtOnce(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", 9999))
        try await Self.accept(store, id: "m2", dueAt: 1000, lease: ("someone", 9999))
        try await store.releaseLeases(owner: "me")
        #expect(
            try await store.claimDue(owner: "x", now: 1001, leaseUntil: 1100, limit: 10, skippingChannels: [])
                .map(\.message.id) == ["m1"])
        try await store.releaseLeases(owner: nil)
        let all = try await store.claimDue(owner: "y", now: 1001, leaseUntil: 1100, limit: 10, skippingChannels: [])
        #expect(Set(all.map(\.message.id)) == ["m1", "m2"], "nil frees every lease (start-up of the only process)")
    }

    @Test(arguments: TestBackend.allCases)
    func aClaimedJobCannotBeCanceledButAFreeOneCan(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", Date().timeIntervalSince1970 + 60))
        try await Self.accept(store, id: "m2", dueAt: 1000, lease: nil)
        let now = Date().timeIntervalSince1970
        #expect(try await store.cancel(messageId: "m1", account: "a", now: now) == nil)
        #expect(try await store.cancel(messageId: "m2", account: "a", now: now)?.status == "canceled")
        #expect(try await store.cancel(messageId: "m2", account: "a", now: now) == nil, "canceled is final")
        await #expect(throws: ServiceError.self) {
            _ = try await store.cancel(messageId: "m2", account: "other-account", now: now)
        }
        #expect(try await stores.count("SELECT count(*) FROM outbox_job") == 1, "only m1's job is left")
    }

    @Test(arguments: TestBackend.allCases)
    func finishingRecordsTheAttemptAndRetryReleasesTheLease(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", 1100))
        let job = try #require(
            try await store.claimDue(owner: "me", now: 1101, leaseUntil: 1200, limit: 1, skippingChannels: []).first)
        let attempt = AttemptRecord(
            number: 1, startedAt: 1101, outcome: "retryable", httpStatus: 503, errorCode: "E503", latencyMs: 12)
        let message = try await store.finish(
            job, attempt: attempt, disposition: .retry(dueAt: 1150, errorCode: "E503", errorMessage: nil),
            carrierReplyExcerpt: nil, now: 1102)
        #expect(message.attempts == 1)
        #expect(message.nextAttemptAt == 1150)
        #expect(try await store.attempts(messageId: "m1", account: "a") == [attempt])
        #expect(
            try await store.claimDue(owner: "x", now: 1149, leaseUntil: 1300, limit: 1, skippingChannels: []).isEmpty)
        #expect(
            try await store.claimDue(owner: "x", now: 1150, leaseUntil: 1300, limit: 1, skippingChannels: []).count == 1
        )
        await #expect(throws: ServiceError.self) {
            _ = try await store.attempts(messageId: "m1", account: "other-account")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aStatusThatArrivedBeforeTheProviderIdIsAppliedWhenTheSendIsStored(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", 1100))
        try await stores.execute(
            """
            INSERT INTO pending_status (account_id, channel_id, provider_message_id, reference, status, error_code,
                error_message, received_at)
            VALUES ('a', 'c', 'prov-1', NULL, 'delivered', NULL, NULL, 1000.5),
                ('other', 'c', 'prov-1', NULL, 'failed', 'X', NULL, 1000.5)
            """)
        let job = try #require(
            try await store.claimDue(owner: "me", now: 1101, leaseUntil: 1200, limit: 1, skippingChannels: []).first)
        let attempt = AttemptRecord(
            number: 1, startedAt: 1001, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 3)
        let stored = try await store.finish(
            job, attempt: attempt, disposition: .accepted(providerMessageId: "prov-1", status: .sent),
            carrierReplyExcerpt: nil, now: 1002)
        #expect(stored.status == "delivered", "the early delivery report moved the message on")
        #expect(stored.providerMessageId == "prov-1")
        #expect(try await stores.count("SELECT count(*) FROM pending_status") == 1, "another account's is kept")
        #expect(try await stores.count("SELECT count(*) FROM outbox_job") == 0, "the job is done")
        #expect(
            try await store.claimDue(owner: "x", now: 2000, leaseUntil: 2100, limit: 5, skippingChannels: []).isEmpty)
    }

    @Test(arguments: TestBackend.allCases)
    func anIdempotencyKeyReturnsItsMessageAndRefusesAnotherBody(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        let store = stores.outbox
        let binding = IdempotencyBinding(key: "k1", requestHash: "hash-1", rememberedSince: 500)
        let first = try await store.accept(Self.lookup, idempotency: binding) { _ in
            Self.draft(id: "m1", dueAt: 1000, lease: nil)
        }
        guard case .accepted(let message, leased: false) = first else {
            Issue.record("first use: \(first)")
            return
        }
        let again = try await store.accept(Self.lookup, idempotency: binding) { _ in
            Self.draft(id: "m2", dueAt: 1000, lease: nil)
        }
        guard case .existing(let existing) = again else {
            Issue.record("second use: \(again)")
            return
        }
        #expect(existing.id == message.id)
        do {
            _ = try await store.accept(
                Self.lookup, idempotency: IdempotencyBinding(key: "k1", requestHash: "hash-2", rememberedSince: 500)
            ) { _ in Self.draft(id: "m3", dueAt: 1000, lease: nil) }
            Issue.record("a reused key with another body was accepted")
        } catch let error as ServiceError {
            #expect(error.code == "idempotency-key-reused" && error.status == 422)
        }
        // Forgotten (first used before rememberedSince): the request is new and takes the key over.
        let later = try await store.accept(
            Self.lookup, idempotency: IdempotencyBinding(key: "k1", requestHash: "hash-2", rememberedSince: 1001)
        ) { _ in Self.draft(id: "m4", dueAt: 1000, lease: nil) }
        guard case .accepted(let fresh, _) = later else {
            Issue.record("a forgotten key: \(later)")
            return
        }
        #expect(fresh.id == "m4")
        // A request refused by the rules stores nothing, not even its key.
        await #expect(throws: ServiceError.self) {
            _ = try await store.accept(
                Self.lookup, idempotency: IdempotencyBinding(key: "k2", requestHash: "h", rememberedSince: 0)
            ) { _ in throw ServiceError(status: 403, code: "opted-out", message: "no") }
        }
        #expect(try await stores.count("SELECT count(*) FROM idempotency_key WHERE key = 'k2'") == 0)
        #expect(try await stores.count("SELECT count(*) FROM message") == 2)
        #expect(try await stores.count("SELECT count(*) FROM conversation") == 1)
        // An opted-out recipient: the rules see it (whatever path the store takes) and nothing is stored.
        try await stores.execute(
            """
            INSERT INTO contact_opt_out (account_id, kind, contact_address, source, created_at)
            VALUES ('a', 'sms', '+15550001111', 'api', 1000)
            """)
        await #expect(throws: ServiceError.self) {
            _ = try await store.accept(
                Self.lookup, idempotency: IdempotencyBinding(key: "k3", requestHash: "h", rememberedSince: 0)
            ) { facts in
                if facts.optedOut { throw ServiceError(status: 403, code: "opted-out", message: "no") }
                return Self.draft(id: "m5", dueAt: 1000, lease: nil)
            }
        }
        #expect(try await stores.count("SELECT count(*) FROM idempotency_key WHERE key = 'k3'") == 0)
        #expect(try await stores.count("SELECT count(*) FROM message") == 2)
    }

    @Test(arguments: TestBackend.allCases)
    func theOperatorsSeeTheOutboxAndRetentionDeletesInBoundedChunks(_ backend: TestBackend) async throws {
        let stores = try await Self.stores(backend)
        defer { stores.close() }
        #expect(try await stores.operations.outboxState(now: 2000) == OutboxState(depth: 0, oldestDueAt: nil))
        try await Self.accept(stores.outbox, id: "m1", dueAt: 1500, lease: ("me", 9999))
        try await Self.accept(stores.outbox, id: "m2", dueAt: 5000, lease: nil)
        #expect(try await stores.operations.outboxState(now: 2000) == OutboxState(depth: 2, oldestDueAt: 1500))
        #expect(try await stores.operations.outboxState(now: 1000) == OutboxState(depth: 2, oldestDueAt: nil))

        try await stores.execute(
            """
            INSERT INTO idempotency_key (account_id, key, status, response, created_at, message_id, request_hash)
            VALUES ('a', 'old1', 1, '', 10, NULL, 'h'), ('a', 'old2', 1, '', 20, NULL, 'h'),
                ('a', 'old3', 1, '', 30, NULL, 'h'), ('a', 'new', 1, '', 100, NULL, 'h')
            """)
        #expect(try await stores.retention.deleteIdempotencyKeys(createdBefore: 50, limit: 2) == 2)
        #expect(try await stores.retention.deleteIdempotencyKeys(createdBefore: 50, limit: 2) == 1)
        #expect(try await stores.retention.deleteIdempotencyKeys(createdBefore: 50, limit: 2) == 0)
        #expect(try await stores.count("SELECT count(*) FROM idempotency_key") == 1)

        try await stores.execute(
            """
            INSERT INTO pending_status (account_id, channel_id, provider_message_id, status, received_at)
            VALUES ('a', 'c', 'p1', 'delivered', 10), ('a', 'c', 'p2', 'delivered', 20),
                ('a', 'c', 'p3', 'delivered', 100)
            """)
        #expect(try await stores.retention.deletePendingStatuses(receivedBefore: 50, limit: 1) == 1)
        #expect(try await stores.retention.deletePendingStatuses(receivedBefore: 50, limit: 5) == 1)
        #expect(try await stores.count("SELECT count(*) FROM pending_status") == 1)

        try await stores.execute(
            """
            INSERT INTO inbound_seen (account_id, channel_id, request_hash, received_at)
            VALUES ('a', 'c', 'r1', 10), ('a', 'c', 'r2', 20), ('a', 'c', 'r3', 100)
            """)
        #expect(try await stores.retention.deleteSeenWebhooks(receivedBefore: 50, limit: 5) == 2)
        #expect(try await stores.count("SELECT count(*) FROM inbound_seen") == 1)
    }

    // MARK: Several instances on one PostgreSQL database

    /// Two instances: two connection pools on one fresh database.
    static func twoInstances() async throws -> (Stores, Stores) {
        let url = try await PostgresTestCluster.freshDatabaseURL()
        let first = try await openPostgres(url: url)
        let second = try await openPostgres(url: url)
        return (postgresStores(first), postgresStores(second))
    }

    @Test func twoInstancesClaimingConcurrentlyNeverClaimTheSameJob() async throws {
        let (one, two) = try await Self.twoInstances()
        defer {
            one.close()
            two.close()
        }
        // 200 due jobs accepted through both instances at once, all to one contact: one conversation.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                let store = n % 2 == 0 ? one.outbox : two.outbox
                group.addTask {
                    try await Self.accept(
                        store, id: String(format: "m%03d", n), dueAt: 1000 + Double(n) / 1000, lease: nil)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await one.count("SELECT count(*) FROM outbox_job") == 200)
        #expect(try await two.count("SELECT count(*) FROM conversation") == 1, "the conversation upsert is atomic")

        // Four dispatchers per instance claim small batches until nothing is left.
        let claims = try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
            for instance in 0..<2 {
                for worker in 0..<4 {
                    let store = instance == 0 ? one.outbox : two.outbox
                    group.addTask {
                        var mine: [ClaimedJob] = []
                        while true {
                            let batch = try await store.claimDue(
                                owner: "i\(instance)-w\(worker)", now: 2000, leaseUntil: 9000, limit: 7,
                                skippingChannels: [])
                            if batch.isEmpty { return mine }
                            mine += batch
                        }
                    }
                }
            }
            var all: [ClaimedJob] = []
            for try await batch in group { all += batch }
            return all
        }
        let ids = claims.map(\.message.id)
        #expect(ids.count == 200, "every job claimed once: \(ids.count) claims")
        #expect(Set(ids).count == 200, "no job claimed twice")
        #expect(Set(claims.map(\.owner)).count > 1, "the work was shared")
        // Each job is leased to the dispatcher that was told it claimed it.
        let byOwner = Dictionary(grouping: claims, by: \.owner).mapValues(\.count)
        for (owner, claimed) in byOwner {
            #expect(
                try await one.count("SELECT count(*) FROM outbox_job WHERE lease_owner = '\(owner)'") == claimed)
        }
        #expect(try await one.count("SELECT count(*) FROM outbox_job WHERE lease_owner IS NULL") == 0)
    }

    @Test func aLateResultFromAnOwnerWhoseLeaseWasTakenOverChangesNothing() async throws {
        let (one, two) = try await Self.twoInstances()
        defer {
            one.close()
            two.close()
        }
        try await Self.accept(one.outbox, id: "m1", dueAt: 1000, lease: ("dead-instance", 1100))
        let takeover = try #require(
            try await two.outbox.claimDue(owner: "other", now: 1101, leaseUntil: 1200, limit: 1, skippingChannels: [])
                .first)
        let late = ClaimedJob(message: takeover.message, attempts: 0, owner: "dead-instance")
        let lateAttempt = AttemptRecord(
            number: 1, startedAt: 1000, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 101_000)
        let afterLate = try await one.outbox.finish(
            late, attempt: lateAttempt, disposition: .accepted(providerMessageId: "late", status: .sent),
            carrierReplyExcerpt: nil, now: 1102)
        #expect(afterLate.status == "queued" && afterLate.providerMessageId == nil)
        #expect(try await one.outbox.attempts(messageId: "m1", account: "a").isEmpty)
        #expect(try await one.count("SELECT count(*) FROM outbox_job WHERE lease_owner = 'other'") == 1)

        let attempt = AttemptRecord(
            number: 1, startedAt: 1101, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 5)
        let done = try await two.outbox.finish(
            takeover, attempt: attempt, disposition: .accepted(providerMessageId: "p-ok", status: .sent),
            carrierReplyExcerpt: nil, now: 1103)
        #expect(done.status == "sent" && done.providerMessageId == "p-ok")
        // The same result again (a retried store call) finds the job ended and changes nothing.
        let repeated = try await two.outbox.finish(
            takeover,
            attempt: AttemptRecord(
                number: 2, startedAt: 1104, outcome: "ok", httpStatus: 200, errorCode: nil, latencyMs: 5),
            disposition: .accepted(providerMessageId: "p-other", status: .sent), carrierReplyExcerpt: nil, now: 1104)
        #expect(repeated.providerMessageId == "p-ok")
        #expect(try await one.outbox.attempts(messageId: "m1", account: "a") == [attempt])
    }

    @Test func concurrentRequestsWithOneIdempotencyKeyOnTwoInstancesStoreOneMessage() async throws {
        let (one, two) = try await Self.twoInstances()
        defer {
            one.close()
            two.close()
        }
        func race(key: String, hash: @escaping @Sendable (Int) -> String) async -> [Result<AcceptOutcome, any Error>] {
            await withTaskGroup(of: Result<AcceptOutcome, any Error>.self) { group in
                for n in 0..<8 {
                    let store = n % 2 == 0 ? one.outbox : two.outbox
                    group.addTask {
                        let binding = IdempotencyBinding(key: key, requestHash: hash(n), rememberedSince: 0)
                        do {
                            return .success(
                                try await store.accept(Self.lookup, idempotency: binding) { _ in
                                    Self.draft(id: "\(key)-\(n)", dueAt: 5000, lease: nil)
                                })
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<AcceptOutcome, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
        }
        let same = await race(key: "k1") { _ in "one-body" }
        var accepted: [String] = []
        var existing: [String] = []
        for result in same {
            switch result {
            case .success(.accepted(let message, _)): accepted.append(message.id)
            case .success(.existing(let message)): existing.append(message.id)
            case .failure(let error): Issue.record("same body refused: \(error)")
            }
        }
        #expect(accepted.count == 1 && existing.count == 7)
        #expect(Set(existing) == Set(accepted), "every repeat answers with the one stored message")

        let different = await race(key: "k2") { n in "body-\(n)" }
        let stored = different.filter { if case .success(.accepted) = $0 { true } else { false } }
        let refused = different.filter {
            if case .failure(let error as ServiceError) = $0 { error.code == "idempotency-key-reused" } else { false }
        }
        #expect(stored.count == 1 && refused.count == 7)
        #expect(try await one.count("SELECT count(*) FROM message") == 2)
    }
}
