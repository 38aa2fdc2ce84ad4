import CarrierCore
import Testing

@testable import CarrierRuntime

/// Byte encodings on form and query bodies read the value as sent, percent-decoded once (issue 18).
@Suite struct FormEncodingTests {
    static func text(encoding: String, url: String, body: String = "", contentType: String? = nil) throws -> String? {
        let compiled = compileInboundOnlyDefinition(
            format: "form", fields: "{ from: from, text: { path: content, encoding: \(encoding) } }")
        let adapter = try #require(compiled.table?.adapter("acme"), "\(compiled.diagnostics)")
        var headers: [HTTPHeader] = []
        if let contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: Array(body.utf8))
        let result = try normalizeInbound(request, adapter: adapter, settings: [:], publicURL: "https://x/in")
        guard case .received(let message)? = result.events.first else { return nil }
        return message.text
    }

    @Test func latin1IsDecodedOnce() throws {
        #expect(try Self.text(encoding: "percent-latin1", url: "/in?from=1&content=caf%E9") == "café")
        #expect(
            try Self.text(
                encoding: "percent-latin1", url: "/in", body: "from=1&content=%C3%A9t%E9",
                contentType: "application/x-www-form-urlencoded") == "Ã©té", "Latin-1 bytes that look like UTF-8")
    }

    @Test func utf16BytesAbove0x80() throws {
        #expect(try Self.text(encoding: "percent-utf16be", url: "/in?from=1&content=%00H%00%E9%4E%2D") == "Hé中")
    }

    @Test func gsm7FromAGateway() throws {
        #expect(try Self.text(encoding: "gsm7", url: "/in?from=1&content=%05v%05nement") == "événement")
        #expect(try Self.text(encoding: "percent-gsm7", url: "/in?from=1&content=%1Be5") == "€5")
    }

    @Test func jsonValuesDecodeTheirOwnEscapes() throws {
        let compiled = compileInboundOnlyDefinition(
            format: "json", fields: "{ from: from, text: { path: content, encoding: percent-gsm7 } }")
        let adapter = try #require(compiled.table?.adapter("acme"))
        let request = HTTPRequest(
            method: "POST", url: "/in", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(#"{"from": "1", "content": "%05v%05nement"}"#.utf8))
        let result = try normalizeInbound(request, adapter: adapter, settings: [:], publicURL: "https://x/in")
        guard case .received(let message)? = result.events.first else {
            Issue.record("no message")
            return
        }
        #expect(message.text == "événement")
    }
}
