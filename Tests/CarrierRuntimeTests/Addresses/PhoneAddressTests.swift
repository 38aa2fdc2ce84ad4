import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite struct PhoneAddressTests {
    static let digits = AddressRule(format: .digits)
    static let prefix = AddressRule(format: .whatsappPrefix)
    static let kenya = AddressRule(format: .national, defaultCountry: "254")

    @Test(
        arguments: [
            ("15553334444", nil, "+15553334444"),
            ("15553334444", digits, "+15553334444"),
            ("whatsapp:+15557770001", prefix, "+15557770001"),
            ("WhatsApp:+15557770001", nil, "+15557770001"),
            ("+250 788 123 200", digits, "+250788123200"),
            ("+1 (555) 333-4444", nil, "+15553334444"),
            (" +15553334444 ", nil, "+15553334444"),
            ("0712345678", kenya, "+254712345678"),
            ("00447700900123", kenya, "+447700900123"),
            ("254712345678", kenya, "+254712345678"),
            ("2020", digits, "2020"),
            ("123456", digits, "123456"),
            ("ACME Ltd", digits, "ACME Ltd"),
            ("+12", nil, "+12"),
        ] as [(String, AddressRule?, String)])
    func normalizesInboundAddresses(_ raw: String, _ rule: AddressRule?, _ expected: String) {
        #expect(PhoneAddress.normalize(raw, rule: rule) == expected)
    }

    @Test(
        arguments: [
            ("+15553334444", "sms", nil, "+15553334444"),
            ("+15553334444", "sms", digits, "15553334444"),
            ("+15557770001", "whatsapp", prefix, "whatsapp:+15557770001"),
            ("+15557770001", "sms", prefix, "+15557770001"),
            ("+254712345678", "sms", kenya, "0712345678"),
            ("+447700900123", "sms", kenya, "+447700900123"),
            ("ACME", "sms", digits, "ACME"),
            ("20202", "sms", digits, "20202"),
        ] as [(String, String, AddressRule?, String)])
    func rendersWireAddresses(_ address: String, _ channel: String, _ rule: AddressRule?, _ expected: String) {
        #expect(PhoneAddress.wire(address, channel: channel, rule: rule) == expected)
    }

    /// The rendered request carries the carrier's form; inbound webhooks come back as E.164 (both directions of one
    /// definition).
    @Test func renderAndNormalizeUseTheDefinition() throws {
        var adapter = Build.adapter(
            url: "https://api.example.com/send", format: .json,
            body: .fields(Build.object(Build.f("to", "{{ message.to }}"), Build.f("from", "{{ message.from }}"))))
        adapter.addresses = Self.digits
        let request = try renderRequest(
            for: OutboundMessage(to: "+15553334444", from: "+15550001111", body: "hi"), adapter: adapter, settings: [:])
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("\"to\":\"15553334444\""))
        #expect(body.contains("\"from\":\"15550001111\""))
    }
}
