import CarrierCore
import CarrierRuntime
import CarrierTestSupport
import Crypto
import Foundation
import Synchronization
import Testing

@testable import CarrierService

/// Customer webhooks over real HTTP: the service's deliverer (libcurl) posts to a receiver on 127.0.0.1 whose
/// answers each test scripts; events come from real webhooks and sends through the API.
@Suite(.timeLimit(.minutes(1)))
struct WebhookTests {
    /// A customer's webhook receiver: answers with scripted statuses (then 200) and records every request.
    final class Receiver: Sendable {
        final class Script: Sendable {
            let statuses: Mutex<[Int]>
            let fallback = Mutex(200)
            init(_ statuses: [Int]) { self.statuses = Mutex(statuses) }
            func next() -> Int { statuses.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? fallback.withLock { $0 } }
        }
        let script: Script
        let server: MockCarrierServer

        init(_ statuses: [Int] = [], port: Int = 0) throws {
            let script = Script(statuses)
            self.script = script
            server = try MockCarrierServer(port: port) { _ in MockResponse(status: script.next(), text: "ok") }
        }

        /// Answers every further request (after the scripted ones) with `status`.
        func fallbackTo(_ status: Int) { script.fallback.withLock { $0 = status } }

        var url: String { server.baseURL + "/hook" }
        var requests: [RecordedRequest] { server.requests }

