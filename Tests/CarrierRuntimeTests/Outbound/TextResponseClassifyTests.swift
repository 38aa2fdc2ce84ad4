import CarrierCore
import Testing

@testable import CarrierRuntime

/// Gateways that answer in plain text: `Success "abc"`, `0: Accepted for delivery`, `ERR: 105`.
@Suite struct TextResponseClassifyTests {
    static func adapter(_ response: String) throws -> Adapter {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send: { url: "https://acme.test/send", format: none }
            response: \(response)
            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        #expect(result.diagnostics.filter { $0.severity == .error } == [])
        return try #require(result.table?.adapter("acme"))
    }

    static func classify(_ adapter: Adapter, _ status: Int, _ body: String) -> SendResult {
        classifyResponse(HTTPResponse(status: status, body: Array(body.utf8)), adapter: adapter)
    }

    @Test func prefixDecidesSuccessAndRegexReadsTheId() throws {
        let adapter = try Self.adapter(
            #"""
            { format: text, success: { when: { bodyPrefix: "Success" } },
              messageId: { regex: "^Success \"([^\"]+)\"" }, errorCode: { regex: "^ERR: (\\d+)" },
              retry: { codes: ["105"] } }
            """#)
        let ok = Self.classify(adapter, 200, #"Success "abc""#)
        #expect(ok.outcome == .ok)
        #expect(ok.providerMessageId == "abc")
        let throttled = Self.classify(adapter, 200, "ERR: 105")
        #expect(throttled.outcome == .retryable)
        #expect(throttled.errorCode == "105")
        let refused = Self.classify(adapter, 200, "ERR: 001")
        #expect(refused.outcome == .permanent)
        #expect(refused.errorCode == "001")
    }

    @Test func regexConditionOnTheWholeBody() throws {
        let adapter = try Self.adapter(#"{ format: text, success: { when: { bodyMatches: "^[0-3]: " } } }"#)
        #expect(Self.classify(adapter, 202, "0: Accepted for delivery").outcome == .ok)
        #expect(Self.classify(adapter, 202, "3: Queued for later delivery").outcome == .ok)
        #expect(Self.classify(adapter, 202, "Authorization failed").outcome == .permanent)
        #expect(Self.classify(adapter, 500, "0: Accepted for delivery").outcome == .retryable)
    }

    @Test func bodyConditionsMixWithPathsInJSON() throws {
        let adapter = try Self.adapter(
            #"{ format: json, success: { when: { any: [{ path: ok, equals: "true" }, { bodyPrefix: "OK" }] } } }"#)
        #expect(Self.classify(adapter, 200, #"{"ok": true}"#).outcome == .ok)
        #expect(Self.classify(adapter, 200, "OK").outcome == .ok)
        #expect(Self.classify(adapter, 200, #"{"ok": false}"#).outcome == .permanent)
    }
}
