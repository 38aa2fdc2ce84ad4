import Testing

@testable import CarrierCore

/// Snippet tests: conditions on the raw body of text responses, and paths that can never match (issue 18).
@Suite struct TextResponseTests {
    static func errors(_ response: String) -> [Diagnostic] {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send: { url: "https://acme.test/send", format: none }
            response: \(response)

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))]).diagnostics
            .filter { $0.severity == .error }
    }

    @Test(arguments: [
        #"{ format: text, success: { when: { bodyPrefix: "0:" } }, messageId: { regex: "ID: (\\S+)" } }"#,
        #"{ format: text, success: { when: { not: { bodyMatches: "^ERR" } } } }"#,
        #"{ format: json, success: { when: { all: [{ path: status, equals: ok }, { bodyMatches: "ok" }] } } }"#,
    ])
    func bodyConditionsCompile(response: String) {
        #expect(Self.errors(response).map(\.code) == [])
    }

    @Test(arguments: [
        (#"{ format: json, success: { when: { path: "$", matches: "^Success" } } }"#, "bad-path"),
        (#"{ format: json, success: { when: { path: "", equals: "OK" } } }"#, "bad-path"),
        (#"{ format: text, success: { when: { path: status, equals: "0" } } }"#, "bad-path"),
        (#"{ format: text, success: { when: { bodyMatches: "(" } } }"#, "bad-regex"),
    ])
    func pathsThatCanNeverMatchAreErrors(response: String, code: String) {
        let found = Self.errors(response)
        #expect(found.map(\.code) == [code])
        if code == "bad-path" { #expect(found.first?.message.contains("bodyPrefix or bodyMatches") == true) }
    }
}
