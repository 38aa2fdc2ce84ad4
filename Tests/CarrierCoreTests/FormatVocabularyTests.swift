import Foundation
import Testing

@testable import CarrierCore

/// Snippet tests: the compiler accepts exactly the names and patterns the runtime supports (issue 18).
@Suite struct FormatVocabularyTests {
    static let head = """
        formatVersion: 1
        id: acme
        name: Acme
        channels: [sms]
        settings: { sender: { type: string, default: "ACME" } }

        """

    static func diagnostics(_ body: String) -> [Diagnostic] {
        compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array((head + body).utf8))]).diagnostics
    }

    static func inbound(field: String) -> String {
        """
        send: { url: "https://acme.test/send", format: none }
        inbound:
          format: form
          events:
            - type: message
              fields: { from: from, timestamp: \(field) }
        """
    }

    static func errors(_ body: String) -> [String] {
        diagnostics(body).filter { $0.severity == .error }.map(\.code)
    }

    @Test(arguments: [
        "{ path: ts, format: \"yyyy-MM-dd HH:mm:ss.SSS\" }", "{ path: ts, format: yyMMddHHmm, zone: Africa/Nairobi }",
        "{ path: ts, format: iso8601, zone: \"+03:00\" }", "{ path: ts, format: epoch_ms }",
    ])
    func acceptsWhatTheRuntimeReads(field: String) {
        #expect(Self.errors(Self.inbound(field: field)) == [])
    }

    @Test(arguments: [
        ("{ path: ts, format: HHmm }", "bad-timestamp-format"),
        ("{ path: ts, format: YYYY-MM-dd }", "bad-timestamp-format"),
        ("{ path: ts, format: iso8601, zone: Mars/Olympus }", "bad-time-zone"),
        ("{ path: ts, format: iso8601, zone: \"+25:00\" }", "bad-time-zone"),
        ("{ path: ts, zone: UTC }", "invalid-value"),
        ("{ path: ts, encoding: ebcdic }", "invalid-value"),
    ])
    func refusesWhatTheRuntimeCannotRead(field: String, code: String) {
        #expect(Self.errors(Self.inbound(field: field)) == [code])
    }

    @Test func bytesEncodingsAreNamed() {
        let body = Self.inbound(field: "ts").replacingOccurrences(
            of: "timestamp: ts", with: "text: { path: text, encoding: percent-gsm7 }")
        #expect(Self.errors(body) == [])
    }

    @Test(
        arguments: [
            ("{{ message.validity | div:60 }}", []),
            ("{{ message.scheduledAt | in_zone:\\\"Africa/Lagos\\\" | date:\\\"yyMMddHHmm\\\" }}", []),
            ("{{ message.from | default:settings.sender }}", []),
            ("{{ message.from | default:settings.nope }}", ["undeclared-setting"]),
            ("{{ message.from | default:request.body }}", ["variable-not-available"]),
            ("{{ message.validity | div:0 }}", ["bad-filter-argument"]),
            ("{{ message.scheduledAt | date:\\\"HHmm\\\" }}", ["bad-filter-argument"]),
            ("{{ message.scheduledAt | date:\\\"epoch\\\" }}", ["bad-filter-argument"]),
            ("{{ message.scheduledAt | in_zone:\\\"Nowhere/Land\\\" }}", ["bad-filter-argument"]),
            ("{{ message.to | prefix:settings.sender }}", ["bad-filter-argument"]),
        ] as [(String, [String])])
    func filterArguments(template: String, codes: [String]) {
        let body = "send: { url: \"https://acme.test/send\", format: form, body: { x: \"\(template)\" } }"
        #expect(Self.errors(body) == codes)
    }

    @Test func unknownCanonicalStatusSuggestsOne() {
        let body = """
            send: { url: "https://acme.test/send", format: none }
            statuses: { map: { D: deliverd }, default: failed }
            """
        let found = Self.diagnostics(body).filter { $0.code == "unknown-status" }
        #expect(found.count == 1)
        #expect(found.first?.message.contains("did you mean 'delivered'?") == true)
    }
}
