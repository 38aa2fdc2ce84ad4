import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite struct ValidateMessageTests {
    static let adapter: Adapter = {
        var limits = Limits()
        limits.maxMedia = 2
        limits.maxParts = 2
        return Build.adapter(channels: ["sms", "mms"], url: "https://x.test", format: .none, limits: limits)
    }()

    static func codes(_ m: OutboundMessage, _ adapter: Adapter = adapter) -> [String] {
        validateMessage(m, adapter: adapter).map(\.code)
    }

    @Test func validMessagePasses() {
        #expect(Self.codes(OutboundMessage(to: "+15551234567", from: "+15557654321", body: "hi")) == [])
        #expect(Self.codes(OutboundMessage(to: "+15551234567", from: "12345", body: "hi")) == [])
        #expect(Self.codes(OutboundMessage(to: "+15551234567", from: "Acme Inc 1", body: "hi")) == [])
        #expect(Self.codes(OutboundMessage(to: "+15551234567", from: "1234", body: "hi")) == [])  // alphanumeric
        #expect(Self.codes(OutboundMessage(to: "+15551234567", media: ["https://x/a.jpg"])) == [])
    }

    @Test(arguments: ["15551234567", "+1234", "+123456789012345678", "+1555abc4567", ""])
    func invalidTo(to: String) {
        #expect(Self.codes(OutboundMessage(to: to, body: "hi")) == ["invalid-to"])
    }

    @Test(arguments: ["123456789012", "Acme Company", "Acme-Co", "", "+12", "+1555123456789012345"])
    func invalidFrom(from: String) {
        #expect(Self.codes(OutboundMessage(to: "+15551234567", from: from, body: "hi")) == ["invalid-from"])
    }

    @Test func otherCodes() {
        #expect(Self.codes(OutboundMessage(to: "+15551234567", body: "")) == ["empty-message"])
        #expect(Self.codes(OutboundMessage(to: "+15551234567", media: ["a", "b", "c"])) == ["too-many-media"])
        #expect(
            Self.codes(OutboundMessage(channel: "whatsapp", to: "+15551234567", body: "hi")) == ["unsupported-channel"])
        #expect(
            Self.codes(OutboundMessage(to: "+15551234567", template: .init(name: "t"))) == ["templates-unsupported"])
        let metadata = Dictionary(uniqueKeysWithValues: (0..<11).map { ("k\($0)", "v") })
        #expect(
            Self.codes(OutboundMessage(to: "+15551234567", body: "hi", metadata: metadata)) == ["too-much-metadata"])
        #expect(
            Self.codes(OutboundMessage(to: "+15551234567", body: String(repeating: "a", count: 307))) == ["too-long"])
        #expect(Self.codes(OutboundMessage(to: "+15551234567", body: String(repeating: "a", count: 306))) == [])
    }

    @Test func mediaCapIsTenEvenIfTheAdapterSaysMore() {
        var adapter = Self.adapter
        adapter.limits.maxMedia = 50
        #expect(
            Self.codes(OutboundMessage(to: "+15551234567", media: Array(repeating: "u", count: 11)), adapter) == [
                "too-many-media"
            ])
    }

    @Test func errorShapeEncodesAsValidation() throws {
        let e = try #require(validateMessage(OutboundMessage(to: "x", body: "hi"), adapter: Self.adapter).first)
        #expect(e.type == "validation")
        #expect(e.attribute == "to")
    }
}
