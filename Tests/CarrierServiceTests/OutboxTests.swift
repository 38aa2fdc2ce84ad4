import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

/// Store and forward over real HTTP: the real runtime (libcurl) against a mock carrier on 127.0.0.1 whose behaviour
/// each test switches, and the service's dispatcher in the background.
@Suite(.timeLimit(.minutes(1)))
struct OutboxTests {
    /// How the mock carrier answers the next requests.
    enum Mode: Sendable {
        case ok
        case status(Int)
        /// Answers after this many milliseconds (beyond the definition's 400 ms timeout: a read timeout).
        case slow(Int)
    }

    /// A mock carrier that answers by mode and counts requests per message reference.
    final class Carrier: Sendable {
        final class Behaviour: Sendable {
            /// Modes for the next requests, in order; then `fallback`.
            let next = Mutex<[Mode]>([])
            let fallback: Mutex<Mode>
            let counter = Mutex(0)
            init(_ fallback: Mode) { self.fallback = Mutex(fallback) }

            func answer(_ request: RecordedRequest) -> MockResponse {
                let n = counter.withLock { value -> Int in
                    value += 1
                    return value
                }
                let mode = next.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? fallback.withLock { $0 }
                let reference = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["ref"]
                let id = "p-\(reference as? String ?? "?")-\(n)"
                switch mode {
                case .ok: return .json(#"{"id":"\#(id)"}"#, status: 200)
                case .status(let status): return .json(#"{"error":{"code":"E\#(status)"}}"#, status: status)
                case .slow(let ms):
                    var response = MockResponse.json(#"{"id":"\#(id)"}"#, status: 200)
                    response.delayMs = ms
                    return response
                }
            }
        }

        let behaviour: Behaviour
        let server: MockCarrierServer

        init(port: Int = 0, _ initial: Mode = .ok) throws {
            let behaviour = Behaviour(initial)
            self.behaviour = behaviour
            server = try MockCarrierServer(port: port) { behaviour.answer($0) }
        }

        /// Queues modes for the next requests.
        func then(_ modes: Mode...) { behaviour.next.withLock { $0 += modes } }

        /// Requests per message reference.
        var requestsByReference: [String: Int] {
            var counts: [String: Int] = [:]
            for request in server.requests {
                let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
                counts[json?["ref"] as? String ?? "?", default: 0] += 1
            }
            return counts
        }
    }

    static func definition(id: String, extra: String = "") -> String {
        """
        formatVersion: 1
        id: \(id)
        name: \(id)
        channels: [sms]
        limits: { timeoutMs: 400, connectTimeoutMs: 300 }
        settings:
          api_key: { type: secret }
          base_url: { type: url }
        auth: { type: bearer, token: "{{ settings.api_key }}" }
        send:
          url: "{{ settings.base_url }}/messages"
          format: json
          body:
            to: "{{ message.to }}"
            text: "{{ message.body }}"
            ref: "{{ message.reference }}"
            cref?: "{{ message.clientReference }}"
        \(extra)
        response:
          messageId: id
          errorCode: error.code
          retry: { status: [429, 5xx] }
        """
    }

    static func table() throws -> AdapterTable {
        let inputs = [
            InputFile(path: "acme/carrier.yaml", bytes: Array(definition(id: "acme").utf8)),
            InputFile(
                path: "dedupe/carrier.yaml",
                bytes: Array(definition(id: "dedupe", extra: "  deduplicatesByReference: true").utf8)),
        ]
        let result = compileAdapterTable(inputs)
        return try #require(result.table, "\(result.diagnostics)")
    }

    static func configuration(
        databasePath: String, carrierURL: String, sendWaitMs: Int = 3000, ratePerSecond: Double? = nil,
        maxSendAttempts: Int = 5
    ) -> ServiceConfiguration {
        let settings = ["api_key": "literal:sk-outbox-secret", "base_url": carrierURL]
        return ServiceConfiguration(
            host: "127.0.0.1", port: 0, databasePath: databasePath,
            apiKeys: [
                "literal:" + TestServer.key: .init(account: "acct-1", scopes: ["messaging", "admin"]),
                "literal:" + Self.otherAccountKey: .init(account: "acct-2", scopes: ["messaging", "admin"]),
                "literal:" + Self.adminOnlyKey: .init(account: "acct-1", scopes: ["admin"]),
            ],
            channels: [
                .init(
                    id: "sms", account: "acct-1", channel: "sms", provider: "acme", address: "+15550000001",
                    settings: settings, ratePerSecond: ratePerSecond),
                .init(
                    id: "dd", account: "acct-1", channel: "sms", provider: "dedupe", address: "+15550000002",
                    settings: settings),
            ],
            maxSendAttempts: maxSendAttempts, retryBaseDelaySeconds: 0.05, retryMaxDelaySeconds: 0.2, sendWaitMs: sendWaitMs)
    }

    static func withService(
        carrierURL: String, sendWaitMs: Int = 3000, ratePerSecond: Double? = nil, maxSendAttempts: Int = 5,
        databasePath: String? = nil, _ body: (TestServer) async throws -> Void
    ) async throws {
        let path = try databasePath ?? TestServer.temporaryDatabasePath()
        let transport = try CurlTransport()
        try await TestServer.running(
            gateway: AdapterGateway(table: try table(), transport: transport), databasePath: path,
            configuration: configuration(
                databasePath: path, carrierURL: carrierURL, sendWaitMs: sendWaitMs, ratePerSecond: ratePerSecond,
                maxSendAttempts: maxSendAttempts), body)
    }

    static let to = "+15551230000"
    static let otherAccountKey = "outbox-other-account"
    static let adminOnlyKey = "outbox-admin-only"

    // MARK: Outcomes of the first attempt

    @Test func aCarrierThatIsDownGets202ThenExactlyOneRequestWhenItIsBack() async throws {
        // A port bound but not listening: connections are refused before any request is written, and no other test's
        // server can be given the port meanwhile.
        let reserved = try ReservedPort()
        let port = reserved.port
        defer { reserved.release() }
        try await Self.withService(carrierURL: "http://127.0.0.1:\(port)") { server in
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "down"])
            #expect(answer.status == 202, "\(answer.text)")
            #expect(answer.json["status"] as? String == "queued")
            let id = try #require(answer.json["messageId"] as? String)
            let queued = try await server.message(id)
            #expect(queued["attempts"] as? Int ?? 0 >= 1)
            #expect(queued["nextAttemptAt"] is Double)
            let carrier = try Carrier(port: port)  // SO_REUSEADDR: binds beside the reservation and listens
            let sent = try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
            #expect((sent["providerMessageId"] as? String)?.hasPrefix("p-\(id)") == true)
            #expect(carrier.requestsByReference == [id: 1], "exactly one request reached the carrier")
        }
    }

