import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Foundation
import Synchronization
import Testing

/// Reloading the adapter table while sends are in flight: nothing dropped, a broken definition refused.
@Suite(.timeLimit(.minutes(1)))
struct ReloadTests {
    /// A carriers directory on disk that the test edits between reloads.
    final class CarriersDirectory: Sendable {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-reload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        func write(_ id: String, _ text: String) throws {
            let folder = url.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent("carrier.yaml"))
        }

        /// Compiles every `*/carrier.yaml`, as `carrier serve --carriers dir` does.
        func load() throws(TableLoadFailure) -> LoadedTable {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? []
            let inputs = folders.compactMap { folder -> InputFile? in
                let path = url.appendingPathComponent(folder + "/carrier.yaml")
                guard let data = try? Data(contentsOf: path) else { return nil }
                return InputFile(path: folder + "/carrier.yaml", bytes: [UInt8](data))
            }
            let result = compileAdapterTable(inputs)
            let errors = result.diagnostics.filter { $0.severity == .error }
            guard let table = result.table, errors.isEmpty else {
                throw TableLoadFailure(diagnostics: errors.map { $0.rendered(source: nil) })
            }
            return LoadedTable(table: table, source: url.path, builtAt: Date().timeIntervalSince1970)
        }
    }

    @Test func aReloadUnderLoadDropsNoRequestAndABrokenDefinitionKeepsTheGoodTable() async throws {
        let carrier = try OutboxTests.Carrier(.slow(60))
        defer { carrier.server.stop() }
        let directory = try CarriersDirectory()
        try directory.write("acme", OutboxTests.definition(id: "acme"))
        let transports = Mutex(0)
        let gateway = try ReloadableGateway(loader: { () throws(TableLoadFailure) in try directory.load() }) { _ in
            transports.withLock { $0 += 1 }
            return CurlTransport()
        }
        let path = try TestServer.temporaryDatabasePath()
        var configuration = OutboxTests.configuration(
            databasePath: path, carrierURL: "http://127.0.0.1:\(carrier.server.port)")
        configuration.channels.removeAll { $0.provider != "acme" }
        configuration.apiKeys[OperabilityTests.operatorKey] = .init(account: "ops", scopes: ["operator"])
        let server = try await TestServer.start(gateway: gateway, databasePath: path, configuration: configuration)

        let first = try await server.call("GET", "/admin/table", apiKey: OperabilityTests.operatorKey)
        #expect(first.status == 200)
        #expect(first.json["carriers"] as? [String] == ["acme"])
        let firstVersion = try #require(first.json["version"] as? String)

        // Three clients send 12 messages each (the carrier takes 60 ms per request) while the table is reloaded.
        let load = Task { () async throws -> [Int] in
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for client in 0..<3 {
                    group.addTask { [server] in
                        var statuses: [Int] = []
                        for n in 0..<12 {
                            let answer = try await server.send([
                                "channelId": "sms", "to": OutboxTests.to, "body": "load \(client)-\(n)",
                            ])
                            statuses.append(answer.status)
                        }
                        return statuses
                    }
                }
                var all: [Int] = []
                for try await statuses in group { all += statuses }
                return all
            }
        }

        // A definition with an error: refused with its diagnostics, the old table keeps serving.
        try await Task.sleep(for: .milliseconds(150))
        try directory.write(
            "broken", OutboxTests.definition(id: "broken").replacingOccurrences(of: "format:", with: "fromat:"))
        let refused = try await server.call("POST", "/admin/reload", apiKey: OperabilityTests.operatorKey)
        #expect(refused.status == 422)
        #expect(refused.errorCode == "table-refused")
        let diagnostics =
            ((refused.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?
            .compactMap { $0["message"] as? String } ?? []
        #expect(diagnostics.contains { $0.contains("broken/carrier.yaml") && $0.contains("fromat") }, "\(diagnostics)")
        let unchanged = try await server.call("GET", "/admin/table", apiKey: OperabilityTests.operatorKey)
        #expect(unchanged.json["version"] as? String == firstVersion)

        // Fixed, plus a new carrier: the new table serves from the next request on.
        try await Task.sleep(for: .milliseconds(100))
        try directory.write("broken", OutboxTests.definition(id: "broken"))
        let reloaded = try await server.call("POST", "/admin/reload", apiKey: OperabilityTests.operatorKey)
        #expect(reloaded.status == 200)
        #expect(reloaded.json["carriers"] as? [String] == ["acme", "broken"])
        #expect(reloaded.json["version"] as? String != firstVersion)
        // Again with the same files: another load, the same version.
        let again = try await server.call("POST", "/admin/reload", apiKey: OperabilityTests.operatorKey)
        #expect(again.json["version"] as? String == reloaded.json["version"] as? String)

        let answered = try await load.value
        #expect(answered.count == 36)
        #expect(answered.allSatisfy { $0 == 200 }, "\(answered)")
        #expect(carrier.server.requests.count == 36)
        #expect(transports.withLock { $0 } == 3)

        let metrics = try await server.call("GET", "/metrics", apiKey: nil).text
        #expect(OperabilityTests.value(of: #"carrier_table_reloads_total{result="ok"}"#, in: metrics) == 2)
        #expect(OperabilityTests.value(of: #"carrier_table_reloads_total{result="refused"}"#, in: metrics) == 1)
        #expect(OperabilityTests.value(of: "carrier_table_carriers", in: metrics) == 2)
        await server.stop()
    }
}
