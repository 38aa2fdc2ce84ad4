import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// Media items `{url, contentType?, filename?, caption?}` beside URL strings, and the template variables that read
/// them (issue 18, item 5).
@Suite struct MediaItemTests {
    /// Compiles carrier `acme` (sms, mms) whose JSON send body is `body` (a YAML flow mapping).
    static func compile(body: String) -> CompilationResult {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms, mms]
            send: { url: "https://acme.test/send", format: json, body: \(body) }

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    static func render(body: String, message: String) throws -> String {
        let result = compile(body: body)
        let adapter = try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
        let m = try JSONDecoder().decode(OutboundMessage.self, from: Data(message.utf8))
        return String(decoding: try renderRequest(for: m, adapter: adapter, settings: [:]).body, as: UTF8.self)
    }

    static let twoParts = #"""
        {"to": "+15551234567", "media": ["https://x.test/a.jpg",
          {"url": "https://x.test/b.pdf", "contentType": "application/pdf", "filename": "b.pdf", "caption": "Bee"}]}
        """#

    @Test func eachOverMediaReadsEveryItemsFields() throws {
        let body =
            #"{ parts: { $each: message.media, $item: { url: "{{ item }}", type?: "{{ item.contentType }}", name?: "{{ item.filename }}" } } }"#
        #expect(
            try Self.render(body: body, message: Self.twoParts)
                == #"{"parts":[{"url":"https://x.test/a.jpg"},{"url":"https://x.test/b.pdf","type":"application/pdf","name":"b.pdf"}]}"#
        )
    }

    @Test func messageMediaFieldsListTheItemsThatHaveThem() throws {
        let body =
            #"{ urls: "{{ message.media }}", names: "{{ message.media.filename }}", caption: "{{ message.media.caption | first }}", types: "{{ message.media.contentType | count }}" }"#
        #expect(
            try Self.render(body: body, message: Self.twoParts)
                == #"{"urls":["https://x.test/a.jpg","https://x.test/b.pdf"],"names":["b.pdf"],"caption":"Bee","types":1}"#
        )
    }

    @Test(arguments: [
        (#"{ name: "{{ item.filename }}" }"#, "variable-not-available"),
        (#"{ list: { $each: message.tags, $item: "{{ item.url }}" } }"#, "variable-not-available"),
        (#"{ list: { $each: "message.media | first", $item: "{{ item.caption }}" } }"#, "variable-not-available"),
        (#"{ size: "{{ message.media.size }}" }"#, "unknown-variable"),
        (#"{ list: { $each: message.media, $item: "{{ item.size }}" } }"#, "unknown-variable"),
    ])
    func mediaFieldsOutsideTheirPlaceAreErrors(body: String, code: String) {
        let errors = Self.compile(body: body).diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [code], "\(errors)")
    }

    @Test func aNestedEachInsideMediaSeesItsOwnItem() {
        let body = #"{ l: { $each: message.media, $item: { t: { $each: message.tags, $item: "{{ item.url }}" } } } }"#
        #expect(Self.compile(body: body).diagnostics.map(\.code) == ["variable-not-available"])
    }

    @Test func itemsDecodeFromStringsOrObjectsAndEncodeBack() throws {
        let m = try JSONDecoder().decode(OutboundMessage.self, from: Data(Self.twoParts.utf8))
        #expect(
            m.media == [
                MediaItem(url: "https://x.test/a.jpg"),
                MediaItem(
                    url: "https://x.test/b.pdf", contentType: "application/pdf", filename: "b.pdf", caption: "Bee"),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(m.media), as: UTF8.self)
        #expect(
            json
                == #"["https://x.test/a.jpg",{"caption":"Bee","contentType":"application/pdf","filename":"b.pdf","url":"https://x.test/b.pdf"}]"#
        )
    }

    @Test(arguments: [
        #"{"to": "+15551234567", "media": [{"url": "https://x.test/a", "fileName": "a"}]}"#,
        #"{"to": "+15551234567", "media": [{"filename": "a"}]}"#,
        #"{"to": "+15551234567", "media": [42]}"#,
    ])
    func badItemsDoNotDecode(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(OutboundMessage.self, from: Data(json.utf8))
        }
    }
}
