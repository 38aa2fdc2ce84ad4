import CarrierTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Two `carrier serve` processes on one PostgreSQL database, both taking `/send` and both dispatching: every message
/// reaches the carrier once; after `kill -9` of one, the other finishes its jobs once their leases run out.
@Suite(.timeLimit(.minutes(3)))
struct MultiInstanceTests {
    /// The carrier: 200 with a fresh id while up, 500 while down; counts the 200s per message reference.
    final class Carrier: Sendable {
        let up = Mutex(true)
        let accepted = Mutex<[String: Int]>([:])

        func answer(_ request: RecordedRequest) -> MockResponse {
            guard up.withLock({ $0 }) else { return .json(#"{"error":{"code":"DOWN"}}"#, status: 500) }
            let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            let reference = json?["ref"] as? String ?? "?"
            let count = accepted.withLock { counts -> Int in
                counts[reference, default: 0] += 1
                return counts[reference]!
            }
            return .json(#"{"id":"p-\#(reference)-\#(count)"}"#, status: 200)
        }
    }

    @Test func twoInstancesSendEachMessageOnceAndOneFinishesTheOtherAfterAKill() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-multi-\(UUID())")
        let carriers = directory.appendingPathComponent("carriers/acme")
        try FileManager.default.createDirectory(at: carriers, withIntermediateDirectories: true)
        try Self.writeAcme(to: carriers)
        let behaviour = Carrier()
        let carrier = try MockCarrierServer { behaviour.answer($0) }
        let database = try await PostgresTestServer.freshDatabaseURL()
        let configuration: [String: Any] = [
            "host": "127.0.0.1", "port": 0, "databaseURL": database,
            "apiKeys": ["literal:multi-key": ["account": "a", "scopes": ["messaging", "admin"]]],
            "channels": [
                [
                    "id": "c", "account": "a", "channel": "sms", "provider": "acme", "address": "+15550000001",
                    "settings": ["base_url": carrier.baseURL],
                ]
            ],
            "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true,
            // Leases run out 5 s after the kill; retries come back quickly.
            "leaseSeconds": 5, "sendWaitMs": 0, "maxSendAttempts": 1000, "retryBaseDelaySeconds": 0.2,
            "retryMaxDelaySeconds": 0.5,
        ]
        // The same configuration file twice: loading its keys and channels is idempotent, never a conflict.
        let (first, second) = try Self.startTwo(configuration, in: directory)
        defer {
            first.process.terminate()
            second.process.terminate()
        }

        // 800 messages through both APIs at once while the carrier is up.
        let upIds = try await Self.send(count: 800, offset: 0, through: [first, second])
        // 200 more while it answers 500 (retried by both); then one instance dies with jobs leased and due.
        behaviour.up.withLock { $0 = false }
        let downIds = try await Self.send(count: 200, offset: 800, through: [first, second])
        try await Task.sleep(nanoseconds: 400_000_000)
        first.kill9()
        behaviour.up.withLock { $0 = true }

        let ids = upIds + downIds
        var pending = Set(ids)
        let deadline = Date().addingTimeInterval(60)
        while !pending.isEmpty && Date() < deadline {
            for id in pending.prefix(200) {
                let (_, message) = try await second.call("GET", "/messages/\(id)")
                if message["status"] as? String == "sent" { pending.remove(id) }
            }
            if !pending.isEmpty { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        let accepted = behaviour.accepted.withLock { $0 }
        let twice = accepted.filter { $0.value > 1 }.count
        print(
            "multi-instance test: \(ids.count) accepted by two instances, \(ids.count - pending.count) sent, "
                + "\(accepted.count) distinct messages accepted by the carrier, \(twice) accepted twice")
        #expect(pending.isEmpty, "every message ends sent; left: \(pending.prefix(5))")
        #expect(Set(accepted.keys) == Set(ids), "each message reached the carrier")
        #expect(twice == 0, "no message was accepted by the carrier twice")
        let (status, queued) = try await second.call("GET", "/messages?status=queued&limit=10")
        #expect(status == 200)
        #expect((queued["messages"] as? [Any])?.isEmpty == true, "nothing is left queued")
        try? FileManager.default.removeItem(at: directory)
    }

    /// A channel changed or deleted through one instance is what the other uses for its next send, without waiting
    /// for its channel cache to expire (the change is announced on commit with NOTIFY).
    @Test func aChannelChangedOnOneInstanceIsUsedAtOnceByTheOther() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-multi-\(UUID())")
        let carriers = directory.appendingPathComponent("carriers/acme")
        try FileManager.default.createDirectory(at: carriers, withIntermediateDirectories: true)
        try Self.writeAcme(to: carriers)
        let old = try MockCarrierServer { _ in .json(#"{"id":"old-1"}"#) }
        let new = try MockCarrierServer { _ in .json(#"{"id":"new-1"}"#) }
        defer {
            old.stop()
            new.stop()
        }
        let configuration: [String: Any] = [
            "host": "127.0.0.1", "port": 0, "databaseURL": try await PostgresTestServer.freshDatabaseURL(),
            "apiKeys": ["literal:multi-key": ["account": "a", "scopes": ["messaging", "admin"]]],
            "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true,
        ]
        let (first, second) = try Self.startTwo(configuration, in: directory)
        defer {
            first.process.terminate()
            second.process.terminate()
        }
        let (created, body) = try await first.call(
            "POST", "/channels",
            json: [
                "id": "api", "channel": "sms", "provider": "acme", "address": "+15550000009",
                "settings": ["base_url": old.baseURL],
            ])
        #expect(created == 201, "\(body)")
        let message: [String: Any] = ["channelId": "api", "to": "+15552000001", "body": "hi"]
        let (sentBefore, before) = try await second.call("POST", "/send", json: message)
        #expect(sentBefore == 200 && before["providerMessageId"] as? String == "old-1", "\(before)")

        let (patched, patchBody) = try await first.call(
            "PATCH", "/channels/api", json: ["settings": ["base_url": new.baseURL]])
        #expect(patched == 200, "\(patchBody)")
        // The notification crosses on commit; well within a second, far below the 10 s cache lifetime.
        var provider: String?
        let deadline = Date().addingTimeInterval(2)
        while provider != "new-1" && Date() < deadline {
            let (_, after) = try await second.call("POST", "/send", json: message)
            provider = after["providerMessageId"] as? String
            if provider != "new-1" { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(provider == "new-1", "the second instance sends with the changed settings")

        let (deleted, _) = try await first.call("DELETE", "/channels/api")
        #expect(deleted == 200)
        var refused: String?
        let deleteDeadline = Date().addingTimeInterval(2)
        while refused != "unknown-channel" && Date() < deleteDeadline {
            let (_, after) = try await second.call("POST", "/send", json: message)
            refused = (after["error"] as? [String: Any])?["code"] as? String
            if refused != "unknown-channel" { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(refused == "unknown-channel", "the second instance no longer sends on the deleted channel")
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `configuration` to `directory` and starts two `carrier serve` processes on it (carriers from
    /// `directory/carriers`), both taking the key `multi-key`.
    static func startTwo(_ configuration: [String: Any], in directory: URL) throws
        -> (OutboxCrashTests.Service, OutboxCrashTests.Service)
    {
        let configPath = directory.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: configPath)
        let arguments = [
            "--config", configPath.path, "--carriers", directory.appendingPathComponent("carriers").path,
            "--log-level", "warning",
        ]
        let first = try OutboxCrashTests.Service.start(arguments: arguments, apiKey: "multi-key")
        do {
            return (first, try OutboxCrashTests.Service.start(arguments: arguments, apiKey: "multi-key"))
        } catch {
            first.process.terminate()
            throw error
        }
    }

    /// Sends `count` messages, alternating between the instances, 16 at a time; returns their ids.
    static func send(count: Int, offset: Int, through instances: [OutboxCrashTests.Service]) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            var ids: [String] = []
            var next = 0
            func add() {
                let n = offset + next
                let instance = instances[next % instances.count]
                next += 1
                group.addTask {
                    let (status, body) = try await instance.call(
                        "POST", "/send", json: ["channelId": "c", "to": "+1555\(2_000_000 + n)", "body": "multi \(n)"])
                    guard status == 202 || status == 200, let id = body["messageId"] as? String else {
                        throw MultiInstanceError.refused(status, body.description)
                    }
                    return id
                }
            }
            for _ in 0..<min(16, count) { add() }
            while let id = try await group.next() {
                ids.append(id)
                if next < count { add() }
            }
            return ids
        }
    }

    /// A small JSON carrier that sends `ref` (our message id) and retries 429 and 5xx.
    static func writeAcme(to directory: URL) throws {
        try Data(
            """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            limits: { timeoutMs: 2000, connectTimeoutMs: 500 }
            settings:
              base_url: { type: url }
            auth: { type: none }
            send:
              url: "{{ settings.base_url }}/messages"
              format: json
              body: { to: "{{ message.to }}", text: "{{ message.body }}", ref: "{{ message.reference }}" }
            response:
              messageId: id
              errorCode: error.code
              retry: { status: [429, 5xx] }
            """.utf8
        ).write(to: directory.appendingPathComponent("carrier.yaml"))
    }

    enum MultiInstanceError: Error { case refused(Int, String) }
}
