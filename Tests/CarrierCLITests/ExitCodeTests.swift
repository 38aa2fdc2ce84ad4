import CarrierTestSupport
import Foundation
import Testing

/// Exit codes and streams of the built binary, as documented in the README.
@Suite struct ExitCodeTests {
    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("acme"), withIntermediateDirectories: true)
        return dir
    }

    @Test func badCommandLineIs64() async throws {
        let run = try await CLI.run(["build", "--no-such-flag"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("no-such-flag"))
    }

    @Test func missingInputIs64() async throws {
        let run = try await CLI.run(["check", "does/not/exist"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("no such file or directory: does/not/exist"))
    }

    @Test func definitionErrorsAre1WithGCCStyleLines() async throws {
        let dir = try tempDir()
        try "formatVersion: 1\nid: acme\nname: Acme\nchannels: [sms]\nsend:\n  url: https://x.test\n  hedaers: {}\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(["check", "."], in: dir)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr.contains(
                "acme/carrier.yaml:7:3: error: unknown key 'hedaers' in send (did you mean 'headers'?) [unknown-key]"))
        #expect(run.stderr.contains("1 error, 0 warnings"))
    }

    @Test func cleanCheckSaysWhatItChecked() async throws {
        let dir = try tempDir()
        try "formatVersion: 1\nid: acme\nname: Acme\nchannels: [sms]\nsend:\n  url: https://x.test\n  format: none\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(["check", "."], in: dir)
        #expect(run.status == 0)
        #expect(run.stderr == "ok: 1 carrier definition checked, no problems\n")
    }

    @Test func duplicateKeyDoesNotHideTheRest() async throws {
        let dir = try tempDir()
        try "formatVersion: 1\nid: acme\nname: Acme\nname: Again\nchannels: [fax]\nsend:\n  url: https://x.test\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(["check", "."], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.contains("acme/carrier.yaml:4:1: error: duplicate key 'name' [duplicate-key]"))
        #expect(run.stderr.contains("acme/carrier.yaml:5:12: error:"), "the channel error after the duplicate")
        #expect(run.stderr.contains("2 errors, 0 warnings"))
    }

    @Test func jsonDiagnosticsFormat() async throws {
        let dir = try tempDir()
        try "formatVersion: 1\nid: acme\nname: Acme\nchannels: [fax]\nsend:\n  url: https://x.test\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let run = try await CLI.run(["check", "--format", "json", "."], in: dir)
        #expect(run.status == 1)
        let line = try #require(run.stderr.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["code"] as? String == "invalid-value")
        #expect(object["severity"] as? String == "error")
        let range = try #require(object["range"] as? [String: Any])
        #expect(range["file"] as? String == "acme/carrier.yaml")
        #expect((range["start"] as? [String: Any])?["line"] as? Int == 4)
    }

    @Test func warningsFailOnlyWithWarningsAsErrors() async throws {
        let dir = try tempDir()
        try
            "formatVersion: 1\nid: acme\nname: Acme\nchannels: [sms]\nauth:\n  type: bearer\n  token: abc123\nsend:\n  url: https://x.test\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let plain = try await CLI.run(["check", "."], in: dir)
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("[inline-secret]"))
        let strict = try await CLI.run(["check", "--warnings-as-errors", "."], in: dir)
        #expect(strict.status == 1)
    }

    @Test func buildWritesOnlyWhenChanged() async throws {
        let dir = try tempDir()
        try "formatVersion: 1\nid: acme\nname: Acme\nchannels: [sms]\nsend:\n  url: https://x.test\n  format: none\n"
            .write(to: dir.appendingPathComponent("acme/carrier.yaml"), atomically: true, encoding: .utf8)
        let first = try await CLI.run(["build", ".", "-o", "out.json"], in: dir)
        #expect(first.status == 0)
        #expect(first.stderr.contains("wrote out.json (1 carriers)"))
        let second = try await CLI.run(["build", ".", "-o", "out.json"], in: dir)
        #expect(second.stderr.contains("out.json is up to date"))
        let table = try String(contentsOf: dir.appendingPathComponent("out.json"), encoding: .utf8)
        #expect(table.contains("\"formatVersion\" : 2"))
        #expect(table.contains("\"origin\" : \"acme/carrier.yaml:1:1\""))
    }

    @Test func segmentsCommand() async throws {
        let run = try await CLI.run(["segments", "Hello €"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("\"encoding\":\"gsm7\""))
        #expect(run.stdout.contains("\"units\":8"))
    }
}
