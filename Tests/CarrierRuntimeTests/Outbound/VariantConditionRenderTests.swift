import CarrierCore
import Testing

@testable import CarrierRuntime

/// Send variants chosen by `all:` / `any:` lists and `value` comparisons, compiled from YAML and rendered.
@Suite struct VariantConditionRenderTests {
    static let adapter: Adapter = {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms, whatsapp]
            send:
              url: "https://acme.test/text"
              format: json
              body: { to: "{{ message.to }}" }
              variants:
                - when: { all: [{ value: message.channel, equals: whatsapp }, message.media] }
                  url: "https://acme.test/whatsapp-media"
                - when: { any: [{ value: segments.encoding, in: [ucs2] }, { all: ["!message.from", message.reference] }] }
                  url: "https://acme.test/unicode-or-anonymous"
                - when: { value: message.metadata.kind, equals: "" }
                  url: "https://acme.test/empty-kind"

            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        return result.table!.adapter("acme")!
    }()

    static func url(_ message: OutboundMessage) throws -> String {
        try renderRequest(for: message, adapter: adapter, settings: [:]).url
    }

    @Test func allNeedsEveryCondition() throws {
        let media = ["https://x.test/a.jpg"]
        #expect(
            try Self.url(OutboundMessage(channel: "whatsapp", to: "+15551234567", from: "+15550000000", media: media))
                == "https://acme.test/whatsapp-media")
        #expect(
            try Self.url(OutboundMessage(channel: "sms", to: "+15551234567", from: "+15550000000", media: media))
                == "https://acme.test/text")
        #expect(
            try Self.url(OutboundMessage(channel: "whatsapp", to: "+15551234567", from: "+15550000000", body: "hi"))
                == "https://acme.test/text")
    }

    @Test func anyNeedsOneConditionAndListsNest() throws {
        #expect(
            try Self.url(OutboundMessage(to: "+15551234567", from: "+15550000000", body: "Привет"))
                == "https://acme.test/unicode-or-anonymous")
        #expect(
            try Self.url(OutboundMessage(to: "+15551234567", body: "hi", reference: "r1"))
                == "https://acme.test/unicode-or-anonymous")
        #expect(
            try Self.url(OutboundMessage(to: "+15551234567", from: "+15550000000", body: "hi", reference: "r1"))
                == "https://acme.test/text")
    }

    @Test func aMissingValueEqualsNothing() throws {
        #expect(
            try Self.url(OutboundMessage(to: "+15551234567", from: "+15550000000", body: "hi"))
                == "https://acme.test/text")
        #expect(
            try Self.url(
                OutboundMessage(to: "+15551234567", from: "+15550000000", body: "hi", metadata: ["kind": ""]))
                == "https://acme.test/empty-kind")
    }
}
