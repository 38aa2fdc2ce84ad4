import CarrierTestSupport
import Foundation
import Testing

/// `carrier db migrate` and `carrier db copy`: an SQLite database used by `carrier serve` moves to PostgreSQL and
/// the service started on PostgreSQL answers with the same messages.
@Suite(.timeLimit(.minutes(2)))
struct DatabaseCopyTests {
    /// What `carrier db migrate` prints is the migrations in the order they ran, then nothing left to apply.
    @Test func migratingAnSQLiteFileListsTheMigrationsInTheOrderTheyRan() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-migrate-\(UUID()).sqlite")
            .path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let first = try await CLI.run(["db", "migrate", "--database", path])
        #expect(first.status == 0, "\(first.stderr)")
        let applied =
            first.stdout.components(separatedBy: "applied ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: ", ") ?? []
        let versions = applied.map { Int($0.dropFirst().prefix(while: \.isNumber)) ?? 0 }
        #expect(versions.count >= 10 && versions.first == 1, "\(first.stdout)")
        #expect(versions == versions.sorted(), "\(first.stdout)")
        let second = try await CLI.run(["db", "migrate", "--database", path])
        #expect(second.status == 0 && second.stdout.contains("already current"), "\(second.stdout)")
    }

    @Test func anSQLiteDatabaseMovesToPostgreSQLWithEveryMessage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-copy-\(UUID())")
        let carriers = directory.appendingPathComponent("carriers/acme")
        try FileManager.default.createDirectory(at: carriers, withIntermediateDirectories: true)
        try MultiInstanceTests.writeAcme(to: carriers)
        defer { try? FileManager.default.removeItem(at: directory) }
        let carrier = try MockCarrierServer { _ in .json(#"{"id":"p-1"}"#, status: 200) }
        let sqlite = directory.appendingPathComponent("db.sqlite").path
        let configuration: [String: Any] = [
            "host": "127.0.0.1", "port": 0,
            "apiKeys": ["literal:copy-key": ["account": "a", "scopes": ["messaging", "admin"]]],
            "channels": [
                [
                    "id": "c", "account": "a", "channel": "sms", "provider": "acme", "address": "+15550000001",
                    "settings": ["base_url": carrier.baseURL],
                ]
            ],
            "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true,
        ]
        let configPath = directory.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: configPath)
        func arguments(_ database: String) -> [String] {
            [
                "--config", configPath.path, "--carriers", directory.appendingPathComponent("carriers").path,
                "--database", database, "--log-level", "warning",
            ]
        }

        let onSQLite = try OutboxCrashTests.Service.start(arguments: arguments(sqlite), apiKey: "copy-key")
        var ids: [String] = []
        for n in 0..<5 {
            let (status, body) = try await onSQLite.call(
                "POST", "/send", json: ["channelId": "c", "to": "+1555000\(2000 + n)", "body": "moved \(n)"])
            #expect(status == 200 || status == 202)
            ids.append(try #require(body["messageId"] as? String))
        }
        onSQLite.process.terminate()
        onSQLite.process.waitUntilExit()

        let postgres = try await PostgresTestServer.freshDatabaseURL()
        let migrated = try await CLI.run(["db", "migrate", "--database", postgres])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("applied v1"))
        let copied = try await CLI.run(["db", "copy", "--from", sqlite, "--to", postgres])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("message: 5 rows"), "\(copied.stdout)")
        // Into a database that holds data: refused, nothing changed.
        let again = try await CLI.run(["db", "copy", "--from", sqlite, "--to", postgres])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds data"))
        let badTarget = try await CLI.run(["db", "copy", "--from", sqlite, "--to", sqlite])
        #expect(badTarget.status == 64)

        let onPostgres = try OutboxCrashTests.Service.start(arguments: arguments(postgres), apiKey: "copy-key")
        defer { onPostgres.process.terminate() }
        for (n, id) in ids.enumerated() {
            let (status, message) = try await onPostgres.call("GET", "/messages/\(id)")
            #expect(status == 200)
            #expect(message["body"] as? String == "moved \(n)")
            #expect(message["status"] as? String == "sent")
        }
    }
}
