import CarrierCore
import Testing

@testable import CarrierRuntime

/// The `utf16be` filter on the wire: percent-escaped bytes in form and query values and after `url`, raw bytes in
/// text bodies.
@Suite struct UTF16BERenderTests {
    static func adapter(_ send: String) throws -> Adapter {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send:
            \(send)

            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        #expect(result.diagnostics.filter { $0.severity == .error } == [])
        return try #require(result.table?.adapter("acme"))
    }

    static let message = OutboundMessage(to: "+15551234567", body: "é ☺😀")

    @Test func formValuesArePercentEscapedBytes() throws {
        let a = try Self.adapter(
            "  url: https://acme.test/send\n  format: form\n  body: { text: \"{{ message.body | utf16be }}\", n: x }")
        let r = try renderRequest(for: Self.message, adapter: a, settings: [:])
        #expect(String(decoding: r.body, as: UTF8.self) == "text=%00%E9%00+%26%3A%D8%3D%DE%00&n=x")
    }

    @Test func queryValuesAndURLFilterEscapeTheSameBytes() throws {
        let a = try Self.adapter(
            "  url: \"https://acme.test/send?u={{ message.body | utf16be | url }}\"\n  format: query\n"
                + "  body: { text: \"{{ message.body | utf16be }}\" }")
        let r = try renderRequest(for: Self.message, adapter: a, settings: [:])
        #expect(
            r.url == "https://acme.test/send?u=%00%E9%00%20%26%3A%D8%3D%DE%00&text=%00%E9%00+%26%3A%D8%3D%DE%00")
        #expect(r.body == [])
    }

    @Test func textBodiesCarryTheRawBytes() throws {
        let a = try Self.adapter(
            "  url: https://acme.test/send\n  format: text\n  template: \"{{ message.body | utf16be }}\"")
        let r = try renderRequest(for: Self.message, adapter: a, settings: [:])
        #expect(r.body == [0x00, 0xE9, 0x00, 0x20, 0x26, 0x3A, 0xD8, 0x3D, 0xDE, 0x00])
    }

    @Test func bytesStillReadAsTheirText() throws {
        #expect(TemplateValue.bytes([0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00]).text == "é😀")
        #expect(TemplateValue.bytes([0x00, 0x41, 0x00]).text == "A")
        #expect(TemplateValue.bytes([]).isEmpty)
    }
}
