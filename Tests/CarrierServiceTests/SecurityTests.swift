import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Foundation
import GRDB
import Testing

/// Each finding of the attack in issue #14, reproduced over real HTTP and shown refused.
@Suite(.timeLimit(.minutes(1)))
struct SecurityTests {
    static let otherKey = "test-key-other-account"

    /// The test configuration with a second account (`acct-2`) and `change` applied.
    static func configuration(
        _ path: String, _ change: (inout ServiceConfiguration) -> Void = { _ in }
    ) -> ServiceConfiguration {
        var configuration = TestServer.configuration(databasePath: path)
        configuration.apiKeys[otherKey] = .init(account: "acct-2", scopes: ["messaging", "admin"])
        change(&configuration)
        return configuration
    }

    /// Runs `body` against a server on `gateway` with `configuration`.
    static func with(
        gateway: any CarrierGateway = FakeGateway(), path: String? = nil,
        _ change: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let path = try path ?? TestServer.temporaryDatabasePath()
        let server = try await TestServer.start(
            gateway: gateway, databasePath: path, configuration: configuration(path, change))
        do {
            try await body(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// The bundled definitions, compiled.
    static func bundledTable() throws -> AdapterTable {
        let carriers = repositoryRoot.appendingPathComponent("carriers")
        let ids = try FileManager.default.contentsOfDirectory(atPath: carriers.path).sorted()
        let inputs = try ids.compactMap { id -> InputFile? in
            let path = "carriers/\(id)/carrier.yaml"
            let url = repositoryRoot.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return InputFile(path: path, bytes: [UInt8](try Data(contentsOf: url)))
        }
        return try #require(compileAdapterTable(inputs).table)
    }

    /// A server on the real runtime (bundled carriers, libcurl with the service's outbound policy).
    static func withRealGateway(
        _ change: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
    ) async throws {
        let path = try TestServer.temporaryDatabasePath()
        let configuration = configuration(path) { configuration in
            configuration.channels = []
            change(&configuration)
        }
        let table = try bundledTable()
        let transport = CurlTransport(policy: .service(table: table, configuration: configuration))
        defer { transport.shutdown() }
        let server = try await TestServer.start(
            gateway: AdapterGateway(table: table, transport: transport), databasePath: path,
            configuration: configuration)
        do {
            try await body(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// An attacker's listener that answers every request with an "internal page".
    static func listener() throws -> MockCarrierServer {
        try MockCarrierServer { _ in .json(#"{"message": "INTERNAL-ADMIN-PAGE secret=hunter2"}"#, status: 400) }
    }

    // MARK: References only from the operator

    @Test func apiSettingsThatReferenceFilesOrVariablesAreRefusedAndNothingIsSent() async throws {
        let attacker = try Self.listener()
        defer { attacker.stop() }
        try await Self.withRealGateway { server in
            for (name, value) in [
                ("account_sid", "file:/proc/self/environ"), ("auth_token", "file:/etc/passwd"),
                ("account_sid", "env:HOME"), ("auth_token", "literal:x"),
            ] {
                let created = try await server.call(
                    "POST", "/channels",
                    json: [
                        "id": "tw-evil", "channel": "sms", "provider": "twilio", "address": "+15550001111",
                        "settings": [name: value, "base_url": attacker.baseURL],
                    ])
                #expect(created.status == 400, "\(name)=\(value): \(created.text)")
                #expect(created.text.contains("reference-not-allowed"))
                let send = try await server.send(["channelId": "tw-evil", "to": "+15551234567", "body": "x"])
                #expect(send.status == 404)
            }
        }
        #expect(attacker.requests.isEmpty, "the listener must receive nothing")
    }

    @Test func aNonSecretSettingOfAConfiguredChannelIsNeverResolved() async throws {
        let gateway = FakeGateway()
        let change: (inout ServiceConfiguration) -> Void = { $0.channels[0].settings["region"] = "file:/etc/passwd" }
        try await Self.with(gateway: gateway, change) { (server: TestServer) async throws in
            #expect(try await server.send(["channelId": "ch-sms", "to": "+15551234567", "body": "x"]).status == 200)
            #expect(gateway.sent.first?.settings["region"] == "file:/etc/passwd", "used as written, not read")
        }
    }

    @Test func aReferencedFileOver64KiBStopsStartUp() async throws {
        let path = try TestServer.temporaryDatabasePath()
        let big = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("big.txt")
        try Data(repeating: 65, count: 100_000).write(to: big)
        let configuration = Self.configuration(path) { $0.channels[0].settings["signingSecret"] = "file:" + big.path }
        var started: TestServer?
        do {
            started = try await TestServer.start(
                gateway: FakeGateway(), databasePath: path, configuration: configuration)
        } catch {}
        if let started { await started.stop() }
        #expect(started == nil, "a 100 KB secret file must stop start-up")
    }

    // MARK: Outbound address policy

    @Test func ssrfToALoopbackListenerIsRefusedWithoutContactingIt() async throws {
        let internalListener = try Self.listener()
        defer { internalListener.stop() }
        try await Self.withRealGateway({ $0.allowPrivateCarrierTargets = false }) { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "tw-ssrf", "channel": "sms", "provider": "twilio", "address": "+15550001111",
                    "settings": ["account_sid": "AC1", "auth_token": "t", "base_url": internalListener.baseURL],
                ])
            #expect(created.status == 201, "\(created.text)")
            let send = try await server.send(["channelId": "tw-ssrf", "to": "+15551234567", "body": "x"])
            #expect(send.status == 502)
            #expect(send.text.contains("destination-not-allowed"), "\(send.text)")
            // A closed port reads the same as an open one.
            let closed = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "tw-closed", "channel": "sms", "provider": "twilio", "address": "+15550001112",
                    "settings": ["account_sid": "AC1", "auth_token": "t", "base_url": "http://127.0.0.1:9"],
                ])
            #expect(closed.status == 201)
            let other = try await server.send(["channelId": "tw-closed", "to": "+15551234567", "body": "x"])
            let error = { (answer: TestServer.Answer) in answer.json["error"] as? [String: String] }
            #expect(error(other)?["message"] == error(send)?["message"])
        }
        #expect(internalListener.requests.isEmpty, "the loopback listener must receive nothing")
    }

    @Test func hostsOutsideTheDefinitionsAndCarrierHostsAreRefused() async throws {
        let internalListener = try Self.listener()
        defer { internalListener.stop() }
        // Internal addresses allowed, but 127.0.0.1 is not among the allowed hosts: refused by name.
        try await Self.withRealGateway({ $0.carrierHosts = ["sms.example.net"] }) { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "tw-host", "channel": "sms", "provider": "twilio", "address": "+15550001111",
                    "settings": [
                        "account_sid": "AC1", "auth_token": "t", "base_url": internalListener.baseURL + "/admin",
                    ],
                ])
            #expect(created.status == 201)
            let send = try await server.send(["channelId": "tw-host", "to": "+15551234567", "body": "x"])
            #expect(send.status == 502)
            #expect(send.text.contains("destination-not-allowed"))
        }
        #expect(internalListener.requests.isEmpty)
    }

    @Test func aCarriersReplyIsNotEchoedButAdminsGetARedactedExcerpt() async throws {
        let carrier = try Self.listener()
        defer { carrier.stop() }
        try await Self.withRealGateway { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "tw-echo", "channel": "sms", "provider": "twilio", "address": "+15550001111",
                    "settings": ["account_sid": "AC1", "auth_token": "hunter2", "base_url": carrier.baseURL],
                ])
            #expect(created.status == 201)
            let send = try await server.send(["channelId": "tw-echo", "to": "+15551234567", "body": "x"])
            #expect(send.status == 502)
            #expect(!send.text.contains("INTERNAL-ADMIN-PAGE"), "\(send.text)")
            let id = try #require(send.json["messageId"] as? String)
            #expect(!(try await server.call("GET", "/messages/\(id)")).text.contains("INTERNAL-ADMIN-PAGE"))
            let forMessaging = try await server.call(
                "GET", "/messages/\(id)/carrier-reply", apiKey: TestServer.messagingKey)
            #expect(forMessaging.status == 403)
            let excerpt = try await server.call("GET", "/messages/\(id)/carrier-reply", apiKey: TestServer.adminKey)
            let text = try #require(excerpt.json["carrierReply"] as? String)
            #expect(text.contains("INTERNAL-ADMIN-PAGE"), "admins see what the carrier said")
            #expect(!text.contains("hunter2"), "with the channel's secrets cut out")
        }
        #expect(carrier.requests.count == 1)
    }

