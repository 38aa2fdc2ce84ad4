import Testing

@testable import CarrierCore

/// Snippet tests: where the raw bytes of the `utf16be` filter may land (issue 18, item 3).
@Suite struct UTF16BEFilterTests {
    /// Compiles a carrier whose `send` section is `send` (YAML at indentation 2).
    static func errors(_ send: String) -> [String] {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send:
            \(send)

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))]).diagnostics
            .filter { $0.severity == .error }.map(\.description)
    }

    @Test(arguments: [
        "  url: https://acme.test/send\n  format: query\n  body: { text: \"{{ message.body | utf16be }}\" }",
        "  url: https://acme.test/send\n  format: form\n  body: { text: \"{{ message.body | utf16be }}\" }",
        "  url: https://acme.test/send\n  format: text\n  template: \"{{ message.body | utf16be }}\"",
        "  url: https://acme.test/send\n  format: json\n  body: { text: \"{{ message.body | utf16be | url }}\" }",
        "  url: \"https://acme.test/send?t={{ message.body | utf16be | url }}\"\n  format: none",
    ])
    func bytesLandWhereTheyCanBeCarried(send: String) {
        #expect(Self.errors(send) == [])
    }

    @Test(arguments: [
        (
            "  url: https://acme.test/send\n  format: json\n  body: { text: \"{{ message.body | utf16be }}\" }",
            "acme/carrier.yaml:8:20: error: filter 'utf16be' gives raw bytes, which only form and query values and text bodies carry; add '| url' to percent-escape them here [bad-template]"
        ),
        (
            "  url: https://acme.test/send\n  format: xml\n  template: \"<t>{{ message.body | utf16be }}</t>\"",
            "acme/carrier.yaml:8:19: error: filter 'utf16be' gives raw bytes, which only form and query values and text bodies carry; add '| url' to percent-escape them here [bad-template]"
        ),
        (
            "  url: https://acme.test/send\n  format: none\n  headers: { X-Text: \"{{ message.body | utf16be }}\" }",
            "acme/carrier.yaml:8:25: error: filter 'utf16be' gives raw bytes, which only form and query values and text bodies carry; add '| url' to percent-escape them here [bad-template]"
        ),
        (
            "  url: https://acme.test/send\n  format: form\n  body: { text: \"{{ message.body | utf16be | upper }}\" }",
            "acme/carrier.yaml:8:20: error: filter 'utf16be' gives bytes; only one 'url' may follow it [bad-template]"
        ),
        (
            "  url: https://acme.test/send\n  format: form\n  body: { text: \"{{ message.body | utf16be:2 }}\" }",
            "acme/carrier.yaml:8:20: error: filter 'utf16be' takes no argument [bad-filter-argument]"
        ),
    ])
    func bytesElsewhereAreErrors(send: String, expected: String) {
        #expect(Self.errors(send) == [expected])
    }
}
