import CarrierRuntime
import Foundation
import Testing

@testable import CarrierService

/// The messaging rules reach storage only through the store protocols, and the inbound rules are pure functions.
@Suite struct StorageBoundaryTests {
    /// The folders that hold rules, not storage.
    static let ruleFolders = ["Messaging", "Outbox", "Webhooks"]

    @Test(arguments: ruleFolders) func ruleFoldersHoldNoSQL(folder: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CarrierService/\(folder)")
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        let markers = ["import GRDB", "Database)", "DirectStatement", ".fetchOne(", ".fetchAll(", "db.execute"]
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for marker in markers {
                #expect(!text.contains(marker), "\(folder)/\(file) contains \(marker)")
            }
        }
    }

    static let channel = ChannelRecord(
        id: "wa", accountId: "a", channel: "whatsapp", provider: "fake", address: "+15550000001", settings: [:],
        defaultQueue: "support", createdAt: 0, updatedAt: 0)

    @Test func aStopKeywordAddsAnOptOutAndOpensTheWindow() throws {
        let event = NormalizedEvent.MessageReceived(
            carrier: "fake", from: "+447700900001", text: "STOP", providerMessageId: "p1", optOut: "stop")
        let plan = try #require(
            MessagingEngine.planReceived(event, channel: Self.channel, alreadyStored: false, now: 100))
        #expect(plan.optOut == .add(kind: .whatsapp, address: "+447700900001", source: "keyword"))
        #expect(plan.conversation.reopens)
        #expect(plan.conversation.unreadIncrement == 1)
        #expect(plan.conversation.windowExpiresAt == 100 + MessagingEngine.windowSeconds)
        #expect(plan.conversation.queue == "support")
        #expect(plan.message.status == "received")
        #expect(plan.message.toAddress == "+15550000001")
        #expect(plan.message.conversationId.isEmpty)
    }

    @Test func aMessageAlreadyStoredIsNotStoredAgain() {
        let event = NormalizedEvent.MessageReceived(carrier: "fake", from: "+447700900001", text: "hi")
        #expect(MessagingEngine.planReceived(event, channel: Self.channel, alreadyStored: true, now: 1) == nil)
    }

    @Test func anOutboundMessageLeavesTheConversationAsItIs() {
        let touch = MessagingEngine.conversationTouch(
            account: "a", channelId: "wa", contact: "+1", now: 5, inbound: false, whatsapp: true)
        #expect(!touch.reopens)
        #expect(touch.unreadIncrement == 0)
        #expect(touch.windowExpiresAt == nil)
    }

    @Test func statusesOnlyMoveForward() throws {
        let delivered = SentMessageStatus(
            id: "m1", status: "delivered", providerMessageId: "SM1", errorCode: nil, errorMessage: nil, updatedAt: 1)
        let late = NormalizedEvent.MessageStatus(carrier: "fake", providerMessageId: "SM1", status: "sent")
        guard
            case .update(let kept, _, let changed) = MessagingEngine.planStatus(
                late, found: delivered, account: "a", channelId: "c", now: 2)
        else {
            Issue.record("a known message is updated")
            return
        }
        #expect(kept.status == "delivered")
        #expect(!changed)
        let failed = NormalizedEvent.MessageStatus(
            carrier: "fake", providerMessageId: "SM1", status: "read", providerStatus: "READ")
        guard
            case .update(let read, let word, true) = MessagingEngine.planStatus(
                failed, found: delivered, account: "a", channelId: "c", now: 3)
        else {
            Issue.record("delivered moves on to read")
            return
        }
        #expect(read.status == "read")
        #expect(word == "READ")
    }

    @Test func aStatusForAnUnknownMessageWaitsUnlessUnmapped() {
        let status = NormalizedEvent.MessageStatus(carrier: "fake", providerMessageId: "SM9", status: "delivered")
        guard
            case .keepPending(let pending) = MessagingEngine.planStatus(
                status, found: nil, account: "a", channelId: "c", now: 7)
        else {
            Issue.record("an unknown message's status is kept")
            return
        }
        #expect(pending.providerMessageId == "SM9")
        #expect(pending.receivedAt == 7)
        var unmapped = status
        unmapped.unmappedStatus = true
        guard case .ignore = MessagingEngine.planStatus(unmapped, found: nil, account: "a", channelId: "c", now: 7)
        else {
            Issue.record("an unmapped status of an unknown message is dropped")
            return
        }
    }

    @Test func partsAreJoinedOnlyWhenComplete() throws {
        let parts = [
            MessagingEngine.StoredPart(number: 1, to: "+1", body: "a", media: [], providerMessageId: "p1"),
            MessagingEngine.StoredPart(number: 2, to: nil, body: "b", media: ["u"], providerMessageId: "p2"),
        ]
        #expect(MessagingEngine.assembled(parts, total: 3, from: "+2", carrier: "x") == nil)
        let whole = try #require(MessagingEngine.assembled(parts, total: 2, from: "+2", carrier: "x"))
        #expect(whole.text == "ab")
        #expect(whole.media == ["u"])
        #expect(whole.providerMessageId == "p1")
        #expect(whole.optOut == "none")
    }

    @Test func aReplayIsOnlyARepeatWithinTheWindow() {
        #expect(!MessagingEngine.isReplay(seenAt: nil, now: 10))
        #expect(MessagingEngine.isReplay(seenAt: 10, now: 10 + MessagingEngine.replayWindowSeconds - 1))
        #expect(!MessagingEngine.isReplay(seenAt: 10, now: 10 + MessagingEngine.replayWindowSeconds))
    }
}