        /// Waits until at least `count` requests arrived; records a failure after `seconds`.
        @discardableResult
        func waitFor(
            _ count: Int, seconds: Double = 10, sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) async throws -> [RecordedRequest] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let requests = self.requests
                if requests.count >= count { return requests }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            Issue.record("\(requests.count) requests, expected \(count)", sourceLocation: sourceLocation)
            return requests
        }
    }

    static let otherAdminKey = "other-account-admin"

    static func configuration(databasePath: String, allowPrivate: Bool = true, retry: [Double] = [0.2, 0.2, 0.2])
        -> ServiceConfiguration
    {
        var configuration = TestServer.configuration(databasePath: databasePath)
        configuration.allowPrivateWebhookTargets = allowPrivate
        configuration.webhookRetrySeconds = retry
        configuration.apiKeys[Self.otherAdminKey] = .init(account: "acct-2", scopes: ["messaging", "admin"])
        return configuration
    }

    static func withServer(
        gateway: FakeGateway = FakeGateway(), allowPrivate: Bool = true, retry: [Double] = [0.2, 0.2, 0.2],
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let path = try TestServer.temporaryDatabasePath()
        let server = try await TestServer.start(
            gateway: gateway, databasePath: path,
            configuration: configuration(databasePath: path, allowPrivate: allowPrivate, retry: retry))
        do {
            try await body(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Creates an endpoint and returns (id, secret).
    static func subscribe(
        _ server: TestServer, _ url: String,
        events: [String] = ["message.received", "message.status", "optout.changed"]
    ) async throws -> (String, String) {
        let answer = try await server.call("POST", "/webhooks", json: ["url": url, "events": events])
        #expect(answer.status == 201, "\(answer.text)")
        let id = try #require(answer.json["id"] as? String)
        let secret = try #require(answer.json["secret"] as? String)
        return (id, secret)
    }

    /// Checks a delivery's Standard Webhooks signature with `secret`, computed here from the spec's definition.
    static func verify(
        _ request: RecordedRequest, secret: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        guard let id = request.header("webhook-id"), let timestamp = request.header("webhook-timestamp"),
            let signatures = request.header("webhook-signature")
        else {
            Issue.record("missing webhook headers: \(request.headers)", sourceLocation: sourceLocation)
            return
        }
        let key = SymmetricKey(data: Data(base64Encoded: String(secret.dropFirst("whsec_".count)))!)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(id).\(timestamp).".utf8) + Data(request.body), using: key)
        let expected = "v1," + Data(mac).base64EncodedString()
        #expect(signatures.split(separator: " ").contains { $0 == expected }, sourceLocation: sourceLocation)
        #expect(abs((Double(timestamp) ?? 0) - Date().timeIntervalSince1970) < 60, sourceLocation: sourceLocation)
        #expect(request.header("x-api-key") == nil && request.header("authorization") == nil)
    }

    static func json(_ request: RecordedRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
    }

    static func data(_ request: RecordedRequest) -> [String: Any] { json(request)["data"] as? [String: Any] ?? [:] }

    // MARK: Events

    @Test func anInboundMessageAndItsStopArriveSignedAsReceivedAndOptOutChanged() async throws {
        let receiver = try Receiver()
        try await Self.withServer { server in
            let (_, secret) = try await Self.subscribe(server, receiver.url)
            #expect(secret.hasPrefix("whsec_"))
            try await server.webhook(
                "ch-sms", ["type": "mo", "from": "+15557654321", "to": "+15550000001", "text": "hello", "id": "mo-1"])
            let first = try await receiver.waitFor(1)[0]
            Self.verify(first, secret: secret)
            #expect(first.method == "POST" && first.path == "/hook")
            #expect(first.header("content-type") == "application/json")
            let body = Self.json(first)
            #expect(body["type"] as? String == "message.received")
            #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
            let data = Self.data(first)
            #expect(data["from"] as? String == "+15557654321")
            #expect(data["body"] as? String == "hello")
            #expect(data["channelId"] as? String == "ch-sms")
            #expect(data["status"] as? String == "received")
            #expect(data["providerMessageId"] as? String == "mo-1")
            #expect(data["sequence"] as? Int == 1)
            #expect((data["messageId"] as? String)?.isEmpty == false)

            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "STOP", "id": "mo-2"])
            let all = try await receiver.waitFor(3)
            let types = all.dropFirst().map { Self.json($0)["type"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") }
            #expect(types == ["message.received", "optout.changed"])
            let optOut = try #require(all.first { Self.json($0)["type"] as? String == "optout.changed" })
            Self.verify(optOut, secret: secret)
            #expect(Self.data(optOut)["contact"] as? String == "+15557654321")
            #expect(Self.data(optOut)["optedOut"] as? Bool == true)
            #expect(Self.data(optOut)["keyword"] as? String == "stop")
            #expect(Set(all.compactMap { $0.header("webhook-id") }).count == 3, "one webhook-id per event")
            // A STOP from a contact already opted out changes nothing: no new optout.changed.
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "STOP", "id": "mo-3"])
            try await receiver.waitFor(4)
            try await Task.sleep(nanoseconds: 400_000_000)
            #expect(receiver.requests.count == 4)
        }
    }

    @Test func sentThenDeliveredGoToTheMessagesCallbackUrlInOrder() async throws {
        let receiver = try Receiver()
        try await Self.withServer { server in
            let secretAnswer = try await server.call("GET", "/webhooks/callback-secret")
            #expect(secretAnswer.status == 200)
            let secret = try #require(secretAnswer.json["secret"] as? String)
            let sent = try await server.send([
                "channelId": "ch-sms", "to": "+15551230000", "body": "hi", "callbackUrl": receiver.url,
                "reference": "order-7",
            ])
            #expect(sent.status == 200, "\(sent.text)")
            let id = try #require(sent.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["callbackUrl"] as? String == receiver.url)
            let first = try await receiver.waitFor(1)[0]
            Self.verify(first, secret: secret)
            #expect(Self.json(first)["type"] as? String == "message.status")
            #expect(Self.data(first)["status"] as? String == "sent")
            #expect(Self.data(first)["sequence"] as? Int == 1)
            #expect(Self.data(first)["reference"] as? String == "order-7")
            #expect(Self.data(first)["providerMessageId"] as? String == "p-1")
            try await server.webhook("ch-sms", ["type": "status", "id": "p-1", "status": "delivered"])
            let second = try await receiver.waitFor(2)[1]
            Self.verify(second, secret: secret)
            #expect(Self.data(second)["status"] as? String == "delivered")
            #expect(Self.data(second)["sequence"] as? Int == 2)
            #expect(Self.data(second)["messageId"] as? String == id)
            // The same report again is no change: nothing more is pushed.
            try await server.webhook("ch-sms", ["type": "status", "id": "p-1", "status": "delivered"])

            // deliveryReport final: only the outcome, not `sent`.
            let quiet = try await server.send([
                "channelId": "ch-sms", "to": "+15551230001", "body": "hi", "callbackUrl": receiver.url,
                "deliveryReport": "final",
            ])
            let quietId = try #require(quiet.json["messageId"] as? String)
            try await server.webhook("ch-sms", ["type": "status", "id": "p-2", "status": "undelivered"])
            let third = try await receiver.waitFor(3)[2]
            #expect(Self.data(third)["messageId"] as? String == quietId)
            #expect(Self.data(third)["status"] as? String == "undelivered")
            try await Task.sleep(nanoseconds: 400_000_000)
            #expect(receiver.requests.count == 3)

            // Rotation: the new secret signs, and the old one still does for 24 hours.
            let rotated = try await server.call("POST", "/webhooks/callback-secret/rotate")
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != secret && rotated.json["previousSecretValidUntil"] is String)
            try await server.webhook("ch-sms", ["type": "status", "id": "p-1", "status": "read"])
            let fourth = try await receiver.waitFor(4)[3]
            Self.verify(fourth, secret: newSecret)
            Self.verify(fourth, secret: secret)
        }
    }

    @Test func sendRefusesBadCallbackFields() async throws {
        try await Self.withServer { server in
            for (field, value, code) in [
                ("callbackUrl", "ftp://example.com/x", "invalid-url"),
                ("callbackUrl", "https://user:pw@example.com/x", "invalid-url"),
                ("deliveryReport", "some", "invalid-delivery-report"),
            ] {
                let answer = try await server.send([
                    "channelId": "ch-sms", "to": "+15551230000", "body": "x", field: value,
                ])
                #expect(answer.status == 400)
                let errors = try #require((answer.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])
                #expect(errors.contains { $0["code"] as? String == code }, "\(answer.text)")
            }
        }
    }

    // MARK: Retries and durability

    @Test func aReceiverFailingTwiceGetsTheSameWebhookIdThreeTimes() async throws {
        let receiver = try Receiver([500, 503])
        try await Self.withServer { server in
            let (id, secret) = try await Self.subscribe(server, receiver.url, events: ["message.received"])
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "retry", "id": "mo-r"])
            let requests = try await receiver.waitFor(3)
            #expect(requests.count == 3)
            #expect(Set(requests.compactMap { $0.header("webhook-id") }).count == 1)
            #expect(Set(requests.map(\.bodyText)).count == 1, "the same body on every attempt")
            for request in requests { Self.verify(request, secret: secret) }
            // Retries wait (0.2 s here, with jitter).
            #expect(requests[1].receivedAt - requests[0].receivedAt >= 0.19)
            var delivery: [String: Any] = [:]
            for _ in 0..<50 {
                let list = try await server.call("GET", "/webhooks/\(id)/deliveries")
                delivery = (list.json["deliveries"] as? [[String: Any]])?.first ?? [:]
                if delivery["status"] as? String == "delivered" { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(delivery["status"] as? String == "delivered")
            #expect(delivery["attempts"] as? Int == 3)
            #expect(delivery["lastHttpStatus"] as? Int == 200)
            #expect(delivery["lastLatencyMs"] is Double)
            #expect(delivery["webhookId"] as? String == requests[0].header("webhook-id"))
            #expect(delivery["type"] as? String == "message.received")
            let endpoint = try await server.call("GET", "/webhooks/\(id)")
            #expect(endpoint.json["status"] as? String == "enabled")
            #expect(endpoint.json["failingSince"] == nil, "a success clears the failure")
            #expect(endpoint.json["secret"] == nil, "the secret is shown only once")
        }
    }

    @Test func aRestartInTheMiddleOfRetriesLosesNothing() async throws {
        let receiver = try Receiver()
        receiver.fallbackTo(500)
        let path = try TestServer.temporaryDatabasePath()
        let configuration = Self.configuration(databasePath: path, retry: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3])
        var server = try await TestServer.start(
            gateway: FakeGateway(), databasePath: path, configuration: configuration)
        let (id, secret) = try await Self.subscribe(server, receiver.url, events: ["message.received"])
        for n in 0..<5 {
            try await server.webhook(
                "ch-sms", ["type": "mo", "from": "+1555765432\(n)", "text": "m\(n)", "id": "mo-\(n)"])
        }
        try await receiver.waitFor(6)
        await server.stop()
        let refusedBeforeRestart = receiver.requests.count
        receiver.fallbackTo(200)
        server = try await TestServer.start(gateway: FakeGateway(), databasePath: path, configuration: configuration)
        defer { Task { [server] in await server.stop() } }
        let deadline = Date().addingTimeInterval(15)
        var delivered: [[String: Any]] = []
        while Date() < deadline {
            let list = try await server.call("GET", "/webhooks/\(id)/deliveries")
            delivered = (list.json["deliveries"] as? [[String: Any]] ?? []).filter {
                $0["status"] as? String == "delivered"
            }
            if delivered.count == 5 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(delivered.count == 5, "every event queued before the restart is delivered after it")
        let requests = receiver.requests
        let ids = requests.compactMap { $0.header("webhook-id") }
        #expect(Set(ids).count == 5, "no event invented, none lost")
        let bodies = Set(requests.map { Self.data($0)["body"] as? String ?? "" })
        #expect(bodies == ["m0", "m1", "m2", "m3", "m4"])
        #expect(refusedBeforeRestart >= 6)
        for request in requests { Self.verify(request, secret: secret) }
        await server.stop()
    }

    // MARK: Endpoint state

    @Test func a410DisablesTheEndpointAndReplayNeedsItEnabled() async throws {
        let receiver = try Receiver([410])
        try await Self.withServer { server in
            let (id, _) = try await Self.subscribe(server, receiver.url, events: ["message.received"])
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "a", "id": "mo-a"])
            try await receiver.waitFor(1)
            var endpoint: [String: Any] = [:]
            for _ in 0..<50 {
                endpoint = try await server.call("GET", "/webhooks/\(id)").json
                if endpoint["status"] as? String == "disabled" { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(endpoint["status"] as? String == "disabled")
            #expect(endpoint["disabledReason"] as? String == "gone")
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "b", "id": "mo-b"])
            try await Task.sleep(nanoseconds: 500_000_000)
            #expect(receiver.requests.count == 1, "a disabled endpoint gets nothing")
            let deliveries = try await server.call("GET", "/webhooks/\(id)/deliveries")
            let list = try #require(deliveries.json["deliveries"] as? [[String: Any]])
            #expect(list.count == 1)
            #expect(list.first?["status"] as? String == "failed" && list.first?["lastHttpStatus"] as? Int == 410)
            let deliveryId = try #require(list.first?["id"] as? String)
            let refused = try await server.call("POST", "/webhooks/\(id)/deliveries/\(deliveryId)/replay")
            #expect(refused.status == 409 && refused.errorCode == "webhook-disabled")

            let enabled = try await server.call("PATCH", "/webhooks/\(id)", json: ["enabled": true])
            #expect(enabled.json["status"] as? String == "enabled" && enabled.json["disabledReason"] == nil)
            let replay = try await server.call("POST", "/webhooks/\(id)/deliveries/\(deliveryId)/replay")
            #expect(replay.status == 202, "\(replay.text)")
            let again = try await receiver.waitFor(2)
            #expect(again[1].header("webhook-id") == again[0].header("webhook-id"), "a replay is the same event")
            #expect(again[1].bodyText == again[0].bodyText)
        }
    }

    @Test func rotatingAnEndpointSecretSignsWithBothFor24Hours() async throws {
        let receiver = try Receiver()
        try await Self.withServer { server in
            let (id, old) = try await Self.subscribe(server, receiver.url, events: ["message.received"])
            let rotated = try await server.call("POST", "/webhooks/\(id)/rotate-secret")
            let new = try #require(rotated.json["secret"] as? String)
            #expect(new != old)
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "r", "id": "mo-rot"])
            let request = try await receiver.waitFor(1)[0]
            Self.verify(request, secret: new)
            Self.verify(request, secret: old)
            #expect(request.header("webhook-signature")?.split(separator: " ").count == 2)
        }
    }

    @Test func endpointsFollowTheirChannelAndEventFilters() async throws {
        let receiver = try Receiver()
        try await Self.withServer { server in
            let answer = try await server.call(
                "POST", "/webhooks", json: ["url": receiver.url, "events": ["message.received"], "channelId": "ch-wa"])
            #expect(answer.status == 201)
            try await server.webhook("ch-sms", ["type": "mo", "from": "+15557654321", "text": "sms", "id": "mo-s"])
            try await server.webhook("ch-wa", ["type": "mo", "from": "+15557654321", "text": "wa", "id": "mo-w"])
            let requests = try await receiver.waitFor(1)
            try await Task.sleep(nanoseconds: 400_000_000)
            #expect(receiver.requests.count == 1)
            #expect(Self.data(requests[0])["body"] as? String == "wa")
            let list = try await server.call("GET", "/webhooks")
            #expect((list.json["webhooks"] as? [[String: Any]])?.count == 1)
        }
    }

    // MARK: Who may do what, and bad input

    @Test func privateTargetsAreRefusedUnlessAllowed() async throws {
        let receiver = try Receiver()
        try await Self.withServer(allowPrivate: false) { server in
            for url in [
                receiver.url, "http://localhost:9/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                "http://[::1]:8080/x", "http://0.0.0.0/x",
            ] {
                let answer = try await server.call(
                    "POST", "/webhooks", json: ["url": url, "events": ["message.status"]])
                #expect(answer.status == 400 && answer.errorCode == "destination-not-allowed", "\(url): \(answer.text)")
            }
            let send = try await server.send([
                "channelId": "ch-sms", "to": "+15551230000", "body": "x", "callbackUrl": "http://192.168.1.1/cb",
            ])
            #expect(send.status == 400 && send.errorCode == "destination-not-allowed")
            let scheme = try await server.call(
                "POST", "/webhooks", json: ["url": "file:///etc/passwd", "events": ["message.status"]])
            #expect(scheme.status == 400 && scheme.text.contains("invalid-url"))
            let unresolvable = try await server.call(
                "POST", "/webhooks", json: ["url": "https://no-such-host.invalid/x", "events": ["message.status"]])
            #expect(unresolvable.status == 400 && unresolvable.errorCode == "unresolvable-host")
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test func anotherAccountAndTheWrongScopeCannotTouchAnEndpoint() async throws {
        let receiver = try Receiver()
        try await Self.withServer { server in
            let (id, _) = try await Self.subscribe(server, receiver.url)
            let other = Self.otherAdminKey
            for (method, path) in [
                ("GET", "/webhooks/\(id)"), ("PATCH", "/webhooks/\(id)"), ("DELETE", "/webhooks/\(id)"),
                ("POST", "/webhooks/\(id)/rotate-secret"), ("GET", "/webhooks/\(id)/deliveries"),
                ("POST", "/webhooks/\(id)/deliveries/whd-x/replay"),
            ] {
                let answer = try await server.call(
                    method, path, json: method == "PATCH" ? ["enabled": false] : nil, apiKey: other)
                #expect(answer.status == 404 && answer.errorCode == "unknown-webhook", "\(method) \(path)")
                let messaging = try await server.call(method, path, apiKey: TestServer.messagingKey)
                #expect(messaging.status == 403, "\(method) \(path) needs the admin scope")
            }
            let list = try await server.call("GET", "/webhooks", apiKey: other)
            #expect((list.json["webhooks"] as? [Any])?.isEmpty == true)
            let anonymous = try await server.call("GET", "/webhooks", apiKey: nil)
            #expect(anonymous.status == 401)
            // Another account's events never reach this endpoint (acct-2 has no channel; its callback secret differs).
            let mine = try await server.call("GET", "/webhooks/callback-secret")
            let theirs = try await server.call("GET", "/webhooks/callback-secret", apiKey: other)
            #expect(mine.json["secret"] as? String != theirs.json["secret"] as? String)
            // Deleting removes it for good.
            #expect(try await server.call("DELETE", "/webhooks/\(id)").status == 200)
            #expect(try await server.call("GET", "/webhooks/\(id)").status == 404)
        }
    }

    @Test func badEndpointBodiesGetStableCodes() async throws {
        try await Self.withServer { server in
            let cases: [([String: Any], String)] = [
                (["url": "https://example.com/x", "events": ["message.status"], "secret": "mine"], "unknown-field"),
                (["url": "https://example.com/x", "events": ["message.sent"]], "unknown-event"),
                (["url": "https://example.com/x", "events": []], "invalid-events"),
                (["events": ["message.status"]], "required"),
            ]
            for (body, code) in cases {
                let answer = try await server.call("POST", "/webhooks", json: body)
                #expect(answer.status == 400, "\(body)")
                let errors = (answer.json["error"] as? [String: Any])?["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["code"] as? String == code }, "\(answer.text)")
            }
            let wrongType = try await server.call(
                "POST", "/webhooks", json: ["url": "https://example.com/x", "events": "message.status"])
            #expect(wrongType.errorCode == "bad-json")
            let channel = try await server.call(
                "POST", "/webhooks",
                json: ["url": "https://example.com/x", "events": ["message.status"], "channelId": "nope"])
            #expect(channel.status == 404 && channel.errorCode == "unknown-channel")
            #expect(try await server.call("PUT", "/webhooks").status == 405)
            #expect(try await server.call("GET", "/webhooks/a/b/c/d/e/f").status == 404)
        }
    }
}

/// The Standard Webhooks spec's published example, checked against our signer.
@Suite struct WebhookSignatureTests {
    @Test func theSpecsTestVectorVerifies() {
        let signature = WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func twoSecretsGiveTwoSignaturesAndNewSecretsDecode() {
        let a = WebhookSignature.makeSecret()
        let b = WebhookSignature.makeSecret()
        #expect(a != b && a.hasPrefix("whsec_") && WebhookSignature.key(of: a) != nil)
        let headers = WebhookSignature.headers(id: "evt_1", timestamp: 1, body: [], secrets: [a, b])
        #expect(headers.first { $0.0 == "webhook-signature" }?.1.split(separator: " ").count == 2)
    }

    @Test func retryRulesFollowTheScheduleAndStopAtTheMaxAge() {
        var configuration = ServiceConfiguration()
        configuration.webhookRetrySeconds = [5, 300]
        configuration.webhookMaxAgeSeconds = 1000
        let rules = WebhookRetryRules(configuration: configuration)
        guard
            case .retry(let due, _, _, _) = rules.outcome(
                attempt: 1, createdAt: 0, now: 0, httpStatus: 500, error: "http-500", latencyMs: 1, random: 0.5)
        else { Issue.record("expected a retry"); return }
        #expect(due == 5.5)
        guard
            case .failed = rules.outcome(
                attempt: 2, createdAt: 0, now: 800, httpStatus: 500, error: "http-500", latencyMs: 1, random: 0)
        else { Issue.record("past the max age: failed"); return }
        guard
            case .failed = rules.outcome(
                attempt: 3, createdAt: 0, now: 10, httpStatus: 500, error: "http-500", latencyMs: 1, random: 0)
        else { Issue.record("schedule exhausted: failed"); return }
        guard case .disable(let reason) = rules.endpointHealth(failingSince: 0, now: 1000) else {
            Issue.record("failing for the max age: disabled"); return
        }
        #expect(reason == "failing")
        guard case .failing = rules.endpointHealth(failingSince: 500, now: 1000) else {
            Issue.record("not yet"); return
        }
    }

    @Test func callbackDeliveryReportFilters() {
        #expect(WebhookEventType.callbackWants(status: "sent", deliveryReport: nil))
        #expect(!WebhookEventType.callbackWants(status: "sent", deliveryReport: "final"))
        #expect(WebhookEventType.callbackWants(status: "delivered", deliveryReport: "final"))
        #expect(!WebhookEventType.callbackWants(status: "delivered", deliveryReport: "none"))
    }
}

/// Item 6: templates read the channel's public webhook URL.
@Suite struct InboundURLTemplateTests {
    @Test func channelInboundUrlRendersAndIsRefusedInInboundTemplates() throws {
        let message = OutboundMessage(to: "+15551230000", body: "x", inboundUrl: "https://sms.example.com/inbound/a/c")
        let context = TemplateContext(message: message, settings: [:], carrierId: "acme")
        #expect(try context.value(of: ["channel", "inboundUrl"]) == .string("https://sms.example.com/inbound/a/c"))
        let bare = TemplateContext(message: OutboundMessage(to: "+1555"), settings: [:], carrierId: "acme")
        #expect(try bare.value(of: ["channel", "inboundUrl"]) == .null)
        #expect(TemplateCatalog.lookup(["channel", "inboundUrl"], in: .send, settings: [], inEach: false) == .ok)
        #expect(
            TemplateCatalog.lookup(["channel", "inboundUrl"], in: .inbound, settings: [], inEach: false)
                == .notAvailable("channel.inboundUrl"))
        #expect(
            TemplateCatalog.lookup(["channel", "id"], in: .send, settings: [], inEach: false) == .unknown("channel.id"))
    }
}

@Suite struct WebhookTimeTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(WebhookTime.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(WebhookTime.rfc3339(1_614_265_330.25) == "2021-02-25T15:02:10.250Z")
    }
}
