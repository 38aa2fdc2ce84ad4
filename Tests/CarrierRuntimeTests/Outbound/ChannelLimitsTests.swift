import CarrierCore
import Testing

@testable import CarrierRuntime

/// `limits.byChannel`: message-size limits that differ per channel kind (issue 18, item 6).
@Suite struct ChannelLimitsTests {
    static func compile(limits: String) -> CompilationResult {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms, mms, whatsapp]
            limits: \(limits)
            send: { url: "https://acme.test/send", format: none }

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    @Test func whatsappTakesOneMediaItemWhereMMSTakesTen() throws {
        let result = Self.compile(limits: "{ maxMedia: 10, byChannel: { whatsapp: { maxMedia: 1, maxParts: 20 } } }")
        let adapter = try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
        #expect(adapter.limits.mediaLimit(on: "whatsapp") == 1)
        #expect(adapter.limits.mediaLimit(on: "mms") == 10)
        #expect(adapter.limits.partsLimit(on: "whatsapp") == 20)
        #expect(adapter.limits.partsLimit(on: "sms") == 10)
        let two: [String] = ["https://x.test/a.jpg", "https://x.test/b.jpg"]
        let whatsapp = validateMessage(
            OutboundMessage(channel: "whatsapp", to: "+15551234567", media: two), adapter: adapter)
        #expect(whatsapp.map(\.code) == ["too-many-media"])
        #expect(whatsapp.first?.message.contains("at most 1 on whatsapp") == true)
        #expect(
            validateMessage(OutboundMessage(channel: "mms", to: "+15551234567", media: two), adapter: adapter) == [])
    }

    @Test(arguments: [
        ("{ byChannel: { rcs: { maxMedia: 1 } } }", "invalid-value"),  // not one of the carrier's channels
        ("{ byChannel: { whatsapp: { maxMedia: 11 } } }", "invalid-value"),
        ("{ byChannel: { whatsapp: { maxParts: 0 } } }", "invalid-value"),
        ("{ byChannel: { whatsapp: { ratePerSecond: 5 } } }", "unknown-key"),
    ])
    func badChannelLimitsAreErrors(limits: String, code: String) {
        let errors = Self.compile(limits: limits).diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [code], "\(errors)")
    }
}
