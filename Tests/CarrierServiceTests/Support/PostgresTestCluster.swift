import CarrierTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL server the tests use: `CARRIER_TEST_POSTGRES_URL` when set (CI starts one), else a throwaway
/// cluster started once per test process with `scripts/pg-throwaway.sh` and stopped at exit. Each caller gets a
/// database of its own. No server (PostgreSQL not installed) is an error, never a skip.
enum PostgresTestCluster {
    /// The URL of the server's `carrier` database.
    private static let server = Task { () throws -> String in
        if let url = ProcessInfo.processInfo.environment["CARRIER_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        let script = repositoryRoot.appendingPathComponent("scripts/pg-throwaway.sh").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "carrier-test-pg-\(getpid())").path
        // system(), not Foundation's Process: in the test runner a Process's end was never noticed (the child
        // stayed a zombie). It blocks one thread for the seconds the cluster takes to start, once per run.
        let outputPath = directory + ".url"
        let status = system("/bin/bash '\(script)' '\(directory)' > '\(outputPath)'")
        let url = (try? String(contentsOfFile: outputPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard status == 0, url.hasPrefix("postgres://") else {
            throw ClusterError.noServer("scripts/pg-throwaway.sh failed (status \(status))")
        }
        try? FileManager.default.removeItem(atPath: outputPath)
        startedDirectory.withLock { $0 = directory }
        atexit {
            // At exit Foundation's Process no longer works; a plain blocking shell does.
            guard let directory = PostgresTestCluster.startedDirectory.withLock({ $0 }) else { return }
            let script = repositoryRoot.appendingPathComponent("scripts/pg-throwaway.sh").path
            _ = system("/bin/bash '\(script)' stop '\(directory)' >/dev/null 2>&1")
        }
        return url
    }

    private static let startedDirectory = Mutex<String?>(nil)

    enum ClusterError: Error {
        case noServer(String)
    }

    /// Creates an empty database on the server and returns its URL.
    static func freshDatabaseURL() async throws -> String {
        let base = try await server.value
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await withAdmin(base) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        guard var components = URLComponents(string: base) else { throw ClusterError.noServer(base) }
        components.path = "/" + name
        return components.string ?? base
    }

    private static func withAdmin(_ url: String, _ body: (PostgresClient) async throws -> Void) async throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw ClusterError.noServer(url)
        }
        let configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "carrier",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "pg-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}
