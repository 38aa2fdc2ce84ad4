import CarrierCore
import CarrierRuntime
import Foundation
import GRDB
import Testing

@testable import CarrierService

@Suite(.timeLimit(.minutes(1)))
struct ServiceAPITests {
    static let contact = "+447700900123"

    @Test func healthAndSendOk() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let health = try await server.call("GET", "/health", apiKey: nil)
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")

            let answer = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "hello"])
            #expect(answer.status == 200)
            #expect(answer.json["ok"] as? Bool == true)
            #expect(answer.json["status"] as? String == "sent")
            #expect(answer.json["providerMessageId"] as? String == "p-1")
            #expect(answer.json["segments"] as? Int == 1)
            let sent = try #require(gateway.sent.first)
            #expect(sent.carrier == "fake")
            #expect(sent.message.from == "+15550000001")
            #expect(sent.message.to == Self.contact)
            #expect(sent.settings["signingSecret"] == TestServer.signature)
            #expect(sent.settings["region"] == "eu")

            let id = try #require(answer.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["status"] as? String == "sent")
            #expect(stored["direction"] as? String == "outbound")
            let conversationId = try #require(answer.json["conversationId"] as? String)
            let thread = try await server.call("GET", "/conversations/\(conversationId)/messages")
            #expect((thread.json["messages"] as? [[String: Any]])?.count == 1)
        }
    }

    /// U+0000 is valid JSON (`\\u0000`) but PostgreSQL text cannot hold it (it answered 500): every backend refuses it
    /// in any text member with 400 `nul-character`, naming the member, and nothing is sent.
    @Test func aNulCharacterInATextMemberIsRefused() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let cases: [(String, [String: Any])] = [
                ("body", ["body": "code \u{0} 1234"]),
                ("reference", ["body": "x", "reference": "r\u{0}"]),
                ("tags[1]", ["body": "x", "tags": ["a", "b\u{0}"]]),
                ("metadata.k", ["body": "x", "metadata": ["k": "\u{0}"]]),
            ]
            for (member, fields) in cases {
                let request = fields.merging(["channelId": "ch-sms", "to": Self.contact]) { given, _ in given }
                let answer = try await server.send(request)
                #expect(answer.status == 400, "\(member)")
                let errors = (answer.json["error"] as? [String: Any])?["errors"] as? [[String: Any]] ?? []
                let named = errors.filter { $0["attribute"] as? String == member }
                #expect(named.contains { $0["code"] as? String == "nul-character" }, "\(member): \(answer.json)")
            }
            #expect(gateway.sent.isEmpty)
        }
    }

    /// Carriers are not refused a U+0000: what they send is stored with U+FFFD in its place, on both backends
    /// (PostgreSQL answered the webhook 500, so the carrier resent it forever, and could not store a send's result,
    /// so the message went out again; SQLite's list reads ended the text at the character).
    @Test func aNulCharacterFromACarrierIsStoredAsTheReplacementCharacter() async throws {
        let gateway = FakeGateway()
        gateway.script(SendResult(carrier: "fake", outcome: .ok, providerMessageId: "p-\u{0}-9"))
        try await TestServer.with(gateway: gateway) { server in
            let sent = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            #expect(sent.status == 200, "\(sent.text)")
            #expect(sent.json["providerMessageId"] as? String == "p-\u{FFFD}-9")
            let id = try #require(sent.json["messageId"] as? String)
            #expect(try await server.message(id)["providerMessageId"] as? String == "p-\u{FFFD}-9")
            #expect(gateway.sent.count == 1, "sent once")

            let received = try await server.webhook(
                "ch-sms", ["type": "mo", "from": Self.contact, "text": "a\u{0}b", "id": "in-\u{0}"])
            #expect(received.status == 200, "\(received.text)")
            let replies = try await server.call("GET", "/replies").json["messages"] as? [[String: Any]]
            let reply = try #require(replies?.first)
            #expect(reply["body"] as? String == "a\u{FFFD}b")
            #expect(reply["providerMessageId"] as? String == "in-\u{FFFD}")
            let conversationId = try #require(reply["conversationId"] as? String)
            let listed = try await server.call("GET", "/conversations/\(conversationId)/messages")
            let bodies = (listed.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
            #expect(bodies.contains("a\u{FFFD}b"), "\(bodies)")

            let report = try await server.webhook(
                "ch-sms",
                ["type": "status", "id": "p-\u{0}-9", "status": "undelivered", "errorCode": "e\u{0}30"])
            #expect(report.status == 200, "\(report.text)")
            let message = try await server.message(id)
            #expect(message["status"] as? String == "undelivered", "the report found its message: \(message)")
            #expect(message["errorCode"] as? String == "e\u{FFFD}30")
        }
    }

    @Test func validationErrors() async throws {
        try await TestServer.with { server in
            let answer = try await server.send(["channelId": "ch-sms", "to": "0044123"])
            #expect(answer.status == 400)
            #expect(answer.errorCode == "validation-failed")
            let errors = try #require((answer.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])
            let attributes = Set(errors.compactMap { $0["attribute"] as? String })
            #expect(attributes == ["to", "body"])
            #expect(errors.allSatisfy { $0["type"] != nil && $0["code"] != nil && $0["message"] != nil })

            let unknown = try await server.send(["channelId": "nope", "to": Self.contact, "body": "x"])
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "unknown-channel")
        }
    }

    /// Members and query parameters an endpoint does not take are refused, never dropped: templates, conversation
    /// updates, reply confirmations, and the `limit` of `/replies` and of a webhook's deliveries.
    @Test func unknownMembersAndParametersAreRefusedEverywhere() async throws {
        try await TestServer.with { server in
            let created = try await server.call(
                "POST", "/templates", json: ["name": "hi", "language": "en", "body": "Hi {{1}}", "footer": "x"])
            #expect(created.status == 400 && created.errorCode == "unknown-field")
            #expect((created.json["error"] as? [String: Any])?["attribute"] as? String == "footer")
            let template = try await server.call(
                "POST", "/templates", json: ["name": "hi", "language": "en", "body": "Hi {{1}}"])
            #expect(template.status == 201)
            let id = try #require(template.json["id"] as? String)
            // PATCH changes the status only: a new body would be silently lost.
            let patched = try await server.call(
                "PATCH", "/templates/\(id)", json: ["status": "approved", "body": "Bye"])
            #expect(patched.status == 400 && patched.errorCode == "unknown-field")
            #expect(try await server.call("PATCH", "/templates/\(id)", json: ["status": "approved"]).status == 200)

            let conversation = try await server.call("PATCH", "/conversations/c1", json: ["state": "closed"])
            #expect(conversation.status == 400 && conversation.errorCode == "unknown-field")
            let confirm = try await server.call("POST", "/replies/confirm", json: ["ids": [], "all": true])
            #expect(confirm.status == 400 && confirm.errorCode == "unknown-field")
            #expect(try await server.call("POST", "/replies/confirm", json: ["ids": []]).status == 200)

            let replies = try await server.call("GET", "/replies?limit=5&max=9")
            #expect(replies.status == 400 && replies.errorCode == "unknown-field")
            #expect(try await server.call("GET", "/replies?limit=5").status == 200)
            #expect(try await server.call("GET", "/replies?limit=5&limit=6").errorCode == "duplicate-parameter")
            let deliveries = try await server.call("GET", "/webhooks/wh-none/deliveries?page=2")
            #expect(deliveries.status == 400 && deliveries.errorCode == "unknown-field")
            #expect(try await server.call("GET", "/webhooks/wh-none/deliveries?limit=5").errorCode == "unknown-webhook")
        }
    }

    @Test func optOutAndBackIn() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let stop = try await server.webhook("ch-sms", ["type": "mo", "from": Self.contact, "text": "STOP"])
            #expect(stop.status == 200)
            #expect(stop.text == "OK")
            let refused = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "hi"])
            #expect(refused.status == 403)
            #expect(refused.errorCode == "opted-out")
            #expect(gateway.sent.isEmpty)

            try await server.webhook("ch-sms", ["type": "mo", "from": Self.contact, "text": "start"])
            let accepted = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "hi"])
            #expect(accepted.status == 200)
            #expect(gateway.sent.count == 1)
        }
    }

    @Test func whatsAppWindowAndTemplates() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let closed = try await server.send(["channelId": "ch-wa", "to": Self.contact, "body": "free form"])
            #expect(closed.status == 422)
            #expect(closed.errorCode == "window-closed")

            let created = try await server.call(
                "POST", "/templates",
                json: ["name": "order_ready", "language": "en", "category": "utility", "body": "Order {{1}} at {{2}}"])
            #expect(created.status == 201)
            #expect(created.json["status"] as? String == "pending")
            let templateId = try #require(created.json["id"] as? String)
            let template: [String: Any] = [
                "channelId": "ch-wa", "to": Self.contact, "templateName": "order_ready", "templateLang": "en",
                "templateVars": ["42", "noon"],
            ]
            let pending = try await server.send(template)
            #expect(pending.status == 422)
            #expect(pending.errorCode == "unknown-template")

            let approved = try await server.call("PATCH", "/templates/\(templateId)", json: ["status": "approved"])
            #expect(approved.json["status"] as? String == "approved")

            // Outside the window: a template is allowed.
            let outside = try await server.send(template)
            #expect(outside.status == 200)
            let outsideId = try #require(outside.json["messageId"] as? String)
            #expect(try await server.message(outsideId)["body"] as? String == "Order 42 at noon")
            let sentTemplate = try #require(gateway.sent.last?.message.template)
            #expect(sentTemplate.name == "order_ready")
            #expect(sentTemplate.variables == ["42", "noon"])

            // Inside the window: both templates and free-form messages are allowed.
            try await server.webhook("ch-wa", ["type": "mo", "from": Self.contact, "text": "hi"])
            #expect(try await server.send(template).status == 200)
            let free = try await server.send(["channelId": "ch-wa", "to": Self.contact, "body": "free form"])
            #expect(free.status == 200)
            #expect(gateway.sent.count == 3)
        }
    }

    @Test func permanentCarrierError() async throws {
        let gateway = FakeGateway()
        gateway.script(
            SendResult(carrier: "fake", outcome: .permanent, errorCode: "21211", errorMessage: "invalid number"))
        try await TestServer.with(gateway: gateway) { server in
            let answer = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            #expect(answer.status == 502)
            #expect(answer.json["ok"] as? Bool == false)
            #expect(answer.json["status"] as? String == "failed")
            let error = try #require(answer.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "carrier-error")
            #expect(error["carrierCode"] as? String == "21211")
            let id = try #require(answer.json["messageId"] as? String)
            let stored = try await server.message(id)
            #expect(stored["status"] as? String == "failed")
            #expect(stored["errorCode"] as? String == "21211")
            #expect(stored["errorMessage"] as? String == "invalid number")
            #expect(gateway.sent.count == 1)
        }
    }

    @Test func retryableErrorIsRetried() async throws {
        let gateway = FakeGateway()
        gateway.script(
            SendResult(carrier: "fake", outcome: .retryable, errorCode: "429", retryAfterSeconds: 0.01),
            SendResult(carrier: "fake", outcome: .ok, providerMessageId: "p-after-retry"))
        try await TestServer.with(gateway: gateway) { server in
            let answer = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            #expect(answer.status == 202, "the first attempt was retryable: queued for a retry")
            #expect(answer.json["status"] as? String == "queued")
            let id = try #require(answer.json["messageId"] as? String)
            let sent = try await server.waitForMessage(id) { $0["status"] as? String == "sent" }
            #expect(sent["providerMessageId"] as? String == "p-after-retry")
            #expect(sent["attempts"] as? Int == 2)
            #expect(gateway.sent.count == 2)
        }
    }

    @Test func idempotencyKey() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let payload: [String: Any] = ["channelId": "ch-sms", "to": Self.contact, "body": "once"]
            let first = try await server.send(payload, headers: ["Idempotency-Key": "k-1"])
            let second = try await server.send(payload, headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.data == second.data)
            #expect(gateway.sent.count == 1)
            let other = try await server.send(payload, headers: ["Idempotency-Key": "k-2"])
            #expect(other.json["messageId"] as? String != first.json["messageId"] as? String)
            #expect(gateway.sent.count == 2)
        }
    }

    @Test func anIdempotencyKeyIsForgottenAfterItsHours() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let payload: [String: Any] = ["channelId": "ch-sms", "to": "+15550001111", "body": "hi"]
            let first = try await server.send(payload, headers: ["Idempotency-Key": "k-old"])
            #expect(first.status == 200)
            // The key was used 25 hours ago (the default memory is 24 hours).
            try await server.sql("UPDATE idempotency_key SET created_at = created_at - 25 * 3600")
            let again = try await server.send(payload, headers: ["Idempotency-Key": "k-old"])
            #expect(again.status == 200)
            #expect(again.json["messageId"] as? String != first.json["messageId"] as? String)
            #expect(gateway.sent.count == 2)
        }
    }

    @Test func concurrentRequestsWithOneIdempotencyKeySendOnce() async throws {
        let gate = Gate()
        let gateway = FakeGateway { _ in await gate.wait() }
        try await TestServer.with(gateway: gateway) { server in
            let payload: [String: Any] = ["channelId": "ch-sms", "to": Self.contact, "body": "once"]
            let contact = Self.contact
            let first = Task {
                try await server.send(
                    ["channelId": "ch-sms", "to": contact, "body": "once"], headers: ["Idempotency-Key": "k-race"])
            }
            while gateway.sent.isEmpty { try await Task.sleep(nanoseconds: 5_000_000) }
            let second = try await server.send(payload, headers: ["Idempotency-Key": "k-race"])
            #expect(second.status == 202, "the message exists and is being sent: its current state")
            #expect(second.json["status"] as? String == "queued")
            await gate.open()
            let done = try await first.value
            #expect(done.status == 200)
            #expect(second.json["messageId"] as? String == done.json["messageId"] as? String)
            let third = try await server.send(payload, headers: ["Idempotency-Key": "k-race"])
            #expect(third.data == done.data)
            #expect(gateway.sent.count == 1)
        }
    }

    @Test func aRejectedRequestReleasesItsIdempotencyKey() async throws {
        let gateway = FakeGateway()
        try await TestServer.with(gateway: gateway) { server in
            let bad = try await server.send(
                ["channelId": "ch-sms", "to": "nope", "body": "x"], headers: ["Idempotency-Key": "k-fix"])
            #expect(bad.status == 400)
            let fixed = try await server.send(
                ["channelId": "ch-sms", "to": Self.contact, "body": "x"], headers: ["Idempotency-Key": "k-fix"])
            #expect(fixed.status == 200)
            #expect(gateway.sent.count == 1)
        }
    }

    @Test func inboundMessageAndConversation() async throws {
        try await TestServer.with { server in
            try await server.webhook("ch-wa", ["type": "mo", "from": Self.contact, "text": "one", "id": "in-1"])
            let replies = try await server.call("GET", "/replies")
            let first = try #require((replies.json["messages"] as? [[String: Any]])?.first)
            #expect(first["body"] as? String == "one")
            #expect(first["status"] as? String == "received")
            #expect(first["providerMessageId"] as? String == "in-1")
            let conversationId = try #require(first["conversationId"] as? String)
            let conversation = try await server.call("GET", "/conversations/\(conversationId)").json
            #expect(conversation["status"] as? String == "open")
            #expect(conversation["unreadCount"] as? Int == 1)
            let window = try #require(conversation["windowExpiresAt"] as? Double)
            let expected = Date().timeIntervalSince1970 + 24 * 3600
            #expect(abs(window - expected) < 60)

            // Close it through the API (the window is expired directly in the database), then a new inbound
            // message reopens it.
            let closed = try await server.call(
                "PATCH", "/conversations/\(conversationId)",
                json: ["status": "closed", "assignee": "agent-7", "markRead": true])
            #expect(closed.status == 200, "\(closed.text)")
            #expect(closed.json["status"] as? String == "closed")
            #expect(closed.json["assignee"] as? String == "agent-7")
            #expect(closed.json["unreadCount"] as? Int == 0)
            let invalid = try await server.call("PATCH", "/conversations/\(conversationId)", json: ["status": "gone"])
            #expect(invalid.status == 400)
            #expect(try await server.call("PATCH", "/conversations/nope", json: ["status": "open"]).status == 404)
            try await server.sql("UPDATE conversation SET window_expires_at = 0 WHERE id = '\(conversationId)'")
            try await server.webhook("ch-wa", ["type": "mo", "from": Self.contact, "text": "two"])
            let reopened = try await server.call("GET", "/conversations/\(conversationId)").json
            #expect(reopened["status"] as? String == "open")
            #expect(reopened["unreadCount"] as? Int == 1, "read before closing, one new message")
            #expect(reopened["assignee"] as? String == "agent-7")
            #expect(try #require(reopened["windowExpiresAt"] as? Double) > window - 1)
        }
    }

    @Test func partsOfALongMessageAreStoredAsOneMessage() async throws {
        try await TestServer.with { server in
            func part(_ number: Int, _ text: String) async throws {
                let answer = try await server.webhook(
                    "ch-sms",
                    [
                        "type": "mo", "from": Self.contact, "text": text, "id": "mo-part-\(number)",
                        "part": ["r7", 3, number],
                    ])
                #expect(answer.status == 200, "every part is acknowledged")
            }
            func replies() async throws -> [[String: Any]] {
                try await server.call("GET", "/replies").json["messages"] as? [[String: Any]] ?? []
            }
            try await part(3, " the end.")
            try await part(1, "A long message")
            #expect(try await replies().isEmpty, "waits for part 2")
            try await part(2, " split in three,")
            var messages = try await replies()
            #expect(messages.count == 1)
            #expect(messages.first?["body"] as? String == "A long message split in three, the end.")
            #expect(messages.first?["providerMessageId"] as? String == "mo-part-1")
            let conversationId = try #require(messages.first?["conversationId"] as? String)
            let conversation = try await server.call("GET", "/conversations/\(conversationId)").json
            #expect(conversation["unreadCount"] as? Int == 1)
            // The carrier sends part 2 again (it missed our answer): still one message.
            try await part(2, " split in three,")
            messages = try await replies()
            #expect(messages.count == 1)
        }
    }

    @Test func statusCallbacks() async throws {
        try await TestServer.with { server in
            let sent = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "x"])
            let id = try #require(sent.json["messageId"] as? String)
            let providerId = try #require(sent.json["providerMessageId"] as? String)
            let delivered = try await server.webhook(
                "ch-sms", ["type": "status", "id": providerId, "status": "delivered"])
            #expect(delivered.status == 200)
            #expect(try await server.message(id)["status"] as? String == "delivered")
            // A late `sent` does not move the status back.
            try await server.webhook("ch-sms", ["type": "status", "id": providerId, "status": "sent"])
            #expect(try await server.message(id)["status"] as? String == "delivered")
            try await server.webhook("ch-sms", ["type": "status", "id": providerId, "status": "read"])
            #expect(try await server.message(id)["status"] as? String == "read")

            let unknown = try await server.webhook("ch-sms", ["type": "status", "id": "ghost", "status": "delivered"])
            #expect(unknown.status == 200)
            let pending = try await server.call("GET", "/pending-statuses")
            let records = try #require(pending.json["pending"] as? [[String: Any]])
            #expect(records.map { $0["providerMessageId"] as? String } == ["ghost"])
        }
    }

    @Test func statusCallbackBeforeSendResponse() async throws {
        let (posted, postedContinuation) = AsyncStream<Void>.makeStream()
        let (sending, sendingContinuation) = AsyncStream<Void>.makeStream()
        let gateway = FakeGateway { _ in
            sendingContinuation.yield()
            for await _ in posted { break }
        }
        try await TestServer.with(gateway: gateway) { server in
            async let answer = server.send(["channelId": "ch-sms", "to": Self.contact, "body": "race"])
            for await _ in sending { break }
            let callback = try await server.webhook("ch-sms", ["type": "status", "id": "p-1", "status": "delivered"])
            #expect(callback.status == 200)
            postedContinuation.yield()
            let response = try await answer
            #expect(response.status == 200)
            let id = try #require(response.json["messageId"] as? String)
            #expect(try await server.message(id)["status"] as? String == "delivered")
            let pending = try await server.call("GET", "/pending-statuses")
            #expect((pending.json["pending"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func authentication() async throws {
        try await TestServer.with { server in
            let payload: [String: Any] = ["channelId": "ch-sms", "to": Self.contact, "body": "x"]
            let missing = try await server.call("POST", "/send", json: payload, apiKey: nil)
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized")
            let wrong = try await server.call("POST", "/send", json: payload, apiKey: "not-a-key")
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "unauthorized")
            let noMessaging = try await server.call("POST", "/send", json: payload, apiKey: TestServer.adminKey)
            #expect(noMessaging.status == 403)
            #expect(noMessaging.errorCode == "forbidden")
            let noAdmin = try await server.call("GET", "/channels", apiKey: TestServer.messagingKey)
            #expect(noAdmin.status == 403)
            #expect(noAdmin.errorCode == "forbidden")
            let allowed = try await server.call("POST", "/send", json: payload, apiKey: TestServer.messagingKey)
            #expect(allowed.status == 200)
        }
    }

    @Test func badJSONAndBadSignature() async throws {
        try await TestServer.with { server in
            let bad = try await server.call("POST", "/send", body: Data("{not json".utf8))
            #expect(bad.status == 400)
            #expect(bad.errorCode == "bad-json")
            let signature = try await server.webhook(
                "ch-sms", ["type": "mo", "from": Self.contact, "text": "x"], signature: "wrong")
            #expect(signature.status == 401)
            #expect(signature.errorCode == "bad-signature")
            let replies = try await server.call("GET", "/replies")
            #expect((replies.json["messages"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func channelManagement() async throws {
        try await TestServer.with { server in
            let unknown = try await server.call(
                "POST", "/channels", json: ["channel": "sms", "provider": "nope", "address": "+15550000009"])
            #expect(unknown.status == 400)
            #expect(unknown.errorCode == "unknown-provider")
            // A reference is the operator's alone (issue #14): through the API a value is a value.
            let reference = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "ch-new", "channel": "sms", "provider": "fake", "address": "+15550000009",
                    "settings": ["token": "env:SOME_TOKEN"],
                ])
            #expect(reference.status == 400)
            #expect(reference.text.contains("reference-not-allowed"))
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "ch-new", "channel": "sms", "provider": "fake", "address": "+15550000009",
                    "settings": ["token": "plain-token"],
                ])
            #expect(created.status == 201)
            let duplicate = try await server.call(
                "POST", "/channels", json: ["channel": "sms", "provider": "fake", "address": "+15550000009"])
            #expect(duplicate.status == 409)
            let fetched = try await server.call("GET", "/channels/ch-new")
            #expect((fetched.json["settings"] as? [String: String])?["token"] == "plain-token")
            #expect(fetched.json["inboundUrl"] as? String == "https://carrier.example.com/inbound/acct-1/ch-new")
            let list = try await server.call("GET", "/channels")
            #expect((list.json["channels"] as? [[String: Any]])?.count == 3)
            #expect(try await server.call("DELETE", "/channels/ch-new").status == 200)
            #expect(try await server.call("GET", "/channels/ch-new").status == 404)
        }
    }

    /// A channel shows the pace and validity it was given (they were stored but left out of every answer).
    @Test func aChannelShowsItsRateAndValidity() async throws {
        try await TestServer.with { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "ch-paced", "channel": "sms", "provider": "fake", "address": "+15550000019",
                    "ratePerSecond": 2.5, "validitySeconds": 900,
                ])
            #expect(created.status == 201)
            #expect(created.json["ratePerSecond"] as? Double == 2.5)
            #expect(created.json["validitySeconds"] as? Int == 900)
            let fetched = try await server.call("GET", "/channels/ch-paced")
            #expect(fetched.json["ratePerSecond"] as? Double == 2.5)
            #expect(fetched.json["validitySeconds"] as? Int == 900)
            let plain = try await server.call("GET", "/channels/ch-sms")
            #expect(plain.status == 200)
            #expect(plain.json["ratePerSecond"] == nil && plain.json["validitySeconds"] == nil)
        }
    }

    @Test func repliesAndConfirm() async throws {
        try await TestServer.with { server in
            for text in ["a", "b", "c"] {
                try await server.webhook("ch-sms", ["type": "mo", "from": Self.contact, "text": text])
            }
            let limited = try await server.call("GET", "/replies?limit=2")
            let firstTwo = try #require(limited.json["messages"] as? [[String: Any]])
            #expect(firstTwo.compactMap { $0["body"] as? String } == ["a", "b"])
            let ids = firstTwo.compactMap { $0["id"] as? String }
            let confirm = try await server.call("POST", "/replies/confirm", json: ["ids": ids])
            #expect(confirm.json["confirmed"] as? Int == 2)
            let rest = try await server.call("GET", "/replies")
            #expect((rest.json["messages"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["c"])
        }
    }

    @Test func webhooksAnswerTheSameBeforeAndAfterTheirChannelIsCached() async throws {
        // The first webhook finds the channel in the database (async path); later ones find it cached and are
        // answered without a task. Both must verify, store and answer alike.
        try await TestServer.with { server in
            for round in 0..<3 {
                let bad = try await server.webhook(
                    "ch-sms", ["type": "mo", "from": Self.contact, "text": "bad \(round)"], signature: "wrong")
                #expect(bad.status == 401)
                #expect(bad.errorCode == "bad-signature")
                let good = try await server.webhook(
                    "ch-sms", ["type": "mo", "id": "mo-\(round)", "from": Self.contact, "text": "good \(round)"])
                #expect(good.status == 200)
            }
            let replies = try await server.call("GET", "/replies")
            let bodies = (replies.json["messages"] as? [[String: Any]])?.compactMap { $0["body"] as? String }
            #expect(bodies == ["good 0", "good 1", "good 2"])
            let unknown = try await server.webhook("ch-none", ["type": "mo", "from": Self.contact, "text": "x"])
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "unknown-channel")
        }
    }

    @Test func oversizedBodyIsRefusedWithItsOwnCode() async throws {
        try await TestServer.with { server in
            let big = Data(repeating: UInt8(ascii: "a"), count: ServiceResponder.maxBodyBytes + 1)
            let answer = try await server.call("POST", "/inbound/acct-1/ch-sms", body: big)
            #expect(answer.status == 413)
            #expect(answer.errorCode == "body-too-large")
            // The connection stays usable and nothing was stored.
            let replies = try await server.call("GET", "/replies")
            #expect((replies.json["messages"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func shutdownLetsARequestInFlightFinish() async throws {
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let (sending, sendingContinuation) = AsyncStream<Void>.makeStream()
        let gateway = FakeGateway { _ in
            sendingContinuation.yield()
            for await _ in release { break }
        }
        let server = try await TestServer.start(gateway: gateway, databasePath: TestServer.temporaryDatabasePath())
        async let answer = server.send(["channelId": "ch-sms", "to": Self.contact, "body": "in flight"])
        for await _ in sending { break }
        server.task.cancel()
        // The listener closes first: a new request is refused while the one in flight is still waiting. A loaded
        // test run may take a while to get there; the send stays held meanwhile.
        var refused = false
        for _ in 0..<50 where !refused {
            try await Task.sleep(for: .milliseconds(100))
            refused = (try? await server.call("GET", "/health", apiKey: nil)) == nil
        }
        #expect(refused, "a new connection must be refused once shutdown began")
        releaseContinuation.yield()
        let response = try await answer
        #expect(response.status == 200)
        #expect(response.json["status"] as? String == "sent")
        _ = await server.task.result
        #expect(try await server.sql("SELECT status FROM message WHERE body = 'in flight'") == ["sent"])
    }

    @Test func restartKeepsData() async throws {
        let path = try TestServer.temporaryDatabasePath()
        let gateway = FakeGateway()
        let id = try await TestServer.with(gateway: gateway, databasePath: path) { server in
            let answer = try await server.send(["channelId": "ch-sms", "to": Self.contact, "body": "persist"])
            try await server.webhook("ch-sms", ["type": "status", "id": "ghost", "status": "delivered"])
            return try #require(answer.json["messageId"] as? String)
        }
        try await TestServer.with(gateway: gateway, databasePath: path) { server in
            let stored = try await server.message(id)
            #expect(stored["body"] as? String == "persist")
            #expect(stored["status"] as? String == "sent")
            let pending = try await server.call("GET", "/pending-statuses")
            #expect((pending.json["pending"] as? [[String: Any]])?.count == 1)
        }
    }
}

/// Holds callers until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
