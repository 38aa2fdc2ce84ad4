import CarrierTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `carrier serve` as an operator runs it: strict configuration (exit 64), `--check-config`, SIGHUP reloads and
/// `--log-format json`.
@Suite(.timeLimit(.minutes(1)))
struct OperabilityCLITests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A carriers directory with a copy of the bundled Twilio definition.
    static func carriersDirectory() throws -> URL {
        let directory = try temporaryDirectory().appendingPathComponent("carriers")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("twilio"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("carriers/twilio/carrier.yaml"),
            to: directory.appendingPathComponent("twilio/carrier.yaml"))
        return directory
    }

    @Test func aMisspelledConfigurationKeyExits64NamingIt() async throws {
        let directory = try Self.temporaryDirectory()
        let file = directory.appendingPathComponent("c.json")
        try Data(#"{"port": 0, "databsePath": "x.sqlite"}"#.utf8).write(to: file)
        let run = try await CLI.run(["serve", "--config", file.path, "--check-config"])
        #expect(run.status == 64)
        #expect(
            run.stderr.contains("unknown key 'databsePath' (did you mean 'databasePath'?) [unknown-key]"),
            "\(run.stderr)")
    }

    @Test func checkConfigValidatesWithoutServing() async throws {
        let carriers = try Self.carriersDirectory()
        let file = carriers.deletingLastPathComponent().appendingPathComponent("c.json")
        try Data(#"{"port": 0}"#.utf8).write(to: file)
        let run = try await CLI.run(["serve", "--config", file.path, "--carriers", carriers.path, "--check-config"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("configuration OK: 1 carriers"), "\(run.stdout)")
        // A broken definition fails the check (exit 1) with its diagnostics.
        try Data("formatVersion: 1\nid: twilio\nnmae: x\n".utf8).write(
            to: carriers.appendingPathComponent("twilio/carrier.yaml"))
        let broken = try await CLI.run(["serve", "--config", file.path, "--carriers", carriers.path, "--check-config"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("unknown key 'nmae'"), "\(broken.stderr)")
    }

    @Test func sighupReloadsAndABrokenDefinitionKeepsTheTableWithJSONLogs() async throws {
        let carriers = try Self.carriersDirectory()
        let root = carriers.deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["CARRIER_SERVE_API_KEYS"] = #"{"literal:op-key": {"account": "ops", "scopes": ["operator"]}}"#
        let process = try ChildProcess(
            arguments: [
                "serve", "--port", "0", "--database", root.appendingPathComponent("db.sqlite").path, "--carriers",
                carriers.path, "--log-format", "json",
            ], environment: environment)
        defer { if process.isRunning { process.terminate() } }
        let out = try #require(process.standardOutput), err = try #require(process.standardError)
        var text = ""
        while !text.contains("\n") {
            let chunk = out.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let range = try #require(text.range(of: "127.0.0.1:"), "\(text)")
        let port = try #require(Int(text[range.upperBound...].prefix { $0.isNumber }))

        func table() async throws -> [String: Any] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/admin/table")!)
            request.setValue("op-key", forHTTPHeaderField: "x-api-key")
            let (data, _) = try await URLSession.shared.data(for: request)
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        }
        func waitForCarriers(_ expected: [String]) async throws -> [String: Any] {
            for _ in 0..<100 {
                let current = try await table()
                if current["carriers"] as? [String] == expected { return current }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try await table()
        }

        let first = try await table()
        #expect(first["carriers"] as? [String] == ["twilio"])

        // A second carrier: SIGHUP loads it.
        try FileManager.default.createDirectory(
            at: carriers.appendingPathComponent("plivo"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("carriers/plivo/carrier.yaml"),
            to: carriers.appendingPathComponent("plivo/carrier.yaml"))
        kill(process.processIdentifier, SIGHUP)
        let second = try await waitForCarriers(["plivo", "twilio"])
        #expect(second["carriers"] as? [String] == ["plivo", "twilio"])

        // A broken one: refused, the two keep serving.
        try Data("formatVersion: 1\nid: plivo\nname: x\nchanels: [sms]\n".utf8).write(
            to: carriers.appendingPathComponent("plivo/carrier.yaml"))
        kill(process.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        let third = try await table()
        #expect(third["version"] as? String == second["version"] as? String)

        process.terminate()
        process.waitUntilExit()
        let logs = String(decoding: err.readDataToEndOfFile(), as: UTF8.self)
        let records = logs.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": String(line)]
        }
        #expect(records.allSatisfy { $0["unparsed"] == nil && $0["time"] != nil && $0["level"] != nil }, "\(logs)")
        let requests = records.filter { $0["message"] as? String == "request" }
        #expect(requests.contains { $0["route"] as? String == "/admin/table" && $0["status"] as? String == "200" })
        #expect(requests.allSatisfy { $0["latencyMs"] != nil && $0["method"] != nil })
        #expect(records.contains { ($0["message"] as? String)?.contains("adapter table refused") == true })
        #expect(records.contains { ($0["message"] as? String)?.contains("chanels") == true }, "diagnostics logged")
        #expect(!logs.contains("op-key"))
    }
}
