import CarrierRuntime
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CarrierService

/// The races of the inbound and webhook stores on PostgreSQL: two instances (two pools on one database) doing the
/// same thing at the same moment. The single-instance behaviour runs through the whole service suite on PostgreSQL.
///
/// One test at a time, on small pools: the service suite runs beside it on the same server, and every test's pools
/// count against the server's connection limit.
@Suite(.serialized) struct PostgresInboundWebhookStoreTests {
    /// Two instances of the service on one fresh database.
    struct Instances {
        var one: PostgresServiceDatabase
        var two: PostgresServiceDatabase
        var both: [PostgresServiceDatabase] { [one, two] }

        func close() {
            one.close()
            two.close()
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "pg-inbound-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func instances() async throws -> Instances {
        let url = try await PostgresTestCluster.freshDatabaseURL()
        let one = try await PostgresServiceDatabase.open(url: url, maximumConnections: 4, logger: logger)
        let two = try await PostgresServiceDatabase.open(url: url, maximumConnections: 4, logger: logger)
        return Instances(one: one, two: two)
    }

    static let channel = ChannelRecord(
        id: "sms1", accountId: "acct", channel: "sms", provider: "vonage", address: "+15550001000", settings: [:],
        defaultQueue: nil, createdAt: 1, updatedAt: 1)

    /// Runs one `SELECT count(*) ...`.
    static func count(_ database: PostgresServiceDatabase, _ query: PostgresQuery) async throws -> Int {
        try await database.read { connection in
            for try await value in try await connection.query(query, logger: logger).decode(Int.self) {
                return value
            }
            return 0
        }
    }

    static func received(
        from: String = "+15550002000", text: String, providerId: String? = nil, optOut: String = "none",
        part: (reference: String, total: Int, number: Int)? = nil
    ) -> NormalizedEvent {
        .received(
            NormalizedEvent.MessageReceived(
                carrier: "vonage", from: from, to: "+15550001000", text: text, providerMessageId: providerId,
                optOut: optOut, part: part))
    }

    // MARK: Inbound

