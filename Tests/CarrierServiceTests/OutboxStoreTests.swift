import Foundation
import GRDB
import Testing

@testable import CarrierService

/// The outbox storage contract itself, on a real SQLite file: leases, their expiry, release, cancel. A second
/// backend must pass the same cases.
@Suite struct OutboxStoreTests {
    static func store() throws -> SQLiteOutboxStore {
        let pool = try ServiceDatabase.open(path: try TestServer.temporaryDatabasePath())
        return SQLiteOutboxStore(database: pool, writer: GroupCommitWriter(pool: pool))
    }

    static func accept(
        _ store: SQLiteOutboxStore, id: String, dueAt: Double, lease: (owner: String, until: Double)?
    ) async throws {
        let lookup = SendLookup(
            account: "a", channelId: "c", contact: "+15550001111", optOutKind: .sms, templateName: nil,
            templateLanguage: nil,
            readsWindow: false)
        _ = try await store.accept(lookup, idempotency: nil) { _ in
            var message = MessageRecord(
                id: id, accountId: "a", conversationId: "", channelId: "c", direction: "outbound",
                fromAddress: "+15550000001", toAddress: "+15550001111", body: "x", media: [],
                status: MessageStatus.queued.rawValue, providerMessageId: nil, templateName: nil, segments: 1,
                errorCode: nil, errorMessage: nil, reference: nil, confirmed: false, createdAt: 1000, updatedAt: 1000)
            message.expiresAt = 1_000_000
            return OutboundDraft(message: message, dueAt: dueAt, lease: lease)
        }
    }

    @Test func aLeasedJobIsClaimedByAnotherOwnerOnlyAfterItsLeaseRunsOut() async throws {
        let store = try Self.store()
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

    @Test func claimsAreInDueOrderSkipPacedChannelsAndRespectTheLimit() async throws {
        let store = try Self.store()
        for (n, due) in [(1, 1003.0), (2, 1001.0), (3, 1002.0), (4, 5000.0)] {
            try await Self.accept(store, id: "m\(n)", dueAt: due, lease: nil)
        }
        let paced = try await store.claimDue(
            owner: "d", now: 1010, leaseUntil: 1100, limit: 10, skippingChannels: [ChannelKey(account: "a", channelId: "c")])
        #expect(paced.isEmpty)
        let two = try await store.claimDue(owner: "d", now: 1010, leaseUntil: 1100, limit: 2, skippingChannels: [])
        #expect(two.map(\.message.id) == ["m2", "m3"])
        let rest = try await store.claimDue(owner: "d", now: 1010, leaseUntil: 1100, limit: 10, skippingChannels: [])
        #expect(rest.map(\.message.id) == ["m1"], "m4 is not due yet")
    }

    @Test func releasingLeasesMakesJobsClaimableAtOnce() async throws {
        let store = try Self.store()
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", 9999))
        try await Self.accept(store, id: "m2", dueAt: 1000, lease: ("someone", 9999))
        try await store.releaseLeases(owner: "me")
        #expect(try await store.claimDue(owner: "x", now: 1001, leaseUntil: 1100, limit: 10, skippingChannels: [])
            .map(\.message.id) == ["m1"])
        try await store.releaseLeases(owner: nil)
        let all = try await store.claimDue(owner: "y", now: 1001, leaseUntil: 1100, limit: 10, skippingChannels: [])
        #expect(Set(all.map(\.message.id)) == ["m1", "m2"], "nil frees every lease (start-up of the only process)")
    }

    @Test func aClaimedJobCannotBeCanceledButAFreeOneCan() async throws {
        let store = try Self.store()
        try await Self.accept(store, id: "m1", dueAt: 1000, lease: ("me", Date().timeIntervalSince1970 + 60))
        try await Self.accept(store, id: "m2", dueAt: 1000, lease: nil)
        let now = Date().timeIntervalSince1970
        #expect(try await store.cancel(messageId: "m1", account: "a", now: now) == nil)
        #expect(try await store.cancel(messageId: "m2", account: "a", now: now)?.status == "canceled")
        await #expect(throws: ServiceError.self) {
            _ = try await store.cancel(messageId: "m2", account: "other-account", now: now)
        }
    }

    @Test func finishingRecordsTheAttemptAndRetryReleasesTheLease() async throws {
        let store = try Self.store()
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
        #expect(try await store.claimDue(owner: "x", now: 1149, leaseUntil: 1300, limit: 1, skippingChannels: []).isEmpty)
        #expect(try await store.claimDue(owner: "x", now: 1150, leaseUntil: 1300, limit: 1, skippingChannels: []).count == 1)
    }
}
