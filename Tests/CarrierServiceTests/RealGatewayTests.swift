import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Crypto
import Foundation
import Synchronization
import Testing

/// The service with the real runtime: the bundled Twilio definition, libcurl, and a mock Twilio on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct RealGatewayTests {
    static let authToken = "tok-real-123"
    static let accountSid = "AC0123"
    static let publicBase = "https://carrier.example.com"

    /// A mock Twilio: 201 with a new sid, or Twilio's error JSON for the number +15550009999.
    static func mockTwilio(counter: Counter) throws -> MockCarrierServer {
        try MockCarrierServer { request in
            guard request.path == "/2010-04-01/Accounts/\(accountSid)/Messages.json" else {
                return .json(#"{"code": 20404, "message": "not found"}"#, status: 404)
            }
            if request.bodyText.contains("To=%2B15550009999") {
                return .json(
                    #"{"code": 21211, "message": "The 'To' number is not a valid phone number."}"#, status: 400)
            }
            let n = counter.value.withLock { value -> Int in
                value += 1
                return value
            }
            return .json(#"{"sid": "SM\#(n)", "status": "queued"}"#, status: 201)
        }
    }

    static func table() throws -> AdapterTable {
        let inputs = try ["twilio", "whatsapp_cloud"].map { id in
            let path = "carriers/\(id)/carrier.yaml"
            return InputFile(
                path: path, bytes: [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent(path))))
        }
        return try #require(compileAdapterTable(inputs).table)
    }

    static func configuration(databasePath: String, mockURL: String) -> ServiceConfiguration {
        ServiceConfiguration(
            host: "127.0.0.1", port: 0, databasePath: databasePath, publicBaseURL: publicBase,
            apiKeys: ["literal:" + TestServer.key: .init(account: "acct-1", scopes: ["messaging", "admin"])],
            channels: [
                .init(
                    id: "tw", account: "acct-1", channel: "sms", provider: "twilio", address: "+15550000001",
                    settings: [
                        "account_sid": accountSid, "auth_token": "literal:" + authToken, "base_url": mockURL,
                    ]),
                .init(
                    id: "wa", account: "acct-1", channel: "whatsapp", provider: "whatsapp_cloud",
                    address: "+15550000009",
                    settings: [
                        "phone_number_id": "123", "access_token": "literal:t", "app_secret": "literal:s",
                        "verify_token": "literal:hamhock", "base_url": mockURL,
                    ]),
            ],
            maxSendAttempts: 2, retryBaseDelaySeconds: 0.01, retryMaxDelaySeconds: 0.05,
            secretsKey: "literal:" + TestServer.secretsKey, carrierHosts: ["127.0.0.1"],
            allowPrivateCarrierTargets: true)
    }

    /// X-Twilio-Signature: Base64(HMAC-SHA1(token, url + sorted key+value)).
    static func twilioSignature(url: String, params: [(String, String)]) -> String {
        let data = url + params.sorted { $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    static func form(_ params: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = params.map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return Data(text.utf8)
    }

    /// Posts a Twilio-signed form webhook to the channel.
    static func webhook(_ server: TestServer, _ params: [(String, String)], signature: String? = nil) async throws
        -> TestServer.Answer
    {
        let sig = signature ?? twilioSignature(url: publicBase + "/inbound/acct-1/tw", params: params)
        return try await server.call(
            "POST", "/inbound/acct-1/tw", body: form(params), apiKey: nil,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig])
    }

    func withService(_ body: (TestServer, MockCarrierServer) async throws -> Void) async throws {
        let counter = Counter()
        let mock = try Self.mockTwilio(counter: counter)
        defer { mock.stop() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let path = try TestServer.temporaryDatabasePath()
        try await TestServer.running(
            gateway: AdapterGateway(table: try Self.table(), transport: transport), databasePath: path,
            configuration: Self.configuration(databasePath: path, mockURL: mock.baseURL)
        ) { server in try await body(server, mock) }
    }

    @Test func sendGoesOverTheWireAndStoresTheProviderId() async throws {
        try await withService { server, mock in
            let answer = try await server.send(["channelId": "tw", "to": "+15551230000", "body": "Hello ☺"])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["providerMessageId"] as? String == "SM1")
            #expect(answer.json["status"] as? String == "sent", "Twilio's 'queued' is our 'sent': handed to the carrier")
            let request = try #require(mock.requests.first)
            #expect(request.method == "POST")
            // With a publicBaseURL, the send asks Twilio for delivery reports at the channel's own webhook URL.
            #expect(
                request.bodyText
                    == "Body=Hello+%E2%98%BA&From=%2B15550000001"
                    + "&StatusCallback=https%3A%2F%2Fcarrier.example.com%2Finbound%2Facct-1%2Ftw&To=%2B15551230000")
            let basic = Data("\(Self.accountSid):\(Self.authToken)".utf8).base64EncodedString()
            #expect(request.header("Authorization") == "Basic \(basic)")
            let id = try #require(answer.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["providerMessageId"] as? String == "SM1")
        }
    }

    @Test func carrierErrorIsA502WithTheCarriersCode() async throws {
        try await withService { server, mock in
            let answer = try await server.send(["channelId": "tw", "to": "+15550009999", "body": "x"])
            #expect(answer.status == 502)
            #expect(answer.errorCode == "carrier-error")
            #expect(answer.text.contains("21211"))
            #expect(mock.requests.count == 1, "a permanent failure is not retried")
        }
    }

    @Test func signedInboundStopThenStatusCallback() async throws {
        try await withService { server, _ in
            let stop: [(String, String)] = [
                ("MessageSid", "SMin1"), ("From", "+15557770000"), ("To", "+15550000001"), ("Body", "STOP"),
                ("NumMedia", "0"),
            ]
            let reply = try await Self.webhook(server, stop)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.text == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
            let blocked = try await server.send(["channelId": "tw", "to": "+15557770000", "body": "promo"])
            #expect(blocked.status == 403)
            #expect(blocked.errorCode == "opted-out")

            let sent = try await server.send(["channelId": "tw", "to": "+15551230000", "body": "hi"])
            let id = try #require(sent.json["messageId"] as? String)
            let providerId = try #require(sent.json["providerMessageId"] as? String)
            let status = try await Self.webhook(server, [("MessageSid", providerId), ("MessageStatus", "delivered")])
            #expect(status.status == 200)
            #expect(try await server.message(id)["status"] as? String == "delivered")
        }
    }

    @Test func aResentWebhookIsStoredOnce() async throws {
        try await withService { server, _ in
            let mo: [(String, String)] = [
                ("MessageSid", "SMdup"), ("From", "+15557770002"), ("To", "+15550000001"), ("Body", "hello"),
                ("NumMedia", "0"),
            ]
            #expect(try await Self.webhook(server, mo).status == 200)
            #expect(try await Self.webhook(server, mo).status == 200, "the carrier's retry is acknowledged")
            let replies = try await server.call("GET", "/replies")
            let stored = try #require(replies.json["messages"] as? [[String: Any]], "\(replies.text)")
            #expect(stored.filter { $0["providerMessageId"] as? String == "SMdup" }.count == 1, "\(replies.text)")
        }
    }

    @Test func badSignatureIs401AndStoresNothing() async throws {
        try await withService { server, _ in
            let params: [(String, String)] = [("MessageSid", "SMx"), ("From", "+15557770001"), ("Body", "hi")]
            let answer = try await Self.webhook(server, params, signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            #expect(answer.status == 401)
            #expect(answer.errorCode == "bad-signature")
            let replies = try await server.call("GET", "/replies")
            let stored = try #require(replies.json["messages"] as? [Any], "\(replies.text)")
            #expect(stored.isEmpty)
        }
    }

    @Test func metaVerificationRequestIsAnsweredOverGET() async throws {
        try await withService { server, _ in
            let ok = try await server.call(
                "GET", "/inbound/acct-1/wa?hub.mode=subscribe&hub.challenge=4242&hub.verify_token=hamhock", apiKey: nil)
            #expect(ok.status == 200)
            #expect(ok.text == "4242")
            let wrong = try await server.call(
                "GET", "/inbound/acct-1/wa?hub.mode=subscribe&hub.challenge=4242&hub.verify_token=nope", apiKey: nil)
            #expect(wrong.status == 403)
            #expect(wrong.errorCode == "bad-verify-token")
        }
    }

    @Test func channelAPINeverShowsTheSecret() async throws {
        try await withService { server, _ in
            let answer = try await server.call("GET", "/channels/tw")
            #expect(answer.status == 200)
            #expect(!answer.text.contains(Self.authToken))
            #expect(answer.text.contains("literal:***"))
        }
    }
}

/// Numbers the mock's message ids.
final class Counter: Sendable {
    let value = Mutex(0)
}
