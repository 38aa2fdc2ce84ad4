import CarrierRuntime
import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierCore
@testable import CarrierService

/// `openapi/carrier.yaml`'s schemas against the code: a request schema lists exactly the members the endpoint takes,
/// and an answer's schema lists exactly the keys its type encodes when every optional has a value (the schemas are
/// closed, so a key the code adds and the document misses fails schemathesis, and this test says which).
@Suite struct OpenAPISchemaSyncTests {
    /// The `properties` names of `components.schemas.<name>`.
    static func documentedProperties(_ name: String) throws -> Set<String> {
        let url = repositoryRoot.appendingPathComponent("openapi/carrier.yaml")
        let (root, _) = YAMLReader.read(try [UInt8](Data(contentsOf: url)), file: "openapi/carrier.yaml")
        func member(_ node: YAMLNode?, _ key: String) -> YAMLNode? {
            guard case .mapping(let pairs) = node?.kind else { return nil }
            return pairs.first(where: { $0.key.scalar == key })?.value
        }
        let schema = member(member(member(root, "components"), "schemas"), name)
        guard case .mapping(let properties) = member(schema, "properties")?.kind else {
            Issue.record("components.schemas.\(name) has no properties")
            return []
        }
        return Set(properties.compactMap(\.key.scalar))
    }

    /// The top-level keys `value` encodes to in the API's JSON.
    static func encodedKeys(_ value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: MessagingEngine.encode(value)) as? [String: Any]
        return Set(try #require(object).keys)
    }

    @Test func requestSchemasListTheMembersTheEndpointsTake() throws {
        #expect(try Self.documentedProperties("SendRequest") == SendRequest.members)
        #expect(
            try Self.documentedProperties("WebhookEndpointRequest") == MessagingEngine.WebhookEndpointRequest.members)
        #expect(try Self.documentedProperties("ChannelRequest") == ChannelRequest.members)
        #expect(try Self.documentedProperties("ChannelUpdate") == ChannelUpdate.members)
        #expect(try Self.documentedProperties("TemplateRequest") == TemplateRequest.members)
    }

    @Test func messageSchemaListsEveryFieldOfAMessage() throws {
        var message = MessageRecord(
            id: "msg_1", accountId: "a", conversationId: "conv_1", channelId: "c", direction: "outbound",
            fromAddress: "+15550000001", toAddress: "+15550000002", body: "Hi", media: ["https://x.test/a.png"],
            status: "queued", providerMessageId: "p1", templateName: "t", segments: 1, errorCode: "e",
            errorMessage: "m", reference: "r", confirmed: false, createdAt: 1, updatedAt: 2)
        message.scheduledFor = 3
        message.expiresAt = 4
        message.validitySeconds = 60
        message.nextAttemptAt = 5
        message.templateLanguage = "en"
        message.templateVariables = ["v"]
        message.callbackUrl = "https://hooks.test/cb"
        message.deliveryReport = "final"
        message.providerStatus = "accepted"
        message.metadata = ["k": "v"]
        message.tags = ["t"]
        #expect(try Self.documentedProperties("Message") == Self.encodedKeys(message))
    }

    @Test func conversationAndOptOutSchemasListEveryField() throws {
        let conversation = ConversationRecord(
            id: "conv_1", accountId: "a", channelId: "c", contactAddress: "+15550000002", status: "assigned",
            assignee: "ann", unreadCount: 1, windowExpiresAt: 1, lastMessageAt: 2, createdAt: 3, updatedAt: 4,
            queue: "sales")
        #expect(try Self.documentedProperties("Conversation") == Self.encodedKeys(conversation))
        let optOut = OptOutRecord(kind: .sms, address: "+15550000002", source: "api", createdAt: 1)
        #expect(try Self.documentedProperties("OptOut") == Self.encodedKeys(optOut))
    }

    @Test func channelSchemaListsEveryFieldOfAChannelView() throws {
        var record = ChannelRecord(
            id: "c", accountId: "a", channel: "sms", provider: "fake", address: "+15550000001",
            settings: ["region": "eu"], defaultQueue: "sales", createdAt: 1, updatedAt: 2, ratePerSecond: 5,
            validitySeconds: 60)
        record.inboundTokenHash = "00"
        let view = ChannelView(record, gateway: FakeGateway(), publicBaseURL: "https://x.test", token: "tok")
        #expect(try Self.documentedProperties("Channel") == Self.encodedKeys(view))
    }

    @Test func webhookSchemasListEveryFieldOfTheirViews() throws {
        let endpoint = WebhookEndpointRecord(
            id: "wh_1", accountId: "a", url: "https://hooks.test/", events: ["message.status"], channelId: "c",
            secret: "sealed", previousSecret: "sealed-old", previousSecretUntil: 9, enabled: false,
            disabledReason: "manual", failingSince: 1, createdAt: 2, updatedAt: 3)
        let endpointView = MessagingEngine.WebhookEndpointView(endpoint, secret: "whsec_AAAA")
        #expect(try Self.documentedProperties("WebhookEndpoint") == Self.encodedKeys(endpointView))
        let delivery = WebhookDeliveryRecord(
            id: "whd_1", accountId: "a", endpointId: "wh_1", url: "https://hooks.test/", eventId: "evt_1",
            eventType: "message.status", messageId: "msg_1", sequence: 1, payload: "{}", status: "pending",
            attempts: 2, dueAt: 5, leaseOwner: "o", leaseUntil: 6, lastHttpStatus: 500, lastError: "http-500",
            lastLatencyMs: 12, createdAt: 1, updatedAt: 2, deliveredAt: 3)
        let deliveryView = MessagingEngine.WebhookDeliveryView(delivery)
        #expect(try Self.documentedProperties("WebhookDelivery") == Self.encodedKeys(deliveryView))
    }
}
