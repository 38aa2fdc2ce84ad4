import CarrierTestSupport
import Foundation
import Testing

/// Secrets given to the CLI never appear in what it prints.
@Suite struct SecretTests {
    static let secret = "sk_cli_SECRET_9f8e7d"

    @Test func renderAndFixturesRedactSecrets() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("acme/fixtures"), withIntermediateDirectories: true)
        let definition = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            settings: { api_key: { type: secret } }
            auth: { type: query, name: key, value: "{{ settings.api_key }}" }
            send:
              url: https://api.acme.test/send
              format: form
              body: { to: "{{ message.to }}", text: "{{ message.body }}", echo: "{{ settings.api_key }}" }
            """
        try definition.write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        try #"{"api_key": "literal:\#(Self.secret)"}"#.write(
            to: dir.appendingPathComponent("settings.json"), atomically: true, encoding: .utf8)
        try #"{"to": "+15551230000", "body": "hi"}"#.write(
            to: dir.appendingPathComponent("msg.json"), atomically: true, encoding: .utf8)
        let render = try await CLI.run(
            ["render", "--carrier", "acme", "--carriers", ".", "--settings", "settings.json", "--message", "msg.json"],
            in: dir)
        #expect(render.status == 0, "\(render.stderr)")
        #expect(render.stdout.contains("POST https://api.acme.test/send?key=***"), "\(render.stdout)")
        #expect(!(render.stdout + render.stderr).contains(Self.secret))

        // A failing fixture prints expected/actual; the secret in both must be redacted.
        let fixture = """
            settings: { api_key: \(Self.secret) }
            cases:
              - name: wrong
                kind: outbound
                message: { to: "+15551230000", body: "hi" }
                expect:
                  url: https://api.acme.test/send?key=\(Self.secret)-not
            """
        try fixture.write(to: dir.appendingPathComponent("acme/fixtures/f.yaml"), atomically: true, encoding: .utf8)
        let test = try await CLI.run(["test", "."], in: dir)
        #expect(test.status == 1)
        #expect(test.stdout.contains("0 passed, 1 failed"))
        #expect(test.stdout.contains("key=***"), "\(test.stdout)")
        #expect(!(test.stdout + test.stderr).contains(Self.secret))
    }
}
