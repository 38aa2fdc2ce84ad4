import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Foundation
import Testing

/// Issue #15's last gaps over real HTTP with the bundled definitions (Twilio, WhatsApp Cloud, Vonage), libcurl and a
/// mock carrier: media types checked before anything is stored (item 4), and `PATCH /channels/{id}` validated like
/// a new channel (item 5).
@Suite(.timeLimit(.minutes(1)))
struct MediaTypeAndChannelUpdateTests {
    func withService(_ body: (TestServer, MockCarrierServer) async throws -> Void) async throws {
        let mock = try IdentityTests.mock()
        defer { mock.stop() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let path = try TestServer.temporaryDatabasePath()
        try await TestServer.running(
            gateway: AdapterGateway(table: try IdentityTests.table(), transport: transport), databasePath: path,
            configuration: IdentityTests.configuration(databasePath: path, mockURL: mock.baseURL)
        ) { server in try await body(server, mock) }
    }

    static func attribute(_ answer: TestServer.Answer) -> String? {
        (answer.json["error"] as? [String: Any])?["attribute"] as? String
    }

    // MARK: Media types

    @Test func aMediaTypeTheCarrierDoesNotTakeIsRefusedBeforeAnythingIsStored() async throws {
        try await withService { server, mock in
            // WhatsApp Cloud's definition sends images and documents: a video, typed by its extension, is refused.
            let byExtension = try await server.send([
                "channelId": "wa", "to": "+15557770001", "mediaUrls": ["https://cdn.test/clip.MP4?v=2"],
            ])
            #expect(byExtension.status == 400, "\(byExtension.text)")
            #expect(byExtension.errorCode == "media-type-not-supported")
            #expect(Self.attribute(byExtension) == "mediaUrls[0]")
            let error = try #require(byExtension.json["error"] as? [String: Any])
            #expect(error["url"] as? String == "docs/errors.md#media-type-not-supported")
            #expect((error["message"] as? String)?.contains("video/mp4") == true)
            #expect((error["message"] as? String)?.contains("image/jpeg") == true, "names types the carrier takes")

            // A type given on the item is checked as given, and named as the item's contentType.
            let given = try await server.send([
                "channelId": "wa", "to": "+15557770001",
                "media": [["url": "https://cdn.test/render?id=1", "contentType": "video/mp4"]],
            ])
            #expect(given.errorCode == "media-type-not-supported")
            #expect(Self.attribute(given) == "media[0].contentType")

            // Only the URL reaches the carrier, so its own extension must fit too, whatever contentType says.
            let contradicted = try await server.send([
                "channelId": "wa", "to": "+15557770001",
                "media": [["url": "https://cdn.test/clip.mp4", "contentType": "image/png"]],
            ])
            #expect(contradicted.errorCode == "media-type-not-supported")
            #expect(Self.attribute(contradicted) == "media[0]")

            // Twilio WhatsApp takes one item, of its WhatsApp formats: a GIF is MMS-only.
            let gif = try await server.send([
                "channelId": "twa", "to": "+15557770001", "media": ["https://cdn.test/a.gif"],
            ])
            #expect(gif.errorCode == "media-type-not-supported")
            #expect(Self.attribute(gif) == "media[0]")

            let listed = try await server.call("GET", "/messages")
            #expect((listed.json["messages"] as? [Any])?.isEmpty == true)
            #expect(mock.requests.isEmpty)
        }
    }

    @Test func aTypeTheCarrierTakesOrAnUnknownOneIsSent() async throws {
        try await withService { server, mock in
            // The given type wins over a URL without an extension; the carrier gets the URL.
            let typed = try await server.send([
                "channelId": "tw", "to": "+15557770001", "body": "look",
                "media": [["url": "https://cdn.test/render?id=1", "contentType": "Image/PNG; q=1"]],
            ])
            #expect(typed.status == 200, "\(typed.text)")
            #expect(try #require(mock.requests.last).bodyText.contains("MediaUrl=https%3A%2F%2Fcdn.test%2Frender"))
            // No extension and no contentType: the type is unknown, which only strictMediaTypes refuses.
            let unknown = try await server.send([
                "channelId": "tw", "to": "+15557770001", "mediaUrls": ["https://cdn.test/media/42"],
            ])
            #expect(unknown.status == 200, "\(unknown.text)")
            #expect(mock.requests.count == 2)
        }
    }

    @Test func badMediaItemsAreRefusedWithStableCodes() async throws {
        try await withService { server, mock in
            let both = try await server.send([
                "channelId": "tw", "to": "+15557770001", "mediaUrls": ["https://cdn.test/a.jpg"],
                "media": ["https://cdn.test/b.jpg"],
            ])
            #expect(both.errorCode == "conflicting-members")
            #expect(Self.attribute(both) == "media")
            let notAType = try await server.send([
                "channelId": "tw", "to": "+15557770001",
                "media": [["url": "https://cdn.test/a.jpg"], ["url": "https://cdn.test/b", "contentType": "jpeg"]],
            ])
            #expect(notAType.errorCode == "invalid-media-type")
            #expect(Self.attribute(notAType) == "media[1].contentType")
            let extra = try await server.send([
                "channelId": "tw", "to": "+15557770001",
                "media": [["url": "https://cdn.test/a.jpg", "size": 12]],
            ])
            #expect(extra.errorCode == "unknown-field")
            #expect(Self.attribute(extra) == "media[0].size")
            let notText = try await server.send([
                "channelId": "tw", "to": "+15557770001", "media": [["url": "https://cdn.test/a.jpg", "caption": 1]],
            ])
            #expect(notText.errorCode == "bad-json")
            let noURL = try await server.send([
                "channelId": "tw", "to": "+15557770001", "media": [["contentType": "image/png"]],
            ])
            #expect(noURL.errorCode == "bad-json")
            let badURL = try await server.send([
                "channelId": "tw", "to": "+15557770001", "media": [["url": "ftp://cdn.test/a.jpg"]],
            ])
            #expect(badURL.errorCode == "invalid-url")
            #expect(Self.attribute(badURL) == "media[0].url")
            #expect(mock.requests.isEmpty)
        }
    }

    /// A document's file name and caption reach the carrier (WhatsApp Cloud sends an item with a file name as a
    /// document) and are stored with the message; bare URLs stay strings.
    @Test func mediaDetailsAreStoredAndReachTheCarrier() async throws {
        try await withService { server, mock in
            let opened = try await IdentityTests.receiveWhatsAppMessage(server)
            #expect(opened.status == 200, "\(opened.text)")

            let sent = try await server.send([
                "channelId": "wa", "to": "+15557770001", "body": "your invoice",
                "media": [
                    [
                        "url": "https://cdn.test/files/inv-42", "contentType": "application/pdf",
                        "filename": "invoice-42.pdf", "caption": "Invoice 42",
                    ]
                ],
            ])
            #expect(sent.status == 200, "\(sent.text)")
            let request = try #require(mock.requests.last).bodyText
            #expect(request.contains(#""type":"document""#), "\(request)")
            #expect(request.contains(#""filename":"invoice-42.pdf""#), "\(request)")
            #expect(request.contains(#""caption":"Invoice 42""#), "\(request)")

            let id = try #require(sent.json["messageId"] as? String)
            let stored = try await server.call("GET", "/messages/\(id)")
            let item = try #require((stored.json["media"] as? [[String: Any]])?.first, "\(stored.text)")
            #expect(item["url"] as? String == "https://cdn.test/files/inv-42")
            #expect(item["contentType"] as? String == "application/pdf")
            #expect(item["filename"] as? String == "invoice-42.pdf")
            #expect(item["caption"] as? String == "Invoice 42")

            // A messaging key cannot break out of the carrier's JSON through a detail: the values stay strings.
            let hostile = #"x.pdf","type":"text","text":{"body":"injected"},"z":""#
            let injected = try await server.send([
                "channelId": "wa", "to": "+15557770001",
                "media": [["url": "https://cdn.test/files/2", "filename": hostile, "caption": "a\"b\\c\n"]],
            ])
            #expect(injected.status == 200, "\(injected.text)")
            let sentBody = try #require(mock.requests.last).body
            let json = try #require(try JSONSerialization.jsonObject(with: Data(sentBody)) as? [String: Any])
            #expect(json["type"] as? String == "document")
            #expect(json["text"] == nil)
            let document = try #require(json["document"] as? [String: Any])
            #expect(document["filename"] as? String == hostile)
            #expect(document["caption"] as? String == "a\"b\\c\n")

            let plain = try await server.send([
                "channelId": "tw", "to": "+15557770001", "media": ["https://cdn.test/a.jpg"],
            ])
            let plainId = try #require(plain.json["messageId"] as? String)
            let plainStored = try await server.call("GET", "/messages/\(plainId)")
            #expect(plainStored.json["media"] as? [String] == ["https://cdn.test/a.jpg"])
        }
    }

    /// The content types are part of what an `Idempotency-Key` is bound to.
    @Test func anIdempotencyKeyIsBoundToTheContentTypes() async throws {
        try await withService { server, _ in
            let first: [String: Any] = [
                "channelId": "tw", "to": "+15557770001",
                "media": [["url": "https://cdn.test/render?id=1", "contentType": "image/png"]],
            ]
            let sent = try await server.send(first, headers: ["Idempotency-Key": "media-1"])
            #expect(sent.status == 200, "\(sent.text)")
            let again = try await server.send(first, headers: ["Idempotency-Key": "media-1"])
            #expect(again.json["messageId"] as? String == sent.json["messageId"] as? String)
            var other = first
            other["media"] = [["url": "https://cdn.test/render?id=1", "contentType": "image/jpeg"]]
            let reused = try await server.send(other, headers: ["Idempotency-Key": "media-1"])
            #expect(reused.errorCode == "idempotency-key-reused")
        }
    }

    // MARK: Channel update

    static var twilioChannel: [String: Any] {
        [
            "id": "tw-api", "channel": "sms", "provider": "twilio", "address": "+15550007001",
            "settings": ["account_sid": RealGatewayTests.accountSid, "auth_token": "old-token"],
        ]
    }

    /// Concurrent PATCHes of different members all land (none overwrites another with what it read before), and a
    /// PATCH racing a DELETE never brings the channel back.
    @Test func concurrentUpdatesAreNeverLostAndNeverUndoADelete() async throws {
        try await withService { server, mock in
            var create = Self.twilioChannel
            create["settings"] = [
                "account_sid": RealGatewayTests.accountSid, "auth_token": "token", "base_url": mock.baseURL,
            ]
            #expect(try await server.call("POST", "/channels", json: create).status == 201)
            for round in 1...4 {
                let statuses = await withTaskGroup(of: Int.self) { group in
                    for member in 0..<3 {
                        group.addTask {
                            let change: [String: Any] =
                                switch member {
                                case 0: ["defaultQueue": "queue-\(round)"]
                                case 1: ["ratePerSecond": round * 2]
                                default: ["validitySeconds": round * 100]
                                }
                            return (try? await server.call("PATCH", "/channels/tw-api", json: change).status) ?? -1
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses == [200, 200, 200], "round \(round)")
                let read = try await server.call("GET", "/channels/tw-api")
                #expect(read.json["defaultQueue"] as? String == "queue-\(round)", "round \(round): \(read.text)")
                #expect(read.json["ratePerSecond"] as? Double == Double(round * 2), "round \(round): \(read.text)")
                #expect(read.json["validitySeconds"] as? Int == round * 100, "round \(round): \(read.text)")
            }

            for round in 1...4 {
                let id = "tw-race-\(round)"
                var channel = create
                channel["id"] = id
                channel["address"] = "+1555000710\(round)"
                #expect(try await server.call("POST", "/channels", json: channel).status == 201)
                async let patched = server.call("PATCH", "/channels/\(id)", json: ["defaultQueue": "late"])
                async let deleted = server.call("DELETE", "/channels/\(id)")
                let (patch, delete) = try await (patched, deleted)
                #expect(delete.status == 204 || delete.status == 200, "\(delete.text)")
                #expect(patch.status == 200 || patch.errorCode == "unknown-channel", "\(patch.text)")
                let after = try await server.call("GET", "/channels/\(id)")
                #expect(after.status == 404, "round \(round): the delete stands: \(after.text)")
            }
        }
    }

    @Test func patchChangesSettingsAndTheNewSecretIsSealedAndUsed() async throws {
        try await withService { server, mock in
            var create = Self.twilioChannel
            create["settings"] = [
                "account_sid": RealGatewayTests.accountSid, "auth_token": "old-token", "base_url": mock.baseURL,
            ]
            let created = try await server.call("POST", "/channels", json: create)
            #expect(created.status == 201, "\(created.text)")
            let updated = try await server.call(
                "PATCH", "/channels/tw-api",
                json: ["settings": ["auth_token": "new-token"], "defaultQueue": "sales", "ratePerSecond": 5])
            #expect(updated.status == 200, "\(updated.text)")
            let settings = try #require(updated.json["settings"] as? [String: String])
            #expect(settings["auth_token"] == "***")
            #expect(settings["base_url"] == mock.baseURL, "settings not given stay")
            #expect(updated.json["defaultQueue"] as? String == "sales")
            #expect(updated.json["ratePerSecond"] as? Double == 5)
            #expect(!updated.text.contains("new-token"))

            // The next send authenticates with the new token.
            let sent = try await server.send(["channelId": "tw-api", "to": "+15557770001", "body": "hi"])
            #expect(sent.status == 200, "\(sent.text)")
            let request = try #require(mock.requests.last)
            let basic = "Basic " + Data("\(RealGatewayTests.accountSid):new-token".utf8).base64EncodedString()
            #expect(request.headers.contains { $0.name.lowercased() == "authorization" && $0.value == basic })

            // null clears; the channel read back is the updated one.
            let cleared = try await server.call(
                "PATCH", "/channels/tw-api", json: ["defaultQueue": NSNull(), "ratePerSecond": NSNull()])
            #expect(cleared.status == 200, "\(cleared.text)")
            let read = try await server.call("GET", "/channels/tw-api")
            #expect(read.json["defaultQueue"] == nil)
            #expect(read.json["ratePerSecond"] == nil)
            #expect((read.json["settings"] as? [String: String])?["auth_token"] == "***")
        }
    }

    @Test func patchIsValidatedLikeCreateListingEveryProblem() async throws {
        try await withService { server, _ in
            #expect(try await server.call("POST", "/channels", json: Self.twilioChannel).status == 201)
            let broken = try await server.call(
                "PATCH", "/channels/tw-api",
                json: [
                    "settings": ["account_sid": NSNull(), "x": "1"], "address": "not a number!",
                    "validitySeconds": 0,
                ])
            #expect(broken.status == 400)
            let errors = try #require((broken.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])
            let problems = Set(errors.map { "\($0["attribute"] ?? "")=\($0["code"] ?? "")" })
            #expect(
                problems == [
                    "settings.account_sid=missing-setting", "settings.x=unknown-setting", "address=invalid-address",
                    "validitySeconds=invalid-validity",
                ])
            let redacted = try await server.call(
                "PATCH", "/channels/tw-api", json: ["settings": ["auth_token": "***"]])
            #expect(redacted.errorCode == "redacted-value")
            #expect(Self.attribute(redacted) == "settings.auth_token")
            let reference = try await server.call(
                "PATCH", "/channels/tw-api", json: ["settings": ["auth_token": "env:HOME"]])
            #expect(reference.errorCode == "reference-not-allowed")
            for member in ["provider", "channel", "id", "inboundToken"] {
                let unknown = try await server.call("PATCH", "/channels/tw-api", json: [member: "x"])
                #expect(unknown.errorCode == "unknown-field", "\(member)")
                #expect(Self.attribute(unknown) == member)
            }
            let wrongType = try await server.call("PATCH", "/channels/tw-api", json: ["settings": ["a": 1]])
            #expect(wrongType.errorCode == "bad-json")
            // Another channel of the account has this kind and address.
            var second = Self.twilioChannel
            second["id"] = "tw-api-2"
            second["address"] = "+15550007002"
            #expect(try await server.call("POST", "/channels", json: second).status == 201)
            let taken = try await server.call("PATCH", "/channels/tw-api-2", json: ["address": "+15550007001"])
            #expect(taken.status == 409)
            #expect(taken.errorCode == "channel-exists")
            // Nothing above changed the channel.
            let read = try await server.call("GET", "/channels/tw-api")
            #expect(read.json["address"] as? String == "+15550007001")
            #expect((read.json["settings"] as? [String: String])?["account_sid"] == RealGatewayTests.accountSid)
            #expect(read.json["validitySeconds"] == nil)
        }
    }

    @Test func patchAttacksAndConfiguredChannels() async throws {
        try await withService { server, _ in
            #expect(try await server.call("POST", "/channels", json: Self.twilioChannel).status == 201)
            let change: [String: Any] = ["defaultQueue": "stolen"]
            // Another account's key does not see the channel.
            let other = try await server.call("PATCH", "/channels/tw-api", json: change, apiKey: "other-account-key")
            #expect(other.status == 404)
            #expect(other.errorCode == "unknown-channel")
            // A messaging-only key, or no key, cannot change channels.
            let messaging = try await server.call(
                "PATCH", "/channels/tw-api", json: change, apiKey: TestServer.messagingKey)
            #expect(messaging.status == 403)
            #expect(messaging.errorCode == "forbidden")
            #expect(try await server.call("PATCH", "/channels/tw-api", json: change, apiKey: nil).status == 401)
            #expect(try await server.call("GET", "/channels/tw-api").json["defaultQueue"] == nil)
            // A channel from the configuration file is read-only here.
            let configured = try await server.call("PATCH", "/channels/tw", json: change)
            #expect(configured.status == 409)
            #expect(configured.errorCode == "channel-read-only")
            #expect(try await server.call("GET", "/channels/tw").json["defaultQueue"] == nil)
            #expect(try await server.call("PATCH", "/channels/nope", json: change).errorCode == "unknown-channel")
        }
    }

    /// Vonage signs webhooks only when the channel has a signature secret: removing it gives the channel a webhook
    /// token, shown once.
    @Test func removingTheSignatureSecretGivesTheChannelAToken() async throws {
        try await withService { server, _ in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "vn-api", "channel": "sms", "provider": "vonage", "address": "+15550007003",
                    "settings": ["api_key": "k", "api_secret": "s", "signature_secret": "sig"],
                ])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["inboundToken"] == nil)
            let updated = try await server.call(
                "PATCH", "/channels/vn-api", json: ["settings": ["signature_secret": NSNull()]])
            #expect(updated.status == 200, "\(updated.text)")
            let token = try #require(updated.json["inboundToken"] as? String)
            #expect((updated.json["inboundUrl"] as? String)?.hasSuffix("/inbound/acct-1/vn-api/\(token)") == true)
            #expect((updated.json["settings"] as? [String: String])?["signature_secret"] == nil)
            // The next change keeps the token and does not show it again.
            let again = try await server.call("PATCH", "/channels/vn-api", json: ["defaultQueue": "q"])
            #expect(again.json["inboundToken"] == nil)
            #expect((again.json["inboundUrl"] as? String)?.hasSuffix("/{token}") == true)
        }
    }
}