    // MARK: Tenant isolation

    @Test func aReusedChannelIdMixesNothingBetweenAccounts() async throws {
        try await Self.with { server in
            let contact = "+15557770001"
            func create(_ id: String, _ key: String, kind: String = "sms", address: String) async throws {
                let answer = try await server.call(
                    "POST", "/channels",
                    json: [
                        "id": id, "channel": kind, "provider": kind == "sms" ? "fake" : "fake-wa",
                        "address": address, "settings": ["signingSecret": "sig-\(id)"],
                    ],
                    apiKey: key)
                #expect(answer.status == 201, "\(answer.text)")
            }
            // Account 1: a conversation, an opt-out, an open WhatsApp window, a template, a reply.
            try await create("reuse1", TestServer.key, address: "+15550000101")
            try await create("reuse-wa", TestServer.key, kind: "whatsapp", address: "+15550000102")
            let first = try await server.send(["channelId": "reuse1", "to": contact, "body": "hi"])
            #expect(first.status == 200)
            #expect(
                try await server.webhook(
                    "reuse1", ["type": "mo", "from": contact, "text": "STOP", "id": "in-1"],
                    signature: "sig-reuse1"
                ).status == 200)
            #expect(
                try await server.webhook(
                    "reuse-wa", ["type": "mo", "from": contact, "text": "hello", "id": "in-2"],
                    signature: "sig-reuse-wa"
                ).status == 200)
            #expect(
                try await server.call(
                    "POST", "/templates",
                    json: ["name": "welcome", "language": "en", "body": "Hi {{1}}", "status": "approved"]
                ).status == 201)
            let accountOneConversation = try #require(first.json["conversationId"] as? String)
            let unreadBefore =
                try await server.call("GET", "/conversations/\(accountOneConversation)")
                .json["unreadCount"] as? Int
            for id in ["reuse1", "reuse-wa"] {
                #expect(try await server.call("DELETE", "/channels/\(id)").status == 200)
            }

            // Account 2 takes the same ids (no 409 naming another account's channel).
            try await create("reuse1", Self.otherKey, address: "+15550000201")
            try await create("reuse-wa", Self.otherKey, kind: "whatsapp", address: "+15550000202")
            let send = try await server.call(
                "POST", "/send", json: ["channelId": "reuse1", "to": contact, "body": "hello"], apiKey: Self.otherKey)
            #expect(send.status == 200, "account 1's opt-out must not refuse account 2: \(send.text)")
            #expect(send.json["conversationId"] as? String != accountOneConversation)
            let window = try await server.call(
                "POST", "/send", json: ["channelId": "reuse-wa", "to": contact, "body": "free-form"],
                apiKey: Self.otherKey)
            #expect(window.status == 422, "account 1's WhatsApp window is not account 2's")
            #expect(window.errorCode == "window-closed")
            let template = try await server.call(
                "POST", "/send", json: ["channelId": "reuse-wa", "to": contact, "templateName": "welcome"],
                apiKey: Self.otherKey)
            #expect(template.errorCode == "unknown-template", "account 1's template is not account 2's")
            #expect(
                try await server.webhook(
                    "reuse1", ["type": "mo", "from": contact, "text": "hey", "id": "in-3"], signature: "sig-reuse1",
                    account: "acct-2"
                ).status == 200)
            let unreadAfter =
                try await server.call("GET", "/conversations/\(accountOneConversation)")
                .json["unreadCount"] as? Int
            #expect(unreadAfter == unreadBefore, "account 2's inbound must not touch account 1's conversation")
            let foreign = try await server.call(
                "GET", "/conversations/\(accountOneConversation)", apiKey: Self.otherKey)
            #expect(foreign.status == 404)
            let replies = try await server.call("GET", "/replies", apiKey: Self.otherKey)
            let bodies = (replies.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
            #expect(bodies == ["hey"], "account 2 sees only its own replies: \(bodies)")
            let messages = try await server.call(
                "GET", "/conversations/\(try #require(send.json["conversationId"] as? String))/messages",
                apiKey: Self.otherKey)
            let texts = (messages.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
            #expect(texts == ["hello", "hey"], "\(texts)")
        }
    }

    @Test func anotherAccountsChannelIdNeitherCollidesNorBlocksStartUp() async throws {
        let path = try TestServer.temporaryDatabasePath()
        try await Self.with(path: path) { server in
            // ch-sms belongs to acct-1 (configuration file); acct-2 may use the same id.
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "ch-sms", "channel": "sms", "provider": "fake", "address": "+15550000001",
                    "settings": ["signingSecret": "other"],
                ],
                apiKey: Self.otherKey)
            #expect(created.status == 201, "\(created.text)")
        }
        // The operator's file names ch-sms again (for acct-1): the service starts, and both channels work.
        try await Self.with(path: path) { server in
            #expect(try await server.send(["channelId": "ch-sms", "to": "+15551112222", "body": "a"]).status == 200)
            let other = try await server.call(
                "POST", "/send", json: ["channelId": "ch-sms", "to": "+15551112222", "body": "b"],
                apiKey: Self.otherKey)
            #expect(other.status == 200)
            #expect(other.json["conversationId"] as? String != nil)
        }
    }

    // MARK: Webhooks

    @Test(arguments: ["africastalking", "clickatell", "infobip", "kannel", "messagemedia"])
    func aForgedStopOnAnUnsignedCarrierIsRefused(carrier: String) async throws {
        try await Self.withRealGateway { server in
            // The settings each definition requires (channels are checked against their definition).
            let settings: [String: [String: String]] = [
                "africastalking": ["username": "u", "api_key": "k"], "clickatell": ["api_key": "k"],
                "infobip": ["base_url": "https://api.infobip.com", "api_key": "k"],
                "kannel": ["send_url": "https://kannel.example.com/cgi-bin/sendsms", "username": "u", "password": "p"],
                "messagemedia": ["api_key": "k", "api_secret": "s"],
            ]
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "u-\(carrier)", "channel": "sms", "provider": carrier, "address": "+15550003333",
                    "settings": settings[carrier] ?? [:],
                ])
            #expect(created.status == 201, "\(created.text)")
            let token = try #require(created.json["inboundToken"] as? String)
            #expect(token.count >= 40)
            #expect(
                created.json["inboundUrl"] as? String
                    == "https://carrier.example.com/inbound/acct-1/u-\(carrier)/\(token)")
            let shown = try await server.call("GET", "/channels/u-\(carrier)")
            #expect(!shown.text.contains(token), "the token is shown once")
            let forged = "from=%2B15557770000&to=%2B15550003333&text=STOP&Body=STOP&message=STOP&id=1"
            for path in ["/inbound/acct-1/u-\(carrier)", "/inbound/acct-1/u-\(carrier)/wrong-token"] {
                for method in ["POST", "GET"] {
                    let answer = try await server.call(
                        method, method == "GET" ? path + "?" + forged : path,
                        body: method == "POST" ? Data(forged.utf8) : nil, apiKey: nil,
                        headers: ["Content-Type": "application/x-www-form-urlencoded"])
                    #expect(answer.status == 401, "\(method) \(path): \(answer.text)")
                    #expect(answer.errorCode == "bad-inbound-token")
                }
            }
            #expect(try await server.sql("SELECT count(*) FROM contact_opt_out") == ["0"])
            #expect(try await server.sql("SELECT count(*) FROM message") == ["0"])
            // Rotation: a new token, the old one refused.
            let rotated = try await server.call("POST", "/channels/u-\(carrier)/inbound-token")
            let fresh = try #require(rotated.json["inboundToken"] as? String)
            #expect(fresh != token)
            let old = try await server.call(
                "POST", "/inbound/acct-1/u-\(carrier)/\(token)", body: Data(forged.utf8), apiKey: nil)
            #expect(old.status == 401)
        }
    }

    @Test func aReplayedSignedWebhookWithoutAnIdIsStoredOnce() async throws {
        try await Self.with { server in
            // The same bytes each time, as a replay has them.
            let payload = Data(#"{"type":"mo","from":"+15557770002","text":"yes"}"#.utf8)
            for _ in 0..<3 {
                let answer = try await server.call(
                    "POST", "/inbound/acct-1/ch-sms", body: payload, apiKey: nil,
                    headers: ["X-Test-Signature": TestServer.signature, "Content-Type": "application/json"])
                #expect(answer.status == 200)
            }
            let count = "SELECT count(*) FROM message WHERE direction = 'inbound'"
            #expect(try await server.sql(count) == ["1"])
            // A different message from the same contact is new.
            #expect(
                try await server.webhook("ch-sms", ["type": "mo", "from": "+15557770002", "text": "no"]).status
                    == 200)
            #expect(try await server.sql(count) == ["2"])
        }
    }

    // MARK: Secrets at rest

    @Test func secretSettingsAreEncryptedAndTheDatabaseFilesAre0600() async throws {
        let secret = "S3cr3t-Signing-Value-4711"
        try await Self.with { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "enc", "channel": "sms", "provider": "fake", "address": "+15550004444",
                    "settings": ["signingSecret": secret],
                ])
            #expect(created.status == 201)
            #expect(!created.text.contains(secret))
            // The stored value opens: a webhook signed with it is accepted, one signed otherwise is not.
            #expect(
                try await server.webhook(
                    "enc", ["type": "mo", "from": "+1555", "text": "a", "id": "e1"],
                    signature: secret
                ).status == 200)
            #expect(
                try await server.webhook(
                    "enc", ["type": "mo", "from": "+1555", "text": "a", "id": "e2"],
                    signature: "wrong"
                ).status == 401)
            var bytes = Data()
            if server.databaseURL != nil {
                // PostgreSQL: what the server stores, read back as text.
                bytes = Data(try await server.sql("SELECT settings FROM messaging_channel").joined().utf8)
            }
            for suffix in ["", "-wal", "-shm"] where server.databaseURL == nil {
                let file = server.databasePath + suffix
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
                #expect(mode == 0o600, "\(suffix): \(String(mode, radix: 8))")
                bytes.append(try Data(contentsOf: URL(fileURLWithPath: file)))
            }
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the secret must not be in the database files")
            #expect(bytes.range(of: Data("enc:v1:".utf8)) != nil)
        }
    }

    @Test func withoutASecretsKeyTheAPIRefusesSecretValues() async throws {
        try await Self.with({ $0.secretsKey = nil }) { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "nokey", "channel": "sms", "provider": "fake", "address": "+15550005555",
                    "settings": ["signingSecret": "abc"],
                ])
            #expect(created.status == 400)
            #expect(created.errorCode == "secrets-key-missing")
        }
    }

    // MARK: Limits

    @Test func aSlowRequestHeadIsClosedWithinTheTimeout() async throws {
        try await Self.with({ $0.requestTimeoutSeconds = 0.5 }) { server in
            let socket = try #require(RawSocket(port: server.port))
            let started = ContinuousClock.now
            #expect(socket.send("POST /send HTTP/1.1\r\nHost: x\r\n"))
            var closed = false
            for index in 0..<40 where !closed {
                try await Task.sleep(for: .milliseconds(100))
                // A byte every 100 ms keeps an idle timer quiet; the request deadline still runs.
                closed = !socket.send("X-Slow-\(index): 1\r\n")
                if !closed { closed = await socket.received(timeout: 0.01).closed }
            }
            let elapsed = ContinuousClock.now - started
            #expect(closed, "the connection must be closed")
            // Kept alive by its trickle the connection would last the whole loop (40 rounds, over 4 s); the 0.5 s
            // deadline closes it far earlier. The margin is for a loaded machine (the full suite runs in parallel).
            #expect(elapsed < .seconds(3), "closed after \(elapsed)")
        }
    }

    @Test func repeatedWrongAPIKeysGet429WithRetryAfter() async throws {
        try await Self.with({ $0.maxAuthFailuresPerMinute = 5 }) { server in
            for attempt in 1...4 {
                let answer = try await server.call("GET", "/replies", apiKey: "wrong-\(attempt)")
                #expect(answer.status == 401)
            }
            let blocked = try await server.call("GET", "/replies", apiKey: "wrong-5")
            #expect(blocked.status == 429)
            #expect(blocked.errorCode == "too-many-auth-failures")
            #expect(Int(blocked.headers["retry-after"] ?? "") ?? 0 > 0)
            let evenRight = try await server.call("GET", "/replies")
            #expect(evenRight.status == 429, "the client waits out its block")
        }
    }

    @Test func connectionsPerClientAreCapped() async throws {
        try await Self.with({ $0.maxConnectionsPerClient = 2 }) { server in
            let first = try #require(RawSocket(port: server.port))
            let second = try #require(RawSocket(port: server.port))
            #expect(first.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(await first.received(until: "ok").text.contains("200"))
            #expect(second.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(await second.received(until: "ok").text.contains("200"))
            let third = try #require(RawSocket(port: server.port))
            _ = third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = await third.received(timeout: 2)
            #expect(answer.closed && !answer.text.contains("200"), "the third connection is closed unanswered")
        }
    }

    /// The wiring over HTTP; the bucket's burst and refill are `AccountRateLimiterTests`. A rate of one request per
    /// 5 s (burst 1) keeps this independent of how long a request takes on a loaded machine: at 3 per second, 8
    /// requests slower than 200 ms each had refilled the bucket before it ran dry.
    @Test func accountsOverTheirRateGet429() async throws {
        try await Self.with({ $0.accountRequestsPerSecond = 0.2 }) { server in
            // At once, so a slow (shared, loaded) machine cannot spread them over enough time to refill the budget.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 { group.addTask { try await server.call("GET", "/replies").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.contains(200), "\(statuses)")
            #expect(statuses.contains(429), "\(statuses)")
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
            // Another account has its own budget.
            #expect(try await server.call("GET", "/replies", apiKey: Self.otherKey).status == 200)
        }
    }
}