    @Test func aServerErrorThenSuccessIsTwoAttemptsForOneMessage() async throws {
        let carrier = try Carrier()
        carrier.then(.status(500))
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "retry me"])
            #expect(answer.status == 202)
            let id = try #require(answer.json["messageId"] as? String)
            try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
            #expect(carrier.requestsByReference == [id: 2])
            let attempts = try await server.call("GET", "/messages/\(id)/attempts")
            let list = try #require(attempts.json["attempts"] as? [[String: Any]])
            #expect(list.map { $0["outcome"] as? String } == ["retryable", "ok"])
            #expect(list.map { $0["httpStatus"] as? Int } == [500, 200])
            #expect(list.first?["errorCode"] as? String == "E500")
            #expect(list.allSatisfy { $0["latencyMs"] is Double })
            #expect(!attempts.text.contains("sk-outbox-secret"), "attempts never show a secret")
        }
    }

    @Test func aPermanentRefusalFailsAt502WithoutARetry() async throws {
        let carrier = try Carrier(.status(400))
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "no"])
            #expect(answer.status == 502)
            #expect(answer.json["status"] as? String == "failed")
            #expect(answer.errorCode == "carrier-error")
            try await Task.sleep(nanoseconds: 400_000_000)
            #expect(carrier.server.requests.count == 1)
            let id = try #require(answer.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["errorCode"] as? String == "E400")
            #expect(stored["attempts"] as? Int == 1)
        }
    }

    @Test func aFirstAttemptLongerThanTheWaitIsAnswered202AndFinishesInTheBackground() async throws {
        let carrier = try Carrier(.slow(250))  // within the definition's 400 ms timeout: the carrier takes it
        try await Self.withService(carrierURL: carrier.server.baseURL, sendWaitMs: 60) { server in
            // Twice, the second after the first's wait has long passed: the deadlines are swept again.
            for round in 1...2 {
                let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "slow \(round)"])
                #expect(answer.status == 202, "\(answer.text)")
                #expect(answer.json["status"] as? String == "queued")
                let id = try #require(answer.json["messageId"] as? String)
                let sent = try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
                #expect(sent["attempts"] as? Int == 1)
                #expect(carrier.requestsByReference[id] == 1, "the attempt went on, once")
                try await Task.sleep(nanoseconds: 150_000_000)
            }
        }
    }

    @Test func aReadTimeoutIsNotResentToACarrierThatDoesNotDeduplicate() async throws {
        let carrier = try Carrier(.slow(1500))
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "maybe"])
            #expect(answer.status == 502, "\(answer.text)")
            #expect(answer.errorCode == "carrier-timeout")
            let id = try #require(answer.json["messageId"] as? String)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            #expect(carrier.requestsByReference == [id: 1], "never sent twice silently")
            let stored = try await server.message(id)
            #expect(stored["status"] as? String == "failed")
            #expect(stored["errorCode"] as? String == "carrier-timeout")
            let attempts = try await server.call("GET", "/messages/\(id)/attempts")
            #expect((attempts.json["attempts"] as? [[String: Any]])?.first?["outcome"] as? String == "ambiguous")
        }
    }

    @Test func aReadTimeoutIsRetriedWhenTheCarrierDeduplicatesByReference() async throws {
        let carrier = try Carrier()
        carrier.then(.slow(1500))
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let answer = try await server.send(["channelId": "dd", "to": Self.to, "body": "again"])
            #expect(answer.status == 202)
            let id = try #require(answer.json["messageId"] as? String)
            try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
            #expect(carrier.requestsByReference == [id: 2], "the same reference twice: the carrier drops one")
        }
    }

    // MARK: Scheduling, cancel, validity

    @Test func aScheduledMessageWaitsUntilItIsDueAndCanBeCanceled() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let when = Date().addingTimeInterval(3600)
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(secondsFromGMT: 3600)
            let payload: [String: Any] = [
                "channelId": "sms", "to": Self.to, "body": "later", "scheduledFor": formatter.string(from: when),
            ]
            let first = try await server.send(payload)
            let second = try await server.send(payload)
            #expect(first.status == 202)
            #expect(first.json["status"] as? String == "scheduled")
            let id = try #require(first.json["messageId"] as? String)
            let otherId = try #require(second.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(abs((stored["scheduledFor"] as? Double ?? 0) - when.timeIntervalSince1970) < 1)
            #expect(abs((stored["expiresAt"] as? Double ?? 0) - (when.timeIntervalSince1970 + 129_600)) < 1)
            try await Task.sleep(nanoseconds: 800_000_000)
            #expect(carrier.server.requests.isEmpty, "nothing goes out before it is due")

            let canceled = try await server.call("POST", "/messages/\(otherId)/cancel")
            #expect(canceled.status == 200)
            #expect(canceled.json["status"] as? String == "canceled")
            let again = try await server.call("POST", "/messages/\(otherId)/cancel")
            #expect(again.status == 409)
            #expect(again.errorCode == "not-cancelable")
            #expect(try await server.call("POST", "/messages/msg-nope/cancel").status == 404)

            // An hour passes: both jobs are due; only the one not canceled goes out.
            try await server.sql("UPDATE outbox_job SET due_at = due_at - 3600")
            try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
            try await Task.sleep(nanoseconds: 300_000_000)
            #expect(carrier.requestsByReference == [id: 1])
            #expect(try await server.message(otherId)["status"] as? String == "canceled")
            let late = try await server.call("POST", "/messages/\(id)/cancel")
            #expect(late.status == 409, "a sent message is no longer cancelable")
        }
    }

    @Test func aScheduleMoreThan35DaysAheadIsRefusedAndOneWithin10MinutesGoesNow() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let formatter = ISO8601DateFormatter()
            let far = formatter.string(from: Date().addingTimeInterval(36 * 86_400))
            let refused = try await server.send(["channelId": "sms", "to": Self.to, "body": "x", "scheduledFor": far])
            #expect(refused.status == 400)
            #expect(refused.errorCode == "scheduled-too-far")
            let soon = formatter.string(from: Date().addingTimeInterval(300))
            let now = try await server.send(["channelId": "sms", "to": Self.to, "body": "x", "scheduledFor": soon])
            #expect(now.status == 200)
            #expect(now.json["status"] as? String == "sent")
            let bad = try await server.send(["channelId": "sms", "to": Self.to, "body": "x", "scheduledFor": "tomorrow"])
            #expect(bad.status == 400)
            #expect(carrier.server.requests.count == 1)
        }
    }

    @Test func aMessageNotHandedOverWithinItsValidityExpires() async throws {
        let carrier = try Carrier(.status(503))
        try await Self.withService(carrierURL: carrier.server.baseURL, maxSendAttempts: 1000) { server in
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "otp 1234", "validity": 1])
            // 202 after the first (refused) attempt; on a loaded machine the first attempt may start after the
            // second of validity, and then the answer is already the final `expired`.
            #expect(answer.status == 202 || answer.json["status"] as? String == "expired", "\(answer.text)")
            let id = try #require(answer.json["messageId"] as? String)
            let expired = try await server.waitForMessage(id) { $0["status"] as? String == "expired" }
            #expect(expired["errorCode"] as? String == "expired")
            let tries = carrier.server.requests.count
            try await Task.sleep(nanoseconds: 500_000_000)
            #expect(carrier.server.requests.count == tries, "nothing is sent after expiry")
        }
    }

    // MARK: Pacing and idempotency

    @Test func theDispatcherPacesAChannelAtItsRate() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL, sendWaitMs: 0, ratePerSecond: 5) { server in
            var ids: [String] = []
            for n in 0..<12 {
                let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "paced \(n)"])
                #expect(answer.status == 202, "excess waits in the queue, never refused")
                ids.append(try #require(answer.json["messageId"] as? String))
            }
            for id in ids { try await server.waitForMessage(id) { $0["status"] as? String == "sent" } }
            let times = carrier.server.requests.map(\.receivedAt).sorted()
            #expect(times.count == 12)
            // A burst of 5, then one every 200 ms: the 12th at least ~1.4 s after the first.
            let span = (times.last ?? 0) - (times.first ?? 0)
            #expect(span >= 1.2, "12 sends at 5/s took only \(span) s")
            let firstSecond = times.filter { $0 - times[0] < 1.0 }.count
            #expect(firstSecond <= 10, "\(firstSecond) requests in the first second at 5/s (burst 5)")
        }
    }

    @Test func anotherAccountOrAKeyWithoutTheMessagingScopeCannotReachAMessagesOutbox() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let formatter = ISO8601DateFormatter()
            let later = formatter.string(from: Date().addingTimeInterval(3600))
            let answer = try await server.send(["channelId": "sms", "to": Self.to, "body": "x", "scheduledFor": later])
            let id = try #require(answer.json["messageId"] as? String)
            for (method, path) in [("POST", "/messages/\(id)/cancel"), ("GET", "/messages/\(id)/attempts")] {
                let other = try await server.call(method, path, apiKey: Self.otherAccountKey)
                #expect(other.status == 404, "another account: \(method) \(path) \(other.text)")
                #expect(try await server.call(method, path, apiKey: Self.adminOnlyKey).status == 403)
                #expect(try await server.call(method, path, apiKey: nil).status == 401)
            }
            // Another account's /send cannot use this account's channel.
            let foreign = try await server.send(["channelId": "sms", "to": Self.to, "body": "x"], apiKey: Self.otherAccountKey)
            #expect(foreign.status == 404)
            #expect(try await server.message(id)["status"] as? String == "scheduled", "still scheduled, not canceled")
        }
    }

    @Test func theClientsReferenceReachesTheCarrierBesideOurId() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let answer = try await server.send(
                ["channelId": "sms", "to": Self.to, "body": "x", "reference": "order-42"])
            #expect(answer.status == 200)
            let id = try #require(answer.json["messageId"] as? String)
            let body = try #require(carrier.server.requests.first?.body)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(json["cref"] as? String == "order-42", "the client's reference, in the carrier's field for it")
            #expect(json["ref"] as? String == id, "our id stays the key delivery reports are matched by")
            #expect(try await server.message(id)["reference"] as? String == "order-42")
        }
    }

    @Test func anIdempotencyKeyReusedWithAnotherBodyIsRefused() async throws {
        let carrier = try Carrier()
        try await Self.withService(carrierURL: carrier.server.baseURL) { server in
            let first = try await server.send(
                ["channelId": "sms", "to": Self.to, "body": "one"], headers: ["Idempotency-Key": "k"])
            #expect(first.status == 200)
            let reused = try await server.send(
                ["channelId": "sms", "to": Self.to, "body": "two"], headers: ["Idempotency-Key": "k"])
            #expect(reused.status == 422)
            #expect(reused.errorCode == "idempotency-key-reused")
            #expect(carrier.server.requests.count == 1)
        }
    }
}

/// A loopback TCP port held by a bound socket that does not listen: connecting is refused, and the kernel gives the
/// port to no one else until ``release()``; a server with SO_REUSEADDR may still bind and listen on it.
final class ReservedPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ReservedPortError()
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(descriptor) }

    struct ReservedPortError: Error {}
}