    @Test func theLastTwoPartsArrivingOnTwoInstancesAtOnceAssembleOneMessage() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        _ = try await PostgresAdminStore(database: instances.one).createChannel(Self.channel)
        let stores = instances.both.map { PostgresInboundStore(database: $0) }
        let rounds = 12
        for round in 0..<rounds {
            let reference = "ref-\(round)"
            try await stores[0].apply(
                InboundWebhook(
                    channel: Self.channel, events: [Self.received(text: "a", part: (reference, 3, 1))],
                    requestHash: nil, now: 10))
            // Parts 2 and 3 on different instances in the same instant: whichever commits second sees all three.
            async let second: Void = stores[0].apply(
                InboundWebhook(
                    channel: Self.channel, events: [Self.received(text: "b", part: (reference, 3, 2))],
                    requestHash: nil, now: 11))
            async let third: Void = stores[1].apply(
                InboundWebhook(
                    channel: Self.channel, events: [Self.received(text: "c", part: (reference, 3, 3))],
                    requestHash: nil, now: 11))
            _ = try await (second, third)
        }
        let bodies = try await instances.one.read { connection in
            var bodies: [String] = []
            for try await body in try await connection.query(
                "SELECT body FROM message WHERE direction = 'inbound'", logger: Self.logger
            ).decode(String.self) {
                bodies.append(body)
            }
            return bodies
        }
        #expect(bodies == Array(repeating: "abc", count: rounds))
        #expect(
            try await Self.count(instances.one, "SELECT count(*) FROM message_part WHERE assembled_at IS NULL") == 0)
        // Every message of the contact in one conversation, each counted unread once.
        let unread = try await Self.count(
            instances.one, "SELECT coalesce(sum(unread_count), 0)::bigint FROM conversation")
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM conversation") == 1)
        #expect(unread == rounds)
        // A part the carrier sends again after assembly starts no new message.
        try await stores[1].apply(
            InboundWebhook(
                channel: Self.channel, events: [Self.received(text: "c", part: ("ref-0", 3, 3))], requestHash: nil,
                now: 12))
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message") == rounds)
    }

    @Test func firstMessagesOfManyContactsOnTwoInstancesShareOneConversationEach() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        _ = try await PostgresAdminStore(database: instances.one).createChannel(Self.channel)
        let stores = instances.both.map { PostgresInboundStore(database: $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for contact in 0..<10 {
                for copy in 0..<4 {
                    group.addTask {
                        try await stores[copy % 2].apply(
                            InboundWebhook(
                                channel: Self.channel,
                                events: [Self.received(from: "+1555000\(3000 + contact)", text: "hi \(copy)")],
                                requestHash: nil, now: 20))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM conversation") == 10)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message") == 40)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM conversation WHERE unread_count = 4") == 10)
        // Every message points at its contact's conversation.
        #expect(
            try await Self.count(
                instances.one,
                """
                SELECT count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id
                WHERE c.contact_address = m.from_address
                """) == 40)
    }

    @Test func aResendOrReplayReachingBothInstancesAtOnceIsStoredOnce() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        _ = try await PostgresAdminStore(database: instances.one).createChannel(Self.channel)
        let stores = instances.both.map { PostgresInboundStore(database: $0) }
        // The same provider id on both instances (a carrier's retry after a timeout), a STOP among them.
        let resend = InboundWebhook(
            channel: Self.channel, events: [Self.received(text: "STOP", providerId: "prov-1", optOut: "stop")],
            requestHash: nil, now: 30)
        // The same request without provider ids (a replay guarded by its hash).
        let replay = InboundWebhook(
            channel: Self.channel, events: [Self.received(text: "hello")], requestHash: "hash-1", now: 30)
        async let a: Void = stores[0].apply(resend)
        async let b: Void = stores[1].apply(resend)
        async let c: Void = stores[0].apply(replay)
        async let d: Void = stores[1].apply(replay)
        _ = try await (a, b, c, d)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message WHERE body = 'STOP'") == 1)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message WHERE body = 'hello'") == 1)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM contact_opt_out") == 1)
        // Past the replay window the same request is new again.
        var later = replay
        later.now = 30 + MessagingEngine.replayWindowSeconds + 1
        try await stores[1].apply(later)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message WHERE body = 'hello'") == 2)
    }

    @Test func overduePartsSweptByTwoInstancesAtOnceAreStoredOnce() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        _ = try await PostgresAdminStore(database: instances.one).createChannel(Self.channel)
        let stores = instances.both.map { PostgresInboundStore(database: $0) }
        for reference in ["x", "y", "z"] {
            try await stores[0].apply(
                InboundWebhook(
                    channel: Self.channel, events: [Self.received(text: "p1-" + reference, part: (reference, 2, 1))],
                    requestHash: nil, now: 40))
        }
        async let first = stores[0].storeOverdueParts(waitingBefore: 100, assembledBefore: 0, limit: 10, now: 100)
        async let second = stores[1].storeOverdueParts(waitingBefore: 100, assembledBefore: 0, limit: 10, now: 100)
        let (x, y) = try await (first, second)
        // A sweep may skip a set the other holds (and find it done later): never both store one.
        #expect(x + y <= 3)
        let rest = try await stores[0].storeOverdueParts(waitingBefore: 100, assembledBefore: 0, limit: 10, now: 100)
        #expect(x + y + rest == 3)
        #expect(
            try await Self.count(instances.one, "SELECT count(*) FROM message WHERE error_code = 'parts-missing'") == 3)
        // Assembled parts are deleted once they are old enough.
        _ = try await stores[1].storeOverdueParts(waitingBefore: 0, assembledBefore: 101, limit: 10, now: 200)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message_part") == 0)
    }

    /// Stores an outbound message as `/send` leaves it, in a conversation of its own contact.
    static func storeOutbound(
        _ database: PostgresServiceDatabase, id: String, providerId: String?, status: String = "sent"
    ) async throws {
        try await database.transaction { connection in
            let touch = MessagingEngine.conversationTouch(
                account: "acct", channelId: "sms1", contact: "+1555" + id, now: 1, inbound: false, whatsapp: false)
            let conversation = try await PostgresInboundStore.upsertConversation(connection, touch, logger: Self.logger)
            let message = MessageRecord(
                id: id, accountId: "acct", conversationId: conversation, channelId: "sms1", direction: "outbound",
                fromAddress: "+15550001000", toAddress: "+1555" + id, body: "hi", media: [], status: status,
                providerMessageId: providerId, templateName: nil, segments: 1, errorCode: nil, errorMessage: nil,
                reference: nil, confirmed: false, createdAt: 1, updatedAt: 1, callbackUrl: "https://cb.example/s")
            try await connection.query(try PostgresRowEncoder.insert(message, into: "message"), logger: Self.logger)
        }
    }

    static func status(_ status: String, providerId: String? = nil, reference: String? = nil, unmapped: Bool = false)
        -> NormalizedEvent
    {
        .status(
            NormalizedEvent.MessageStatus(
                carrier: "vonage", providerMessageId: providerId, reference: reference, status: status,
                providerStatus: unmapped ? "buffered" : status, unmappedStatus: unmapped))
    }

    @Test func statusesRacingOnTwoInstancesOnlyMoveForwardAndUnknownOnesWait() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        _ = try await PostgresAdminStore(database: instances.one).createChannel(Self.channel)
        let stores = instances.both.map { PostgresInboundStore(database: $0) }
        let count = 10
        for n in 0..<count { try await Self.storeOutbound(instances.one, id: "m\(n)", providerId: "p\(n)") }
        // A late `sent` and a `delivered` for the same message on two instances at once: whichever order they
        // commit in, the message ends delivered, and one status change is reported.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<count {
                for (index, status) in ["delivered", "sent"].enumerated() {
                    group.addTask {
                        try await stores[(n + index) % 2].apply(
                            InboundWebhook(
                                channel: Self.channel, events: [Self.status(status, providerId: "p\(n)")],
                                requestHash: nil, now: 5))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM message WHERE status = 'delivered'") == count)
        #expect(
            try await Self.count(
                instances.one,
                "SELECT count(*) FROM webhook_delivery WHERE event_type = 'message.status' AND url = 'https://cb.example/s'"
            )
                == count)
        // An unmapped word is kept as the provider's status and changes nothing else.
        try await stores[0].apply(
            InboundWebhook(
                channel: Self.channel, events: [Self.status("sent", providerId: "p0", unmapped: true)],
                requestHash: nil, now: 6))
        #expect(
            try await Self.count(
                instances.one,
                "SELECT count(*) FROM message WHERE id = 'm0' AND status = 'delivered' AND provider_status = 'buffered'"
            )
                == 1)
        // By our reference when the carrier's id is not stored yet: the id is learnt from the callback.
        try await Self.storeOutbound(instances.one, id: "r1", providerId: nil)
        try await stores[1].apply(
            InboundWebhook(
                channel: Self.channel, events: [Self.status("failed", providerId: "p-r1", reference: "r1")],
                requestHash: nil, now: 7))
        #expect(
            try await Self.count(
                instances.one,
                "SELECT count(*) FROM message WHERE id = 'r1' AND status = 'failed' AND provider_message_id = 'p-r1'")
                == 1)
        // A status for a message not known (yet) waits; an unmapped one for it is dropped.
        try await stores[0].apply(
            InboundWebhook(
                channel: Self.channel,
                events: [
                    Self.status("delivered", providerId: "p-later"),
                    Self.status("sent", providerId: "p-later", unmapped: true),
                ],
                requestHash: nil, now: 8))
        #expect(
            try await Self.count(
                instances.one,
                "SELECT count(*) FROM pending_status WHERE provider_message_id = 'p-later' AND status = 'delivered'")
                == 1)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM pending_status") == 1)
    }

    // MARK: Webhook deliveries

    static func endpoint(id: String, account: String = "acct") -> WebhookEndpointRecord {
        WebhookEndpointRecord(
            id: id, accountId: account, url: "https://hooks.example/\(id)", events: ["message.received"],
            channelId: nil, secret: "sealed-\(id)", previousSecret: nil, previousSecretUntil: nil, enabled: true,
            disabledReason: nil, failingSince: nil, createdAt: 1, updatedAt: 1)
    }

    static func delivery(_ number: Int, endpointId: String?, dueAt: Double = 5) -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            id: String(format: "whd-%04d", number), accountId: "acct", endpointId: endpointId,
            url: "https://hooks.example/x", eventId: "evt-\(number)", eventType: "message.received", messageId: nil,
            sequence: 1, payload: "{}", status: "pending", attempts: 0, dueAt: dueAt, leaseOwner: nil,
            leaseUntil: nil, lastHttpStatus: nil, lastError: nil, lastLatencyMs: nil, createdAt: Double(number),
            updatedAt: 1, deliveredAt: nil)
    }

    static func insert(_ database: PostgresServiceDatabase, _ deliveries: [WebhookDeliveryRecord]) async throws {
        try await database.transaction { connection in
            for delivery in deliveries {
                try await connection.query(
                    try PostgresRowEncoder.insert(delivery, into: "webhook_delivery"), logger: Self.logger)
            }
        }
    }

    @Test func twoDeliverersClaimingAHundredDueDeliveriesNeverShareOne() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        let stores = instances.both.map { PostgresWebhookStore(database: $0) }
        try await stores[0].insertEndpoint(Self.endpoint(id: "ep1"))
        try await Self.insert(instances.one, (0..<100).map { Self.delivery($0, endpointId: "ep1") })

        /// Claims until nothing is left, a few at a time, as a deliverer does.
        @Sendable func drain(_ store: PostgresWebhookStore, owner: String) async throws -> [String] {
            var ids: [String] = []
            while true {
                let batch = try await store.claimDue(owner: owner, now: 10, leaseUntil: 70, limit: 7)
                if batch.isEmpty { return ids }
                #expect(batch.allSatisfy { $0.delivery.leaseOwner == owner && $0.secretScope == "webhook:ep1" })
                #expect(batch.allSatisfy { $0.sealedSecrets == ["sealed-ep1"] })
                ids += batch.map(\.delivery.id)
            }
        }
        async let a = drain(stores[0], owner: "A")
        async let b = drain(stores[1], owner: "B")
        let (byA, byB) = try await (a, b)
        #expect(byA.count + byB.count == 100)
        #expect(Set(byA + byB).count == 100)
        #expect(Set(byA).isDisjoint(with: byB))
        #expect(
            try await Self.count(instances.one, "SELECT count(*) FROM webhook_delivery WHERE lease_owner = 'A'")
                == byA.count)
        // All leased: nothing is due until the leases run out or are released.
        #expect(try await stores[1].nextDueAt(now: 10) == nil)
        #expect(try await stores[1].nextDueAt(now: 71) == 5)
        // A deliverer releases its leases as it stops, from its cancelled task: they are released all the same.
        let stopping = Task { [store = stores[0]] in
            while !Task.isCancelled { await Task.yield() }
            try await store.releaseLeases(owner: "A")
        }
        stopping.cancel()
        try await stopping.value
        #expect(try await stores[1].nextDueAt(now: 10) == (byA.isEmpty ? nil : 5))
        let again = try await stores[1].claimDue(owner: "B", now: 10, leaseUntil: 70, limit: 200)
        #expect(Set(again.map(\.delivery.id)) == Set(byA))
    }

    @Test func concurrentFirstCallbackSecretsAreTheSameSecret() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        let stores = instances.both.map { PostgresWebhookStore(database: $0) }
        let secrets = try await withThrowingTaskGroup(of: CallbackSecretRecord.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await stores[index % 2].callbackSecret(account: "acct", now: 1) {
                        "sealed-" + UUID().uuidString
                    }
                }
            }
            var records: [CallbackSecretRecord] = []
            for try await record in group { records.append(record) }
            return records
        }
        #expect(secrets.count == 8)
        #expect(Set(secrets.map(\.secret)).count == 1)
        #expect(try await Self.count(instances.one, "SELECT count(*) FROM webhook_callback_secret") == 1)
        // A rotation keeps the old secret signing for a while; rotating to the same secret changes nothing else.
        let rotated = try await stores[1].rotateCallbackSecret(
            account: "acct", sealed: "new", previousUntil: 50, now: 2)
        #expect(
            rotated.secret == "new" && rotated.previousSecret == secrets[0].secret && rotated.previousSecretUntil == 50)
        let same = try await stores[0].rotateCallbackSecret(account: "acct", sealed: "new", previousUntil: 90, now: 3)
        #expect(same.previousSecret == secrets[0].secret && same.previousSecretUntil == 50 && same.updatedAt == 3)
        #expect(try await stores[0].callbackSecret(account: "acct", now: 4) { "unused" } == same)
        // A first rotation creates the secret.
        let fresh = try await stores[0].rotateCallbackSecret(account: "other", sealed: "s1", previousUntil: 9, now: 5)
        #expect(fresh.secret == "s1" && fresh.previousSecret == nil)
    }

    @Test func disablingAnEndpointFailsItsPendingDeliveriesAndReplayMakesOneDueAgain() async throws {
        let instances = try await Self.instances()
        defer { instances.close() }
        let store = PostgresWebhookStore(database: instances.one)
        try await store.insertEndpoint(Self.endpoint(id: "ep1"))
        try await store.insertEndpoint(Self.endpoint(id: "ep2", account: "other"))
        try await Self.insert(
            instances.one,
            (0..<4).map { Self.delivery($0, endpointId: "ep1", dueAt: Double($0)) }
                + [Self.delivery(9, endpointId: nil, dueAt: 9)])
        // A callback delivery of an account with no callback secret cannot be signed: it fails at its claim.
        let claimed = try await store.claimDue(owner: "A", now: 10, leaseUntil: 70, limit: 10)
        #expect(claimed.count == 4)
        let callback = try await Self.count(
            instances.one,
            "SELECT count(*) FROM webhook_delivery WHERE id = 'whd-0009' AND last_error = 'no-callback-secret'")
        #expect(callback == 1)
        try await store.finish(
            claimed[0], outcome: .delivered(httpStatus: 200, latencyMs: 3), endpoint: .healthy, now: 11)
        try await store.finish(
            claimed[1], outcome: .failed(httpStatus: 410, error: "http-410", latencyMs: 3),
            endpoint: .disable(reason: "gone"), now: 12)
        let endpoint = try #require(try await store.endpoint(id: "ep1", account: "acct"))
        #expect(!endpoint.enabled && endpoint.disabledReason == "gone" && endpoint.failingSince == 12)
        let listed = try #require(try await store.deliveries(endpointId: "ep1", account: "acct", limit: 10))
        #expect(listed.map(\.id) == ["whd-0003", "whd-0002", "whd-0001", "whd-0000"])
        #expect(listed.map(\.status) == ["failed", "failed", "failed", "delivered"])
        #expect(listed[1].lastError == "endpoint-disabled" && listed[2].lastHttpStatus == 410)
        // Another account sees neither the endpoint nor its deliveries, and cannot replay them.
        #expect(try await store.deliveries(endpointId: "ep1", account: "other", limit: 10) == nil)
        #expect(try await store.replay(deliveryId: "whd-0000", endpointId: "ep1", account: "other", now: 13) == nil)
        #expect(try await store.endpoint(id: "ep1", account: "other") == nil)
        #expect(try await store.deleteEndpoint(id: "ep1", account: "other") == false)
        // Enabled again, a replayed delivery is due now with the same event id.
        let enabled = try await store.updateEndpoint(id: "ep1", account: "acct") { endpoint in
            endpoint.enabled = true
            endpoint.disabledReason = nil
        }
        #expect(enabled?.enabled == true)
        let replayed = try #require(
            try await store.replay(deliveryId: "whd-0000", endpointId: "ep1", account: "acct", now: 14))
        #expect(replayed.status == "pending" && replayed.dueAt == 14 && replayed.eventId == "evt-0")
        #expect(try await store.nextDueAt(now: 14) == 14)
        #expect(
            try await store.claimDue(owner: "B", now: 14, leaseUntil: 80, limit: 10).map(\.delivery.id) == ["whd-0000"])
        #expect(try await store.endpoints(account: "acct").map(\.id) == ["ep1"])
        #expect(try await store.deleteEndpoint(id: "ep1", account: "acct"))
        #expect(
            try await Self.count(instances.one, "SELECT count(*) FROM webhook_delivery WHERE endpoint_id = 'ep1'") == 0)
    }
}
