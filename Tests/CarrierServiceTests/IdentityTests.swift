import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Crypto
import Foundation
import Testing

/// Issue #15 over real HTTP with the bundled definitions (Vonage, Twilio, WhatsApp Cloud), libcurl and a mock
/// carrier: one identity per contact, account-wide opt-outs per kind, validated channels.
@Suite(.timeLimit(.minutes(1)))
struct IdentityTests {
    static let vonageToken = "vonage-inbound-token-123"
    static let appSecret = "wa-app-secret"

    /// Twilio answers 201 with a sid; WhatsApp Cloud answers with a wamid.
    static func mock() throws -> MockCarrierServer {
        try MockCarrierServer { request in
            if request.path.hasSuffix("/Messages.json") {
                return .json(#"{"sid": "SM1", "status": "queued"}"#, status: 201)
            }
            if request.path.hasSuffix("/123/messages") {
                return .json(#"{"messages": [{"id": "wamid.1"}]}"#)
            }
            return .json(#"{"error": "unexpected"}"#, status: 404)
        }
    }

    /// A signed WhatsApp Cloud webhook with a message from +15557770001 to channel `wa` (which opens its window).
    static func receiveWhatsAppMessage(_ server: TestServer) async throws -> TestServer.Answer {
        let payload = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
            "messaging_product":"whatsapp","metadata":{"display_phone_number":"1 555 000 0009",
            "phone_number_id":"123"},"contacts":[{"profile":{"name":"A"},"wa_id":"15557770001"}],
            "messages":[{"from":"15557770001","id":"wamid.in1","timestamp":"1700000000","type":"text",
            "text":{"body":"hi"}}]}}]}]}
            """
        let body = Data(payload.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(appSecret.utf8)))
        return try await server.call(
            "POST", "/inbound/acct-1/wa", body: body, apiKey: nil,
            headers: [
                "Content-Type": "application/json",
                "X-Hub-Signature-256": "sha256=" + mac.map { String(format: "%02x", $0) }.joined(),
            ])
    }

    static func table() throws -> AdapterTable {
        let inputs = try ["twilio", "whatsapp_cloud", "vonage"].map { id in
            let path = "carriers/\(id)/carrier.yaml"
            return InputFile(
                path: path, bytes: [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent(path))))
        }
        return try #require(compileAdapterTable(inputs).table)
    }

    static func configuration(databasePath: String, mockURL: String) -> ServiceConfiguration {
        ServiceConfiguration(
            host: "127.0.0.1", port: 0, databasePath: databasePath, publicBaseURL: RealGatewayTests.publicBase,
            apiKeys: [
                "literal:" + TestServer.key: .init(account: "acct-1", scopes: ["messaging", "admin"]),
                "literal:" + TestServer.messagingKey: .init(account: "acct-1", scopes: ["messaging"]),
                "literal:other-account-key": .init(account: "acct-2", scopes: ["messaging", "admin"]),
            ],
            channels: [
                .init(
                    id: "vn", account: "acct-1", channel: "sms", provider: "vonage", address: "+15550000003",
                    settings: ["api_key": "k", "api_secret": "literal:s", "base_url": mockURL],
                    defaultQueue: "support", inboundToken: "literal:" + vonageToken),
                .init(
                    id: "tw", account: "acct-1", channel: "sms", provider: "twilio", address: "+15550000001",
                    settings: [
                        "account_sid": RealGatewayTests.accountSid,
                        "auth_token": "literal:" + RealGatewayTests.authToken, "base_url": mockURL,
                    ]),
                .init(
                    id: "twa", account: "acct-1", channel: "whatsapp", provider: "twilio", address: "+15550000002",
                    settings: [
                        "account_sid": RealGatewayTests.accountSid,
                        "auth_token": "literal:" + RealGatewayTests.authToken, "base_url": mockURL,
                    ]),
                .init(
                    id: "wa", account: "acct-1", channel: "whatsapp", provider: "whatsapp_cloud",
                    address: "+15550000009",
                    settings: [
                        "phone_number_id": "123", "access_token": "literal:t", "app_secret": "literal:" + appSecret,
                        "verify_token": "literal:v", "base_url": mockURL,
                    ]),
            ],
            maxSendAttempts: 2, retryBaseDelaySeconds: 0.01, retryMaxDelaySeconds: 0.05,
            secretsKey: "literal:" + TestServer.secretsKey, carrierHosts: ["127.0.0.1"],
            allowPrivateCarrierTargets: true)
    }

    func withService(_ body: (TestServer, MockCarrierServer) async throws -> Void) async throws {
        let mock = try Self.mock()
        defer { mock.stop() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let path = try TestServer.temporaryDatabasePath()
        try await TestServer.running(
            gateway: AdapterGateway(table: try Self.table(), transport: transport), databasePath: path,
            configuration: Self.configuration(databasePath: path, mockURL: mock.baseURL)
        ) { server in try await body(server, mock) }
    }

    /// A Vonage MO as a GET callback on the channel's token URL (Vonage writes numbers as bare digits).
    static func vonageMO(_ server: TestServer, from: String, text: String, id: String) async throws -> TestServer.Answer
    {
        let query = "msisdn=\(from)&to=15550000003&text=\(text)&messageId=\(id)&type=text"
        return try await server.call("GET", "/inbound/acct-1/vn/\(vonageToken)?\(query)", apiKey: nil)
    }

    /// A Twilio-signed form webhook to a Twilio channel.
    static func twilioWebhook(_ server: TestServer, channel: String, _ params: [(String, String)]) async throws
        -> TestServer.Answer
    {
        let url = RealGatewayTests.publicBase + "/inbound/acct-1/\(channel)"
        return try await server.call(
            "POST", "/inbound/acct-1/\(channel)", body: RealGatewayTests.form(params), apiKey: nil,
            headers: [
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": RealGatewayTests.twilioSignature(url: url, params: params),
            ])
    }

    @Test func vonageStopBlocksTheE164NumberOnEverySMSChannelOfTheAccount() async throws {
        try await withService { server, mock in
            let stop = try await Self.vonageMO(server, from: "15553334444", text: "Stop.", id: "v-1")
            #expect(stop.status == 200, "\(stop.text)")
            for channel in ["vn", "tw"] {
                let blocked = try await server.send(["channelId": channel, "to": "+15553334444", "body": "promo"])
                #expect(blocked.status == 403, "\(channel): \(blocked.text)")
                #expect(blocked.errorCode == "opted-out")
            }
            #expect(mock.requests.isEmpty)
            // The list shows it once, as E.164, for the kind; WhatsApp is another list.
            let list = try await server.call("GET", "/opt-outs")
            let entries = try #require(list.json["optOuts"] as? [[String: Any]])
            #expect(entries.map { $0["address"] as? String } == ["+15553334444"])
            #expect(entries.first?["kind"] as? String == "sms")
            #expect(entries.first?["source"] as? String == "keyword")
            // The inbound message and its conversation carry the E.164 number and the channel's default queue.
            let inbox = try await server.call("GET", "/conversations?queue=support")
            let conversations = try #require(inbox.json["conversations"] as? [[String: Any]])
            #expect(conversations.map { $0["contactAddress"] as? String } == ["+15553334444"])
            // START on the other SMS channel lifts it for the whole account.
            let start = try await Self.twilioWebhook(
                server, channel: "tw",
                [("MessageSid", "SMs1"), ("From", "+15553334444"), ("To", "+15550000001"), ("Body", " start ")])
            #expect(start.status == 200)
            let sent = try await server.send(["channelId": "vn", "to": "+15553334444", "body": "welcome back"])
            #expect(sent.status != 403, "\(sent.text)")
        }
    }

    @Test func twilioWhatsAppWindowOpensForTheE164Contact() async throws {
        try await withService { server, mock in
            let mo = try await Self.twilioWebhook(
                server, channel: "twa",
                [
                    ("MessageSid", "SMw1"), ("From", "whatsapp:+15557770001"), ("To", "whatsapp:+15550000002"),
                    ("Body", "hi"), ("NumMedia", "0"),
                ])
            #expect(mo.status == 200, "\(mo.text)")
            let reply = try await server.send(["channelId": "twa", "to": "+15557770001", "body": "hello"])
            #expect(reply.status == 200, "\(reply.text)")
            let request = try #require(mock.requests.last)
            #expect(request.bodyText.contains("To=whatsapp%3A%2B15557770001"), "\(request.bodyText)")
            #expect(request.bodyText.contains("From=whatsapp%3A%2B15550000002"), "\(request.bodyText)")
        }
    }

    @Test func whatsappCloudWindowOpensForTheE164ContactAndToIsTheChannelNumber() async throws {
        try await withService { server, mock in
            let mo = try await Self.receiveWhatsAppMessage(server)
            #expect(mo.status == 200, "\(mo.text)")
            let inbound = try await server.call("GET", "/messages?direction=inbound&channelId=wa")
            let stored = try #require((inbound.json["messages"] as? [[String: Any]])?.first)
            #expect(stored["fromAddress"] as? String == "+15557770001")
            #expect(stored["toAddress"] as? String == "+15550000009")

            let reply = try await server.send(["channelId": "wa", "to": "+15557770001", "body": "hello"])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try #require(mock.requests.last).bodyText.contains(#""to":"15557770001""#))
        }
    }

    @Test func channelsAreValidatedAgainstTheDefinition() async throws {
        try await withService { server, _ in
            let empty = try await server.call(
                "POST", "/channels",
                json: ["channel": "rcs", "provider": "twilio", "address": "+15550001111", "settings": ["x": "1"]])
            #expect(empty.status == 400)
            let errors = try #require((empty.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])
            let problems = Set(errors.map { "\($0["attribute"] ?? "")=\($0["code"] ?? "")" })
            #expect(
                problems == [
                    "channel=unsupported-channel", "settings.account_sid=missing-setting",
                    "settings.auth_token=missing-setting", "settings.x=unknown-setting",
                ])
            let badAddress = try await server.call(
                "POST", "/channels",
                json: [
                    "channel": "whatsapp", "provider": "twilio", "address": "ACME",
                    "settings": ["account_sid": "AC1", "auth_token": "t"],
                ])
            #expect(badAddress.status == 400)
            #expect(badAddress.errorCode == "invalid-address")
            let unknownMember = try await server.call(
                "POST", "/channels",
                json: ["channel": "sms", "provider": "twilio", "address": "+15550001111", "setings": [:]])
            #expect(unknownMember.errorCode == "unknown-field")
            #expect((unknownMember.json["error"] as? [String: Any])?["attribute"] as? String == "setings")
        }
    }

    @Test func carrierLimitsAreRefusedBeforeAnythingIsStored() async throws {
        try await withService { server, mock in
            // WhatsApp Cloud takes one media URL per message.
            let media = try await server.send([
                "channelId": "wa", "to": "+15557770001", "mediaUrls": ["https://a.test/1.jpg", "https://a.test/2.jpg"],
            ])
            #expect(media.status == 400)
            #expect(media.errorCode == "too-many-media")
            let error = try #require(media.json["error"] as? [String: Any])
            #expect(error["attribute"] as? String == "mediaUrls")
            #expect((error["message"] as? String)?.contains("at most 1") == true)
            #expect(error["url"] as? String == "docs/errors.md#too-many-media")
            #expect(error["type"] as? String == "invalid-request")
            // Twilio sends at most 10 segments.
            let long = try await server.send([
                "channelId": "tw", "to": "+15557770001", "body": String(repeating: "a", count: 160 * 12),
            ])
            #expect(long.errorCode == "too-long")
            let listed = try await server.call("GET", "/messages")
            #expect((listed.json["messages"] as? [Any])?.isEmpty == true)
            #expect(mock.requests.isEmpty)
        }
    }

    @Test func configuredChannelsAreCheckedAtStart() throws {
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let gateway = AdapterGateway(table: try Self.table(), transport: transport)
        var configuration = Self.configuration(databasePath: "unused", mockURL: "http://127.0.0.1:1")
        #expect(configuration.channelProblems(gateway: gateway).isEmpty)
        configuration.channels.append(
            .init(id: "bad", account: "acct-1", channel: "rcs", provider: "vonage", address: "x", settings: ["y": "1"]))
        let problems = configuration.channelProblems(gateway: gateway)
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.allSatisfy { $0.hasPrefix("channel 'bad': ") })
    }
}
