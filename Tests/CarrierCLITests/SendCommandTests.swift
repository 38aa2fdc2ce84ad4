import CarrierTestSupport
import Foundation
import Testing

/// `carrier send` end to end: the built binary, a definition on disk, and a mock carrier on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct SendCommandTests {
    func workspace(mockURL: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-send-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("acme"), withIntermediateDirectories: true)
        let definition = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            limits: { maxRetries: 0 }
            settings: { base_url: { type: url }, token: { type: secret } }
            auth: { type: bearer, token: "{{ settings.token }}" }
            send:
              url: "{{ settings.base_url }}/send"
              format: json
              body: { to: "{{ message.to }}", text: "{{ message.body }}" }
            response:
              messageId: id
              errorCode: error
            """
        try definition.write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        try #"{"base_url": "\#(mockURL)", "token": "literal:tok-cli-7"}"#.write(
            to: dir.appendingPathComponent("settings.json"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func sendsAFileOfMessagesWithProgressAndOneResultPerLine() async throws {
        let mock = try MockCarrierServer { request in
            request.bodyText.contains("+15550000666")
                ? .json(#"{"error": "BLOCKED"}"#, status: 400)
                : .json(#"{"id": "m-\#(request.bodyText.count)"}"#)
        }
        defer { mock.stop() }
        let dir = try workspace(mockURL: mock.baseURL)
        let lines = ["+15550000001", "+15550000002", "+15550000003"].map { #"{"to": "\#($0)", "body": "hi"}"# }
        try (lines.joined(separator: "\n") + "\n").write(
            to: dir.appendingPathComponent("messages.jsonl"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(
            [
                "send", "--carrier", "acme", "--carriers", ".", "--settings", "settings.json", "--file",
                "messages.jsonl",
                "--concurrency", "2",
            ], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let results = run.stdout.split(separator: "\n")
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.contains(#""outcome":"ok""#) && $0.contains(#""providerMessageId":"m-"#) })
        // Results come in completion order; each names the line of its message.
        #expect(Set(results.compactMap { $0.firstMatch(of: /"line":(\d+)/).map { String($0.1) } }) == ["1", "2", "3"])
        #expect(run.stderr.contains("sent 3/3"))
        #expect(mock.requests.count == 3)
        #expect(mock.requests.allSatisfy { $0.header("Authorization") == "Bearer tok-cli-7" })
        #expect(!(run.stdout + run.stderr).contains("tok-cli-7"))
    }

    @Test func aPermanentFailureExitsWith1() async throws {
        let mock = try MockCarrierServer { _ in .json(#"{"error": "BLOCKED"}"#, status: 400) }
        defer { mock.stop() }
        let dir = try workspace(mockURL: mock.baseURL)
        try #"{"to": "+15550000666", "body": "hi"}"#.write(
            to: dir.appendingPathComponent("one.json"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(
            ["send", "--carrier", "acme", "--carriers", ".", "--settings", "settings.json", "--message", "one.json"],
            in: dir)
        #expect(run.status == 1)
        #expect(run.stdout.contains(#""outcome":"permanent""#))
        #expect(run.stdout.contains(#""errorCode":"BLOCKED""#))
    }

    @Test func aTemporaryFailureExitsWith75() async throws {
        let mock = try MockCarrierServer { _ in .json("{}", status: 503) }
        defer { mock.stop() }
        let dir = try workspace(mockURL: mock.baseURL)
        try #"{"to": "+15550000001", "body": "hi"}"#.write(
            to: dir.appendingPathComponent("one.json"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(
            ["send", "--carrier", "acme", "--carriers", ".", "--settings", "settings.json", "--message", "one.json"],
            in: dir)
        #expect(run.status == 75)
        #expect(run.stdout.contains(#""outcome":"retryable""#))
    }
}
